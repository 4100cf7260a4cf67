package io.meshwire.bench.transport;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time the hypervisor gave to someone else ("steal", the eighth number of the {@code cpu} line of
 * {@code /proc/stat}), as a fraction of all vCPU time between two samples.
 *
 * <p>Why the harness measures it: on the two-vCPU VMs these benchmarks run on, the host took between 0 % and 40 % of
 * the guest's CPU time, changing from one second to the next (sampled once a second during capacity runs). Systems
 * measured one after another then get different amounts of machine, and a ratio of their rates mixes that in. A
 * flooded receiver and its senders are CPU-bound, so a rate divided by the share of CPU left,
 * {@code rate / (1 - steal)}, compares them on the same machine.
 */
final class HostSteal {
    private static final Path PROC_STAT = Path.of("/proc/stat");

    /** Cumulative ticks: stolen, and all (user through steal). */
    record Sample(long steal, long total) {
    }

    private HostSteal() {
    }

    /** The current totals; {@code null} when {@code /proc/stat} cannot be read (not Linux). */
    static Sample sample() {
        try (BufferedReader in = Files.newBufferedReader(PROC_STAT, StandardCharsets.US_ASCII)) {
            return parse(in.readLine());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Parses the aggregate line {@code cpu  user nice system idle iowait irq softirq steal guest guest_nice};
     * {@code null} unless it has at least those eight numbers. Guest time is already counted in user and nice, so
     * the total stops at steal.
     */
    static Sample parse(String line) {
        if (line == null || !line.startsWith("cpu ")) {
            return null;
        }
        String[] fields = line.substring(4).strip().split("\\s+");
        if (fields.length < 8) {
            return null;
        }
        long total = 0;
        for (int i = 0; i < 8; i++) {
            total += Long.parseLong(fields[i]);
        }
        return new Sample(Long.parseLong(fields[7]), total);
    }

    /** The fraction of CPU time stolen between two samples; NaN when either is missing or no time passed. */
    static double fraction(Sample from, Sample to) {
        if (from == null || to == null || to.total() <= from.total()) {
            return Double.NaN;
        }
        return (double) (to.steal() - from.steal()) / (to.total() - from.total());
    }
}
