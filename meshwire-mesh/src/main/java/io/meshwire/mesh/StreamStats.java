package io.meshwire.mesh;

/**
 * A snapshot of one outbound stream.
 *
 * @param peerNodeId the peer
 * @param streamId the stream
 * @param reliability its mode
 * @param open whether it still accepts sends
 * @param eventsSent events accepted
 * @param packetsSent packets sent the first time
 * @param wireBytesSent their wire bytes (what the credit window charges)
 * @param retransmits packets sent again
 * @param backpressured sends refused for lack of credit or retransmit room
 * @param creditInUse wire bytes charged and not yet released by the receiver
 * @param windowBytes the credit window (0: none)
 * @param unacked reliable packets not yet acknowledged
 * @param srttMicros smoothed round-trip time (RFC 6298), 0 before the first sample
 * @param rtoMicros current retransmission timeout
 * @param probes fire-and-forget: empty probe packets sent because credit stayed held (lost packets at the tail)
 */
public record StreamStats(
        long peerNodeId,
        long streamId,
        Reliability reliability,
        boolean open,
        long eventsSent,
        long packetsSent,
        long wireBytesSent,
        long retransmits,
        long backpressured,
        long creditInUse,
        int windowBytes,
        int unacked,
        long srttMicros,
        long rtoMicros,
        long probes) {
}
