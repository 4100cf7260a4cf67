package io.meshwire.mesh;

/** Where a peer stands with this node. */
public enum PeerState {
    /** A session is up and the peer was heard from within the suspect timeout. */
    CONNECTED,
    /** Silent for longer than the suspect timeout; still has its session. */
    SUSPECTED,
    /** Silent for longer than the fail timeout; its sessions and streams were evicted. */
    FAILED
}
