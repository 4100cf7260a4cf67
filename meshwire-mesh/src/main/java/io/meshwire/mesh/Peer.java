package io.meshwire.mesh;

import java.net.InetSocketAddress;
import java.util.ArrayList;

/** A remote node with at least one session. Mutated by the node thread; app threads read the volatile fields. */
final class Peer {
    final long nodeId;
    volatile InetSocketAddress address;
    volatile PeerState state = PeerState.CONNECTED;
    /** The session this node sends on. */
    volatile Session current;
    volatile long lastHeardNanos;
    /** Every live session with this peer, the current one included (node thread). */
    final ArrayList<Session> sessions = new ArrayList<>(2);
    /** Subscribed channels on this node's rosters (node thread), for the per-peer cap. */
    int channelCount;
    long lastHeartbeatNanos;

    Peer(long nodeId, InetSocketAddress address, long now) {
        this.nodeId = nodeId;
        this.address = address;
        this.lastHeardNanos = now;
    }

    PeerInfo info(long now) {
        Session s = current;
        return new PeerInfo(nodeId, address, state, s == null ? 0 : s.id, Math.max(0, now - lastHeardNanos));
    }
}
