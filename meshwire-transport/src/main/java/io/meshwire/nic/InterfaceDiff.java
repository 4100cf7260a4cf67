package io.meshwire.nic;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What changed between two snapshots of the {@link InterfaceMap}, per NIC (keyed by ifindex and name).
 *
 * @param added NICs present only in the newer snapshot
 * @param removed NICs present only in the older snapshot
 * @param changed NICs present in both whose entries differ (an address, prefix, broadcast or flag changed)
 */
public record InterfaceDiff(List<Nic> added, List<Nic> removed, List<Changed> changed) {

  /** The diff with no changes. */
  public static final InterfaceDiff EMPTY = new InterfaceDiff(List.of(), List.of(), List.of());

  /**
   * One NIC present in both snapshots with different entries.
   *
   * @param before the NIC in the older snapshot
   * @param after the NIC in the newer snapshot
   */
  public record Changed(Nic before, Nic after) {
    /**
     * Validates the pair.
     *
     * @throws NullPointerException if either is null
     */
    public Changed {
      Objects.requireNonNull(before, "before must not be null");
      Objects.requireNonNull(after, "after must not be null");
    }
  }

  /**
   * Copies the lists.
   *
   * @throws NullPointerException if a list is null or holds null
   */
  public InterfaceDiff {
    added = List.copyOf(Objects.requireNonNull(added, "added must not be null"));
    removed = List.copyOf(Objects.requireNonNull(removed, "removed must not be null"));
    changed = List.copyOf(Objects.requireNonNull(changed, "changed must not be null"));
  }

  /** Whether nothing changed. */
  public boolean isEmpty() {
    return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
  }

  /**
   * Computes the diff between two entry lists. Entry order within a NIC does not count as a change.
   *
   * @param before the older entries
   * @param after the newer entries
   * @return the diff, NICs in order of first appearance
   * @throws NullPointerException if either list is null
   */
  public static InterfaceDiff between(List<NetworkInterfaceInfo> before, List<NetworkInterfaceInfo> after) {
    Map<Key, Nic> old = group(Objects.requireNonNull(before, "before must not be null"));
    Map<Key, Nic> now = group(Objects.requireNonNull(after, "after must not be null"));
    List<Nic> added = new ArrayList<>();
    List<Nic> removed = new ArrayList<>();
    List<Changed> changed = new ArrayList<>();
    old.forEach((key, nic) -> {
      if (!now.containsKey(key)) {
        removed.add(nic);
      }
    });
    now.forEach((key, nic) -> {
      Nic was = old.get(key);
      if (was == null) {
        added.add(nic);
      } else if (!new HashSet<>(was.entries()).equals(new HashSet<>(nic.entries()))) {
        changed.add(new Changed(was, nic));
      }
    });
    return new InterfaceDiff(added, removed, changed);
  }

  /** Groups entries per NIC, keeping first-appearance order. */
  static Map<Key, Nic> group(List<NetworkInterfaceInfo> entries) {
    Map<Key, List<NetworkInterfaceInfo>> byKey = new LinkedHashMap<>();
    for (NetworkInterfaceInfo e : entries) {
      byKey.computeIfAbsent(new Key(e.index(), e.name()), k -> new ArrayList<>()).add(e);
    }
    Map<Key, Nic> nics = new LinkedHashMap<>();
    byKey.forEach((k, list) -> nics.put(k, new Nic(k.index(), k.name(), list)));
    return nics;
  }

  private record Key(int index, String name) {}
}
