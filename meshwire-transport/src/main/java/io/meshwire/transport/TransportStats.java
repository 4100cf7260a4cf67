package io.meshwire.transport;

import java.util.Arrays;

/**
 * A snapshot of an endpoint's counters. Counters marked "instrumented" stay 0 unless
 * {@link EndpointConfig#instrumentation()} is on; drop and error counters are always kept, because no data may be
 * lost without a count.
 *
 * @param receivedPackets       datagrams read from the socket (instrumented)
 * @param receivedBytes         their payload bytes (instrumented)
 * @param receiveSyscalls       receive calls that returned data (instrumented)
 * @param receiveBatchHistogram receive calls by messages returned: bucket {@code i} counts
 *                              {@code [2^i, 2^(i+1))}, the last bucket everything up to the batch cap (instrumented)
 * @param maxReceiveBatch       most messages one receive call returned (instrumented)
 * @param queueFullEvents       times the receive thread found the batch queue full and parked (dedicated-thread
 *                              mode)
 * @param bufferPoolWaits       times the receiver found every batch buffer still held by the consumer and waited
 * @param kernelDrops           receive buffers the kernel dropped for lack of room, read from the socket
 *                              ({@code SO_MEMINFO}) when the snapshot is taken; native backend with
 *                              instrumentation on. One per datagram, except with GRO, where a dropped buffer held
 *                              up to 64 coalesced datagrams
 * @param truncatedDrops        datagrams larger than {@code maxDatagramSize}, dropped rather than handed out cut
 * @param receiveErrors         receive calls that failed (transient errors, ICMP errors on connected sockets)
 * @param sentPackets           datagrams sent
 * @param sentBytes             their payload bytes
 * @param sendSyscalls          send calls made
 * @param sendErrors            send calls that failed
 * @param gsoSends              messages sent as one GSO super-datagram
 */
public record TransportStats(
        long receivedPackets,
        long receivedBytes,
        long receiveSyscalls,
        long[] receiveBatchHistogram,
        long maxReceiveBatch,
        long queueFullEvents,
        long bufferPoolWaits,
        long kernelDrops,
        long truncatedDrops,
        long receiveErrors,
        long sentPackets,
        long sentBytes,
        long sendSyscalls,
        long sendErrors,
        long gsoSends) {

    /** Copies the histogram so the snapshot stays immutable. */
    public TransportStats {
        receiveBatchHistogram = receiveBatchHistogram.clone();
    }

    /** A copy of the histogram. */
    @Override
    public long[] receiveBatchHistogram() {
        return receiveBatchHistogram.clone();
    }

    /** Received packets per receive syscall, or 0 before the first. */
    public double packetsPerReceiveSyscall() {
        return receiveSyscalls == 0 ? 0 : (double) receivedPackets / receiveSyscalls;
    }

    /** Sent packets per send syscall, or 0 before the first. */
    public double packetsPerSendSyscall() {
        return sendSyscalls == 0 ? 0 : (double) sentPackets / sendSyscalls;
    }

    /** Bucket labels matching {@link #receiveBatchHistogram()}: "1", "2-3", "4-7", ..., "64". */
    public String[] histogramLabels(int batchCap) {
        String[] labels = new String[receiveBatchHistogram.length];
        for (int i = 0; i < labels.length; i++) {
            long lo = 1L << i;
            long hi = i == labels.length - 1 ? batchCap : (1L << (i + 1)) - 1;
            labels[i] = lo == hi ? Long.toString(lo) : lo + "-" + hi;
        }
        return labels;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TransportStats t && t.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return "TransportStats[received=" + receivedPackets + ", bytes=" + receivedBytes + ", syscalls="
                + receiveSyscalls + ", histogram=" + Arrays.toString(receiveBatchHistogram) + ", maxBatch="
                + maxReceiveBatch + ", queueFull=" + queueFullEvents + ", bufferWaits=" + bufferPoolWaits
                + ", kernelDrops=" + kernelDrops + ", truncated=" + truncatedDrops + ", receiveErrors="
                + receiveErrors + ", sent=" + sentPackets + ", sentBytes=" + sentBytes + ", sendSyscalls="
                + sendSyscalls + ", sendErrors=" + sendErrors + ", gsoSends=" + gsoSends + "]";
    }
}
