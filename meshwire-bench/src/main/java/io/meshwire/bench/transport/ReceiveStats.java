package io.meshwire.bench.transport;

/**
 * Counters of one receiver: datagrams and arrival times (see {@link ReceiverCounters}), bytes, and the receive calls
 * by batch size. Written by the single thread that receives; allocation-free.
 */
public final class ReceiveStats extends ReceiverCounters {

    /** Batch histogram buckets: [1] [2-3] [4-7] [8-15] [16-31] [32-63] [64+]. */
    public static final int BUCKETS = 7;

    private long firstCpuNanos = -1;
    private long bytes;
    private long calls;
    private final long[] histogram = new long[BUCKETS];

    /** One receive call that returned {@code count} datagrams of {@code byteCount} bytes in all. */
    public void onBatch(int count, long byteCount) {
        onReceive(count, byteCount);
        onCall(count);
    }

    /** {@code count} datagrams received, when the receive calls are not observable one by one. */
    public void onReceive(int count, long byteCount) {
        if (firstCpuNanos < 0) {
            firstCpuNanos = ProcessCpu.nanos();
        }
        arrived(count);
        bytes += byteCount;
    }

    /** One receive call that returned {@code count} datagrams (or buffers), already counted by onReceive. */
    public void onCall(int count) {
        calls++;
        histogram[bucket(count)]++;
    }

    /**
     * Receive calls observed by the system itself: {@code perBucket[i]} calls in power-of-two bucket {@code i}
     * (same bucketing as {@link #onCall}), {@code total} calls in all.
     */
    public void addCalls(long[] perBucket, long total) {
        calls += total;
        for (int i = 0; i < perBucket.length; i++) {
            histogram[Math.min(i, BUCKETS - 1)] += perBucket[i];
        }
    }

    /** The histogram bucket of a batch of {@code count}: floor(log2(count)), capped at the last bucket. */
    static int bucket(int count) {
        return Math.min(BUCKETS - 1, 31 - Integer.numberOfLeadingZeros(Math.max(1, count)));
    }

    @Override
    public String resultLine() {
        long received = count();
        StringBuilder line = new StringBuilder("RESULT received=").append(received)
                .append(" bytes=").append(bytes)
                .append(" elapsed_ns=").append(received == 0 ? 0 : lastNanos() - firstNanos())
                .append(" cpu_ns=").append(received == 0 ? 0 : ProcessCpu.nanos() - firstCpuNanos);
        if (calls > 0) {
            line.append(" syscalls=").append(calls).append(" hist=");
            for (int i = 0; i < BUCKETS; i++) {
                line.append(i == 0 ? "" : ",").append(histogram[i]);
            }
        }
        return line.toString();
    }
}
