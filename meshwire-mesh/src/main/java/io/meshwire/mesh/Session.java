package io.meshwire.mesh;

import io.meshwire.crypto.PacketProtector;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One Noise session with a peer: its keys and the streams in it. net-mesh keeps stream state per session, so a new
 * handshake starts every stream afresh (sequence 0); this node does the same.
 */
final class Session {
    final Peer peer;
    final long id;
    /** Opens every packet of this session and seals control packets and heartbeats (node thread only). */
    final PacketProtector protector;
    final ConcurrentHashMap<Long, MeshStream> txStreams = new ConcurrentHashMap<>();
    /** Inbound streams (node thread only). */
    final LongMap<RxStream> rxStreams = new LongMap<>(8);
    final long establishedNanos;
    long lastReceivedNanos;
    /** Sequence of packets on the control stream (grants, NACKs, resets). */
    long controlSeq;
    /** Sequence of packets on the membership stream. */
    long membershipSeq;
    /** Sends go on this session; a responder's new session waits for the initiator's first packet on it. */
    boolean confirmed;
    volatile boolean ended;

    Session(Peer peer, long id, PacketProtector protector, long now, boolean confirmed) {
        this.peer = peer;
        this.id = id;
        this.protector = protector;
        this.establishedNanos = now;
        this.lastReceivedNanos = now;
        this.confirmed = confirmed;
    }

    /** Ends every outbound stream; their senders see {@link SendResult#CLOSED}. */
    void end() {
        ended = true;
        for (MeshStream s : txStreams.values()) {
            s.end();
        }
        txStreams.clear();
    }

    @Override
    public String toString() {
        return "Session(" + Long.toUnsignedString(id, 16) + " with " + Long.toUnsignedString(peer.nodeId, 16) + ")";
    }
}
