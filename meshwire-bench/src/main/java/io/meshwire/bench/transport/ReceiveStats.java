package io.meshwire.bench.transport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Counters of one receiver, written by the single thread that receives and sampled once a second by
 * {@link PeerMain}. Allocation-free; the sampled fields are published with opaque and release stores (no fences on the hot
 * path on x86, never hoisted out of the loop).
 */
public final class ReceiveStats {

    /** Batch histogram buckets: [1] [2-3] [4-7] [8-15] [16-31] [32-63] [64+]. */
    public static final int BUCKETS = 7;

    private static final VarHandle DATAGRAMS;
    private static final VarHandle FIRST_NANOS;
    private static final VarHandle LAST_NANOS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            DATAGRAMS = lookup.findVarHandle(ReceiveStats.class, "datagrams", long.class);
            FIRST_NANOS = lookup.findVarHandle(ReceiveStats.class, "firstNanos", long.class);
            LAST_NANOS = lookup.findVarHandle(ReceiveStats.class, "lastNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through DATAGRAMS
    private long datagrams;
    @SuppressWarnings("unused") // through FIRST_NANOS
    private long firstNanos;
    @SuppressWarnings("unused") // through LAST_NANOS
    private long lastNanos;
    private boolean started;
    private long firstCpuNanos;
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
        long now = System.nanoTime();
        if (!started) {
            started = true;
            firstCpuNanos = ProcessCpu.nanos();
            FIRST_NANOS.setOpaque(this, now);
        }
        LAST_NANOS.setOpaque(this, now);
        // Release: a reader that sees the new count (acquire) also sees the timestamps stored before it.
        DATAGRAMS.setRelease(this, (long) DATAGRAMS.getOpaque(this) + count);
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

    long datagrams() {
        return (long) DATAGRAMS.getAcquire(this);
    }

    long firstNanos() {
        return (long) FIRST_NANOS.getOpaque(this);
    }

    long lastNanos() {
        return (long) LAST_NANOS.getOpaque(this);
    }

    /** The RESULT line; read only after the receiving thread has finished. */
    String resultLine() {
        long received = datagrams();
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
