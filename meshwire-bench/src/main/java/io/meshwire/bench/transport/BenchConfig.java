package io.meshwire.bench.transport;

import java.util.List;

/**
 * An immutable, validated configuration of one {@link TransportBench} run; build it with {@link #builder()}.
 *
 * @param sizes           datagram payload sizes, each run in turn
 * @param seconds         how long each sender sends
 * @param systems         names of the systems to run, empty for all; the baseline {@code c-mmsg} always runs
 * @param capacitySenders 0 for sender/receiver pairs; otherwise receiver-capacity mode with this many C senders
 * @param json            end each size with one JSON line (the last line printed is the last size's)
 * @param host            loopback address every peer binds or targets
 * @param graceMillis     extra time a receiver waits for late datagrams
 * @param warmupSeconds   the first seconds of each receiver's run left out of its steady rate (the JIT compiles
 *                        meanwhile); a run not longer than this has no steady rate
 * @param rounds          how often every system runs at each size, in alternating order, for medians of the
 *                        per-round ratios (the machine's drift between one system's window and the next is as
 *                        large as the differences measured)
 * @param pin             pairs only: run each receiver on the last CPU this process may use and its sender on the
 *                        others (with {@code taskset}), so that the scheduler cannot put both on one CPU in some
 *                        runs and not in others
 */
public record BenchConfig(List<Integer> sizes, int seconds, List<String> systems, int capacitySenders, boolean json,
        String host, int graceMillis, int warmupSeconds, int rounds, boolean pin) {

    /** The most C senders capacity mode starts by default. */
    public static final int MAX_DEFAULT_SENDERS = 3;

    /** Validates every field. */
    public BenchConfig {
        sizes = List.copyOf(sizes);
        systems = List.copyOf(systems);
        if (sizes.isEmpty()) {
            throw new IllegalArgumentException("no datagram size given (--size 64,1200)");
        }
        for (int size : sizes) {
            if (size < 1 || size > PeerSpec.MAX_SIZE) {
                throw new IllegalArgumentException("--size " + size + " is outside 1.." + PeerSpec.MAX_SIZE);
            }
        }
        if (seconds < 1 || seconds > 3_600) {
            throw new IllegalArgumentException("--seconds " + seconds + " is outside 1..3600");
        }
        if (capacitySenders < 0 || capacitySenders > 64) {
            throw new IllegalArgumentException("--capacity " + capacitySenders + " senders is outside 0..64");
        }
        if (!host.equals("127.0.0.1") && !host.equals("::1") && !host.startsWith("127.")) {
            throw new IllegalArgumentException("--host " + host + " is not a loopback address: this benchmark floods "
                    + "its target and runs on loopback only (127.0.0.1 or ::1)");
        }
        if (warmupSeconds < 0 || warmupSeconds > 3_600) {
            throw new IllegalArgumentException("--warmup " + warmupSeconds + " is outside 0..3600");
        }
        if (rounds < 1 || rounds > 100) {
            throw new IllegalArgumentException("--rounds " + rounds + " is outside 1..100");
        }
        if (graceMillis < 0 || graceMillis > 60_000) {
            throw new IllegalArgumentException("--grace-ms " + graceMillis + " is outside 0..60000");
        }
        for (String name : systems) {
            TransportSystems.find(name);
        }
        if (pin && capacitySenders > 0) {
            throw new IllegalArgumentException("--pin measures sender/receiver pairs; drop it with --capacity, whose "
                    + "point is a receiver sharing every CPU with its senders");
        }
    }

    /** Whether this is a receiver-capacity run. */
    public boolean capacityMode() {
        return capacitySenders > 0;
    }

    /** {@link #mode()} of a receiver-capacity run. */
    static final String CAPACITY_MODE = "capacity";

    /** The JSON's {@code mode}: {@code "capacity"}, {@code "pinned-pair"} or {@code "pair"}. */
    public String mode() {
        return capacityMode() ? CAPACITY_MODE : pin ? "pinned-pair" : "pair";
    }

    /** A builder with the defaults: 64 B and 1200 B, 5 s, all systems, pairs, text output, 127.0.0.1. */
    public static Builder builder() {
        return new Builder();
    }

    /** Senders capacity mode uses by default: one per core, at most {@value #MAX_DEFAULT_SENDERS}. */
    public static int defaultCapacitySenders() {
        return Math.min(MAX_DEFAULT_SENDERS, Runtime.getRuntime().availableProcessors());
    }

    /** Fluent builder of {@link BenchConfig}. */
    public static final class Builder {
        private List<Integer> sizes = List.of(64, 1200);
        private int seconds = 5;
        private List<String> systems = List.of();
        private int capacitySenders;
        private boolean json;
        private String host = "127.0.0.1";
        private int graceMillis = 1_000;
        private int warmupSeconds = 1;
        private int rounds = 1;
        private boolean pin;

        private Builder() {
        }

        /** Datagram payload sizes. */
        public Builder sizes(List<Integer> value) {
            sizes = value;
            return this;
        }

        /** Seconds each sender sends. */
        public Builder seconds(int value) {
            seconds = value;
            return this;
        }

        /** System names to run; empty for all. */
        public Builder systems(List<String> value) {
            systems = value;
            return this;
        }

        /** Receiver-capacity mode with {@code senders} C senders; 0 for pairs. */
        public Builder capacitySenders(int senders) {
            capacitySenders = senders;
            return this;
        }

        /** End each size with a JSON line. */
        public Builder json(boolean value) {
            json = value;
            return this;
        }

        /** Loopback address. */
        public Builder host(String value) {
            host = value;
            return this;
        }

        /** Seconds at the start of each run left out of the steady rate (default 1). */
        public Builder warmupSeconds(int value) {
            warmupSeconds = value;
            return this;
        }

        /** Rounds per size (default 1). */
        public Builder rounds(int value) {
            rounds = value;
            return this;
        }

        /** Pin each receiver to one CPU and its sender to the others (pairs only; default off). */
        public Builder pin(boolean value) {
            pin = value;
            return this;
        }

        /** Receiver grace period in milliseconds. */
        public Builder graceMillis(int value) {
            graceMillis = value;
            return this;
        }

        /** Validates and builds. */
        public BenchConfig build() {
            return new BenchConfig(sizes, seconds, systems, capacitySenders, json, host, graceMillis,
                    warmupSeconds, rounds, pin);
        }
    }
}
