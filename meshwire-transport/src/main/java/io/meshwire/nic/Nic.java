package io.meshwire.nic;

import java.util.List;
import java.util.Objects;

/**
 * One network interface with all its address entries, as seen in one snapshot of the {@link InterfaceMap}. The
 * identity of a NIC across snapshots is {@link #index()} plus {@link #name()}: the kernel can reuse an index for
 * a new interface, and a rename is a different NIC to a socket set.
 *
 * @param index kernel interface index
 * @param name interface name
 * @param entries the interface's address entries in enumeration order; never empty
 */
public record Nic(int index, String name, List<NetworkInterfaceInfo> entries) {

  /**
   * Validates and copies the entries.
   *
   * @throws NullPointerException if {@code name} or {@code entries} is null or holds null
   * @throws IllegalArgumentException if {@code entries} is empty or an entry belongs to another NIC
   */
  public Nic {
    Objects.requireNonNull(name, "name must not be null");
    entries = List.copyOf(Objects.requireNonNull(entries, "entries must not be null"));
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("entries must not be empty for NIC " + name + "#" + index);
    }
    for (NetworkInterfaceInfo e : entries) {
      if (e.index() != index || !e.name().equals(name)) {
        throw new IllegalArgumentException("entries must all belong to " + name + "#" + index + ": " + e);
      }
    }
  }

  /** A one-line description: name, index and every address, each marked {@code down} when not up. */
  @Override
  public String toString() {
    return name + "#" + index + " " + entries.stream().map(e -> e.up() ? e.cidr() : e.cidr() + " down").toList();
  }
}
