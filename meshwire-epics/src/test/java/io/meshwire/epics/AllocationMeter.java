package io.meshwire.epics;

import java.lang.management.ManagementFactory;

/**
 * Bytes allocated by the current thread per run of an action: the best of bounded rounds, after a warm-up. It stops
 * at the first round that allocated nothing: on a loaded machine C2 may compile the path only after several rounds,
 * and the interpreted path allocates what escape analysis later removes.
 */
final class AllocationMeter {
    private AllocationMeter() {
    }

    static long bestOfRounds(int rounds, int iterations, Runnable action) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < iterations; i++) {
            action.run(); // warm up: JIT, lazily created caches
        }
        long best = Long.MAX_VALUE;
        for (int r = 0; r < rounds; r++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < iterations; i++) {
                action.run();
            }
            long used = mx.getCurrentThreadAllocatedBytes() - before;
            best = Math.min(best, used / iterations);
            if (best == 0) {
                break;
            }
        }
        return best;
    }
}
