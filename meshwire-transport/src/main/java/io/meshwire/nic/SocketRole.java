package io.meshwire.nic;

/** What a socket of a {@link NicSocketSet} is for. */
public enum SocketRole {
  /**
   * Bound to one NIC address; sends (routed, {@code sendVia}, fan-out) and receives unicast to that address.
   */
  UNICAST,
  /**
   * Receive-only, bound to one NIC's IPv4 subnet broadcast address: on Linux a socket bound to the unicast
   * address hears no subnet broadcast (measured; epics-rs calls it a BSD oddity, it holds on Linux too). Never
   * used to send.
   */
  BROADCAST_RX,
  /**
   * Receive-only, bound to the wildcard address on the set's port: the only socket that hears limited broadcast
   * ({@code 255.255.255.255}) and the one that joins multicast groups. Never used to send.
   */
  WILDCARD_RX;

  /** Whether sockets of this role may send. */
  public boolean sends() {
    return this == UNICAST;
  }
}
