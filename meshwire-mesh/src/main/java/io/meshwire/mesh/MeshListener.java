package io.meshwire.mesh;

/**
 * Peer, stream and discovery notifications, called on the node's thread; keep them short and never block. Every
 * method has an empty default.
 */
public interface MeshListener {
    /**
     * A session with the peer is up (after {@code connect}, or after accepting its handshake).
     *
     * @param peer the peer
     */
    default void onPeerConnected(PeerInfo peer) {
    }

    /**
     * The peer was silent for longer than the suspect timeout.
     *
     * @param peer the peer
     */
    default void onPeerSuspected(PeerInfo peer) {
    }

    /**
     * A suspected peer was heard from again.
     *
     * @param peer the peer
     */
    default void onPeerRecovered(PeerInfo peer) {
    }

    /**
     * The peer was silent for longer than the fail timeout; its sessions and streams were evicted.
     *
     * @param peer the peer
     */
    default void onPeerFailed(PeerInfo peer) {
    }

    /**
     * A reliable stream was reset (0x0B02): by this node after its retries ran out, or by the peer.
     *
     * @param peerNodeId the peer
     * @param streamId the stream
     * @param byPeer whether the peer sent the reset
     */
    default void onStreamReset(long peerNodeId, long streamId, boolean byPeer) {
    }

    /**
     * A node announced itself for the first time, or from a new address.
     *
     * @param node what its beacon said
     */
    default void onNodeDiscovered(DiscoveredNode node) {
    }
}
