package io.meshwire.nic;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Optional;

/**
 * One address on one network interface: the unit a per-NIC socket set binds a socket to and routes between.
 *
 * <p>An interface with several addresses (aliases, IPv4 plus IPv6) gives several entries with the same
 * {@link #index()} and {@link #name()}; an interface without any address gives none.
 *
 * @param index kernel interface index ({@code if_nametoindex}); 0 when the platform does not report one
 * @param name interface name, e.g. {@code eth0}
 * @param address the IPv4 or IPv6 address
 * @param prefixLength network prefix length: 0..32 for IPv4, 0..128 for IPv6; 0 marks a default-route NIC
 * @param broadcast the subnet broadcast address; empty for IPv6 and for point-to-point or broadcast-less IPv4
 * @param up whether the interface is up and running ({@code IFF_UP} and {@code IFF_RUNNING}, i.e. it has carrier;
 *     {@link java.net.NetworkInterface#isUp()} semantics)
 * @param loopback whether it is the loopback interface ({@code IFF_LOOPBACK})
 * @param multicast whether it supports multicast ({@code IFF_MULTICAST})
 */
public record NetworkInterfaceInfo(
    int index,
    String name,
    InetAddress address,
    int prefixLength,
    Optional<Inet4Address> broadcast,
    boolean up,
    boolean loopback,
    boolean multicast) {

  /**
   * Validates every component.
   *
   * @throws NullPointerException if {@code name}, {@code address} or {@code broadcast} is null
   * @throws IllegalArgumentException if {@code index} is negative, {@code name} is blank, {@code prefixLength}
   *     is out of range for the address family, or an IPv6 entry has a broadcast address
   */
  public NetworkInterfaceInfo {
    Objects.requireNonNull(name, "name must not be null");
    Objects.requireNonNull(address, "address must not be null");
    Objects.requireNonNull(broadcast, "broadcast must not be null (use Optional.empty())");
    if (index < 0) {
      throw new IllegalArgumentException("index must be >= 0: " + index);
    }
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    int maxPrefix = address.getAddress().length * 8;
    if (prefixLength < 0 || prefixLength > maxPrefix) {
      throw new IllegalArgumentException(
          "prefixLength must be in 0.." + maxPrefix + " for " + address.getHostAddress() + ": " + prefixLength);
    }
    if (address instanceof Inet6Address && broadcast.isPresent()) {
      throw new IllegalArgumentException(
          "broadcast must be empty for IPv6 address " + address.getHostAddress() + ": " + broadcast.get());
    }
  }

  /** Whether the address is IPv4. */
  public boolean isIpv4() {
    return address instanceof Inet4Address;
  }

  /** Whether the address is IPv6. */
  public boolean isIpv6() {
    return address instanceof Inet6Address;
  }

  /**
   * Whether the interface is up and not loopback: the eligibility test for search and beacon fan-out (EPICS
   * {@code osiSockDiscoverBroadcastAddresses} parity).
   */
  public boolean upNonLoopback() {
    return up && !loopback;
  }

  /**
   * Whether this is a default-route entry: a non-loopback address with prefix length 0, which matches every
   * destination and is therefore only a routing fallback.
   */
  public boolean isDefaultRoute() {
    return prefixLength == 0 && !loopback;
  }

  /** The netmask derived from {@link #prefixLength()}, in the address's own family. */
  public InetAddress netmask() {
    byte[] mask = new byte[address.getAddress().length];
    for (int bit = 0; bit < prefixLength; bit++) {
      mask[bit / 8] |= (byte) (0x80 >>> (bit % 8));
    }
    try {
      return InetAddress.getByAddress(mask);
    } catch (UnknownHostException e) {
      throw new AssertionError("4 or 16 bytes are always a valid address", e);
    }
  }

  /**
   * Whether {@code candidate} lies inside this entry's subnet.
   *
   * <p>A prefix length of 0 contains nothing here, on purpose: a {@code /0} entry would otherwise shadow every
   * more specific subnet; it is matched by the default-route fallback instead ({@link #isDefaultRoute()}). An
   * address of the other family is never contained.
   *
   * @throws NullPointerException if {@code candidate} is null
   */
  public boolean subnetContains(InetAddress candidate) {
    Objects.requireNonNull(candidate, "candidate must not be null");
    if (prefixLength == 0) {
      return false;
    }
    byte[] own = address.getAddress();
    byte[] other = candidate.getAddress();
    if (own.length != other.length) {
      return false;
    }
    int fullBytes = prefixLength / 8;
    for (int i = 0; i < fullBytes; i++) {
      if (own[i] != other[i]) {
        return false;
      }
    }
    int restBits = prefixLength % 8;
    if (restBits == 0) {
      return true;
    }
    int mask = (0xFF00 >>> restBits) & 0xFF;
    return (own[fullBytes] & mask) == (other[fullBytes] & mask);
  }

  /** The address in CIDR notation, e.g. {@code 10.1.0.1/24}. */
  public String cidr() {
    return address.getHostAddress() + "/" + prefixLength;
  }

  /** A one-line description, e.g. {@code eth0#2 10.1.0.1/24 brd 10.1.0.255 up multicast}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder().append(name).append('#').append(index).append(' ').append(cidr());
    broadcast.ifPresent(b -> sb.append(" brd ").append(b.getHostAddress()));
    sb.append(up ? " up" : " down");
    if (loopback) {
      sb.append(" loopback");
    }
    if (multicast) {
      sb.append(" multicast");
    }
    return sb.toString();
  }
}
