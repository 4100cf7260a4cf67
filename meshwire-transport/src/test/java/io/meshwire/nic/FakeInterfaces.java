package io.meshwire.nic;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A scriptable {@link InterfaceEnumerator} plus factories for entries, for rule and refresh tests:
 * {@code FakeInterfaces.builder().loopback().v4(2, "eth0", "10.1.0.5/24").build()}.
 */
final class FakeInterfaces implements InterfaceEnumerator {

  private final AtomicReference<List<NetworkInterfaceInfo>> entries;
  private final AtomicReference<IOException> failNext = new AtomicReference<>();
  private final AtomicInteger enumerations = new AtomicInteger();

  private FakeInterfaces(List<NetworkInterfaceInfo> entries) {
    this.entries = new AtomicReference<>(List.copyOf(entries));
  }

  static Builder builder() {
    return new Builder();
  }

  @Override
  public List<NetworkInterfaceInfo> enumerate() throws IOException {
    enumerations.incrementAndGet();
    IOException failure = failNext.getAndSet(null);
    if (failure != null) {
      throw failure;
    }
    return entries.get();
  }

  /** Replaces what the next enumeration returns. */
  void set(List<NetworkInterfaceInfo> next) {
    entries.set(List.copyOf(next));
  }

  /** Makes the next enumeration throw. */
  void failNext(IOException failure) {
    failNext.set(failure);
  }

  int enumerations() {
    return enumerations.get();
  }

  List<NetworkInterfaceInfo> entries() {
    return entries.get();
  }

  /** Collects entries; every factory makes an up, multicast, non-loopback entry unless it says otherwise. */
  static final class Builder {
    private final List<NetworkInterfaceInfo> list = new ArrayList<>();

    /** {@code lo#1} with 127.0.0.1/8 and ::1/128. */
    Builder loopback() {
      list.add(loV4());
      list.add(loV6());
      return this;
    }

    Builder v4(int index, String name, String cidr) {
      list.add(FakeInterfaces.v4(index, name, cidr));
      return this;
    }

    Builder v6(int index, String name, String cidr) {
      list.add(FakeInterfaces.v6(index, name, cidr));
      return this;
    }

    Builder add(NetworkInterfaceInfo entry) {
      list.add(entry);
      return this;
    }

    List<NetworkInterfaceInfo> entries() {
      return List.copyOf(list);
    }

    FakeInterfaces build() {
      return new FakeInterfaces(list);
    }
  }

  /** An IPv4 entry whose broadcast is derived from the prefix (none for /0, /31 and /32, like the kernel). */
  static NetworkInterfaceInfo v4(int index, String name, String cidr) {
    InetAddress address = address(cidr);
    int prefix = prefix(cidr);
    Optional<Inet4Address> brd = prefix == 0 || prefix >= 31 ? Optional.empty()
        : Optional.of((Inet4Address) subnetBroadcast(address, prefix));
    return new NetworkInterfaceInfo(index, name, address, prefix, brd, true, false, true);
  }

  /** An IPv4 entry with an explicit broadcast, or none when {@code broadcast} is null (point-to-point). */
  static NetworkInterfaceInfo v4(int index, String name, String cidr, String broadcast) {
    Optional<Inet4Address> brd = broadcast == null ? Optional.empty() : Optional.of((Inet4Address) ip(broadcast));
    return new NetworkInterfaceInfo(index, name, address(cidr), prefix(cidr), brd, true, false, true);
  }

  static NetworkInterfaceInfo v6(int index, String name, String cidr) {
    return new NetworkInterfaceInfo(index, name, address(cidr), prefix(cidr), Optional.empty(), true, false, true);
  }

  static NetworkInterfaceInfo loV4() {
    return new NetworkInterfaceInfo(1, "lo", ip("127.0.0.1"), 8, Optional.empty(), true, true, false);
  }

  static NetworkInterfaceInfo loV6() {
    return new NetworkInterfaceInfo(1, "lo", ip("::1"), 128, Optional.empty(), true, true, false);
  }

  static NetworkInterfaceInfo down(NetworkInterfaceInfo e) {
    return new NetworkInterfaceInfo(e.index(), e.name(), e.address(), e.prefixLength(), e.broadcast(), false,
        e.loopback(), e.multicast());
  }

  static NetworkInterfaceInfo loopbackFlag(NetworkInterfaceInfo e) {
    return new NetworkInterfaceInfo(e.index(), e.name(), e.address(), e.prefixLength(), e.broadcast(), e.up(),
        true, false);
  }

  static InetAddress ip(String literal) {
    try {
      // Literals only: getByName never does a DNS lookup for an IP literal (scope ids like %3 included).
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP literal: " + literal, e);
    }
  }

  private static InetAddress address(String cidr) {
    return ip(cidr.substring(0, cidr.indexOf('/')));
  }

  private static int prefix(String cidr) {
    return Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1));
  }

  private static InetAddress subnetBroadcast(InetAddress address, int prefix) {
    byte[] b = address.getAddress();
    for (int bit = prefix; bit < b.length * 8; bit++) {
      b[bit / 8] |= (byte) (0x80 >>> (bit % 8));
    }
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
