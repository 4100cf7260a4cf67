package io.meshwire.mesh;

import java.net.InetSocketAddress;

/**
 * A snapshot of one peer.
 *
 * @param nodeId the peer's node id
 * @param address where its packets come from and go to
 * @param state its state
 * @param sessionId the session this node sends on (0 when none)
 * @param silenceNanos time since the last authenticated packet from it
 */
public record PeerInfo(long nodeId, InetSocketAddress address, PeerState state, long sessionId, long silenceNanos) {
    @Override
    public String toString() {
        return "PeerInfo(node=" + Long.toUnsignedString(nodeId, 16) + ", " + address + ", " + state + ", session="
                + Long.toUnsignedString(sessionId, 16) + ", silent " + silenceNanos / 1_000_000 + " ms)";
    }
}
