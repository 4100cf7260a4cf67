package io.meshwire.epics;

/**
 * A token bucket per source IPv4 address, in fixed arrays: no allocation per call, bounded memory whatever the
 * number of sources. A source not seen before takes a free slot among its {@link #PROBES} candidates, or evicts the
 * one idle longest (a flood of spoofed sources can evict real ones, which then start again with a full bucket:
 * the limit can only be loosened that way, never tightened for a real client).
 *
 * <p>Not thread-safe: one per receiving thread.
 */
final class SourceRateLimiter {
    static final int PROBES = 8;

    private final int mask;
    private final int[] keys;
    private final boolean[] used;
    private final double[] tokens;
    private final long[] lastNanos;
    private final double perNano;
    private final double burst;

    /**
     * @param capacity     sources tracked (rounded up to a power of two)
     * @param perSecond    tokens added per second
     * @param burst        bucket size: how many may pass at once after a quiet period
     */
    SourceRateLimiter(int capacity, double perSecond, double burst) {
        int size = Integer.highestOneBit(Math.max(PROBES, capacity - 1)) << 1;
        mask = size - 1;
        keys = new int[size];
        used = new boolean[size];
        tokens = new double[size];
        lastNanos = new long[size];
        perNano = perSecond / 1e9;
        this.burst = burst;
    }

    private static int spread(int ip) {
        int h = ip * 0x9E3779B9;
        return h ^ (h >>> 15);
    }

    /** Takes one token for {@code ip} at time {@code nowNanos}; false when its bucket is empty. */
    boolean tryAcquire(int ip, long nowNanos) {
        int start = spread(ip) & mask;
        int slot = -1;
        int oldest = -1;
        for (int k = 0; k < PROBES; k++) {
            int i = (start + k) & mask;
            if (!used[i]) {
                if (slot < 0) {
                    slot = i;
                }
                continue;
            }
            if (keys[i] == ip) {
                double t = Math.min(burst, tokens[i] + (nowNanos - lastNanos[i]) * perNano);
                lastNanos[i] = nowNanos;
                if (t < 1) {
                    tokens[i] = t;
                    return false;
                }
                tokens[i] = t - 1;
                return true;
            }
            if (oldest < 0 || lastNanos[i] - lastNanos[oldest] < 0) {
                oldest = i;
            }
        }
        int i = slot >= 0 ? slot : oldest;
        used[i] = true;
        keys[i] = ip;
        lastNanos[i] = nowNanos;
        tokens[i] = burst - 1;
        return true;
    }
}
