package io.meshwire.epics;

/**
 * Which kind of socket a datagram arrived on. A per-NIC socket set has all three; a single endpoint has one. Linux
 * delivers a subnet broadcast only to sockets bound to the broadcast address or the wildcard, and 255.255.255.255
 * only to the wildcard (shared/reference/epics-udp.md §4), so responders listen on all three kinds.
 */
public enum SocketRole {
    /** Bound to the NIC's own unicast address: unicast searches and replies. */
    UNICAST,
    /** Bound to the NIC's subnet broadcast address: receive-only, subnet broadcasts. */
    BROADCAST_RX,
    /** Bound to 0.0.0.0: everything, including limited broadcasts (255.255.255.255). */
    WILDCARD_RX
}
