package io.meshwire.bench.mesh;

import java.util.List;

/**
 * An immutable, validated configuration of one {@link MeshBench} run.
 *
 * @param sizes         event sizes in bytes, each run in turn
 * @param seconds       how long each publisher publishes after the warm-up (the measured time)
 * @param systems       names of the systems to run, empty for all; the baseline {@code aeron} always runs
 * @param json          end each size with one JSON line (the last line printed is the last size's)
 * @param host          loopback address both peers use
 * @param warmupSeconds unmeasured publishing before the measured time, the same for every system
 */
public record MeshBenchConfig(List<Integer> sizes, int seconds, List<String> systems, boolean json, String host,
                              int warmupSeconds) {

    /** A configuration without warm-up. */
    public MeshBenchConfig(List<Integer> sizes, int seconds, List<String> systems, boolean json, String host) {
        this(sizes, seconds, systems, json, host, 0);
    }


    /** Validates every field; the messages name the option to fix. */
    public MeshBenchConfig {
        sizes = List.copyOf(sizes);
        systems = List.copyOf(systems);
        if (sizes.isEmpty()) {
            throw new IllegalArgumentException("no event size given (--size 64,1200)");
        }
        for (int size : sizes) {
            if (size < EventSpec.MIN_SIZE || size > EventSpec.MAX_SIZE) {
                throw new IllegalArgumentException("--size " + size + " is outside " + EventSpec.MIN_SIZE + ".."
                        + EventSpec.MAX_SIZE);
            }
        }
        if (seconds < 1 || seconds > 3_600) {
            throw new IllegalArgumentException("--seconds " + seconds + " is outside 1..3600");
        }
        if (warmupSeconds < 0 || warmupSeconds > 600) {
            throw new IllegalArgumentException("--warmup " + warmupSeconds + " is outside 0..600");
        }
        if (!host.equals("::1") && !host.startsWith("127.")) {
            throw new IllegalArgumentException("--host " + host + " is not a loopback address: this benchmark floods "
                    + "its target and runs on loopback only (127.0.0.1 or ::1)");
        }
        for (String name : systems) {
            EventSystems.find(name);
        }
    }
}
