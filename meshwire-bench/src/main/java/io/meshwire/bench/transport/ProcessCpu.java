package io.meshwire.bench.transport;

import java.lang.management.ManagementFactory;

/**
 * CPU time of this whole process (every thread, JIT and GC included), the Java side of the C peer's
 * {@code getrusage}; read twice per run, never on the hot path.
 */
final class ProcessCpu {

    private ProcessCpu() {
    }

    /** User + system CPU time of the process in ns, or 0 when the platform does not say. */
    static long nanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, os.getProcessCpuTime());
        }
        return 0;
    }
}
