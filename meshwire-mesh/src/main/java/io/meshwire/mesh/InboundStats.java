package io.meshwire.mesh;

/**
 * A snapshot of one inbound stream.
 *
 * @param peerNodeId the sending peer
 * @param streamId the stream
 * @param reliable whether its packets carry the RELIABLE flag
 * @param packets packets accepted (duplicates not counted)
 * @param events events delivered or queued for delivery
 * @param gaps fire-and-forget packets missing (sequence gaps)
 * @param duplicates packets dropped as already received or late
 * @param nextExpected the lowest sequence not yet received in order
 * @param bufferedBytes bytes waiting to be polled
 * @param consumedWireBytes wire bytes consumed, as granted to the sender
 * @param resets resets received
 */
public record InboundStats(
        long peerNodeId,
        long streamId,
        boolean reliable,
        long packets,
        long events,
        long gaps,
        long duplicates,
        long nextExpected,
        long bufferedBytes,
        long consumedWireBytes,
        long resets) {
}
