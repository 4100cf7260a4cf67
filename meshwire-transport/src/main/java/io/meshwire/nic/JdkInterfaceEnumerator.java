package io.meshwire.nic;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link InterfaceEnumerator} over {@link NetworkInterface}. */
final class JdkInterfaceEnumerator implements InterfaceEnumerator {

  static final JdkInterfaceEnumerator INSTANCE = new JdkInterfaceEnumerator();

  private static final Logger LOG = LoggerFactory.getLogger(JdkInterfaceEnumerator.class);

  private JdkInterfaceEnumerator() {}

  @Override
  public List<NetworkInterfaceInfo> enumerate() throws IOException {
    List<NetworkInterfaceInfo> entries = new ArrayList<>();
    for (NetworkInterface nif : NetworkInterface.networkInterfaces().toList()) {
      try {
        addEntries(nif, entries);
      } catch (SocketException e) {
        // The flag getters ask the kernel again (SIOCGIFFLAGS by name); an interface deleted between the
        // listing and this call fails with ENODEV. It is gone, so leave it out; the next refresh agrees.
        LOG.debug("skipping interface {}: vanished during enumeration ({})", nif.getName(), e.getMessage());
      }
    }
    return List.copyOf(entries);
  }

  private static void addEntries(NetworkInterface nif, List<NetworkInterfaceInfo> out) throws SocketException {
    // -1 means "unknown" in the JDK; the map uses 0 as that sentinel, like if_nametoindex.
    int index = Math.max(0, nif.getIndex());
    boolean up = nif.isUp();
    boolean loopback = nif.isLoopback();
    boolean multicast = nif.supportsMulticast();
    // Linux reports labelled aliases (ip addr add ... label eth0:1) as virtual sub-interfaces; depending on the
    // JDK path the address shows up on the parent, the child, or both. Attribute every address to the parent
    // (its ifindex and name are the NIC's identity) and de-duplicate.
    Set<InetAddress> seen = new HashSet<>();
    Stream.concat(nif.getInterfaceAddresses().stream(),
            nif.subInterfaces().flatMap(sub -> sub.getInterfaceAddresses().stream()))
        .filter(ia -> ia.getAddress() != null && seen.add(ia.getAddress()))
        .forEach(ia -> out.add(new NetworkInterfaceInfo(index, nif.getName(), ia.getAddress(),
            prefixLength(ia), broadcast(ia), up, loopback, multicast)));
  }

  private static int prefixLength(InterfaceAddress ia) {
    int max = ia.getAddress().getAddress().length * 8;
    int prefix = ia.getNetworkPrefixLength();
    // getNetworkPrefixLength() is a short taken from the kernel's netmask; an unknown mask comes back as -1 or
    // out of range on some platforms. Treat that as a host route (/32, /128): it matches only itself, so it
    // never captures traffic for a subnet it might not own.
    return prefix < 0 || prefix > max ? max : prefix;
  }

  private static Optional<Inet4Address> broadcast(InterfaceAddress ia) {
    // Null for IPv6, for point-to-point links, and when the address was added without "brd" (ip addr add
    // 10.0.0.1/24 dev x sets no broadcast; "brd +" does). 0.0.0.0 is what some drivers report for "none".
    if (ia.getBroadcast() instanceof Inet4Address b && ia.getAddress() instanceof Inet4Address
        && !b.isAnyLocalAddress()) {
      return Optional.of(b);
    }
    return Optional.empty();
  }
}
