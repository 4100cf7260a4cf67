package io.meshwire.testing;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

/**
 * Bytes allocated by the current thread per run of an action: the best of bounded rounds, after a warm-up. On a busy
 * machine C2 may not have compiled the loop (and scalar-replaced its temporaries) after the warm-up, so while no round
 * came out clean, further rounds run until one does or {@link #EXTRA_ROUNDS_NANOS} have passed: code that really
 * allocates still fails, late compilation alone no longer does. Shared by every module's allocation tests through the
 * meshwire-transport test-jar.
 */
public final class AllocationMeter {
    /** How long rounds go on after the planned ones while none came out clean. */
    public static final long EXTRA_ROUNDS_NANOS = TimeUnit.SECONDS.toNanos(15);

    private AllocationMeter() {
    }

    /**
     * Runs {@code action} {@code iterations} times to warm up, then in rounds of {@code iterations}.
     *
     * @return the fewest bytes allocated per run in any round (0 = less than one byte per run)
     */
    public static long bestOfRounds(int rounds, int iterations, Runnable action) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < iterations; i++) {
            action.run(); // warm up: JIT, lazily created caches
        }
        long best = Long.MAX_VALUE;
        long extraUntil = 0;
        for (int r = 0; ; r++) {
            if (r >= rounds) {
                if (best == 0) {
                    break;
                }
                if (r == rounds) {
                    extraUntil = System.nanoTime() + EXTRA_ROUNDS_NANOS;
                } else if (System.nanoTime() - extraUntil >= 0) {
                    break;
                }
            }
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < iterations; i++) {
                action.run();
            }
            long used = mx.getCurrentThreadAllocatedBytes() - before;
            best = Math.min(best, used / iterations);
        }
        return best;
    }
}
