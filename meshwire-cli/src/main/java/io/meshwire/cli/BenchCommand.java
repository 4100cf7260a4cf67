package io.meshwire.cli;

import picocli.CommandLine.Command;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code meshwire bench}: side-by-side harnesses and JMH micro-benchmarks. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks, always run side by side with peers in the same run.",
        subcommands = {BenchCommand.Transport.class, BenchCommand.Mesh.class, BenchCommand.Jmh.class})
final class BenchCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code meshwire bench transport}: the side-by-side end-to-end loopback harness. */
    @Command(name = "transport", description = {
            "End-to-end loopback benchmark: sender and receiver in separate processes for each system "
                    + "(c-mmsg, c-gso-gro, jdk-nio, netty-epoll, meshwire-native, meshwire-nio, meshwire-gso), "
                    + "with live progress, then a table with ratios to the C baseline.",
            "Options: --size N[,M] (default 64,1200)  --seconds S  --warmup W (first seconds left out of the "
                    + "steady rate, default 1)  --systems a,b  --capacity[=K] (receiver flooded "
                    + "by K C senders)  --rounds R (every system R times, alternating order; medians of the per-round "
                    + "ratios)  --pin (pairs: receiver on one CPU, sender on the others)  --json (last line: one JSON "
                    + "object)  --grace-ms MS"})
    static final class Transport implements Callable<Integer> {
        @picocli.CommandLine.Unmatched
        List<String> args = new java.util.ArrayList<>();

        @Override
        public Integer call() {
            io.meshwire.bench.transport.BenchConfig config;
            try {
                config = io.meshwire.bench.transport.TransportBench.parse(args.toArray(String[]::new));
            } catch (IllegalArgumentException e) {
                System.err.println("meshwire bench transport: " + e.getMessage());
                return 2;
            }
            List<io.meshwire.bench.transport.BenchResult> results = io.meshwire.bench.transport.TransportBench.run(
                    config, io.meshwire.bench.transport.TransportSystems.all(), System.out, System.err);
            System.out.flush();
            return results.stream().allMatch(io.meshwire.bench.transport.BenchResult::ok) ? 0 : 1;
        }
    }

    /** {@code meshwire bench mesh}: the side-by-side event benchmark against Aeron. */
    @Command(name = "mesh", mixinStandardHelpOptions = true, description = {
            "Event streaming, publisher and subscriber in separate processes for each system (aeron with an "
                    + "embedded media driver first, then meshwire with encryption on), with live progress, then a "
                    + "table: events/s, MB/s, loss, p50/p99/p99.9 latency and ratios to Aeron."})
    static final class Mesh implements Callable<Integer> {
        @picocli.CommandLine.Option(names = "--size", split = ",", paramLabel = "BYTES",
                description = "Event sizes, comma-separated (default: ${DEFAULT-VALUE}).", defaultValue = "64,1200")
        List<Integer> sizes;

        @picocli.CommandLine.Option(names = "--seconds", description = "Publishing time per system "
                + "(default: ${DEFAULT-VALUE}).", defaultValue = "5")
        int seconds;

        @picocli.CommandLine.Option(names = "--systems", split = ",", description = "Systems to run besides the "
                + "aeron baseline (default: all).")
        List<String> systems = List.of();

        @picocli.CommandLine.Option(names = "--warmup", description = "Unmeasured publishing before the measured "
                + "seconds, the same for every system, so the JIT has compiled each hot path (default: "
                + "${DEFAULT-VALUE}; 0 measures from the first event).", defaultValue = "5")
        int warmup;

        @picocli.CommandLine.Option(names = "--json", description = "End each size with one JSON line: "
                + "{\"size\":N,\"results\":[{\"system\":..,\"events_per_s\":..},..]}.")
        boolean json;

        @picocli.CommandLine.Option(names = "--host", description = "Loopback address (default: ${DEFAULT-VALUE}).",
                defaultValue = "127.0.0.1")
        String host;

        @Override
        public Integer call() {
            io.meshwire.bench.mesh.MeshBenchConfig config;
            try {
                config = new io.meshwire.bench.mesh.MeshBenchConfig(sizes, seconds, systems, json, host, warmup);
            } catch (IllegalArgumentException e) {
                System.err.println("meshwire bench mesh: " + e.getMessage());
                return 2;
            }
            List<io.meshwire.bench.mesh.EventResult> results = io.meshwire.bench.mesh.MeshBench.run(config,
                    io.meshwire.bench.mesh.EventSystems.all(), System.out, System.err);
            System.out.flush();
            return results.stream().allMatch(io.meshwire.bench.mesh.EventResult::ok) ? 0 : 1;
        }
    }

    /** {@code meshwire bench jmh [JMH args]}: the JMH runner over meshwire-bench's benchmarks. */
    @Command(name = "jmh", description = "Run JMH micro-benchmarks; arguments go to JMH unchanged "
            + "(e.g. 'EndpointBenchmark -prof gc', '-l' to list).")
    static final class Jmh implements Callable<Integer> {
        @picocli.CommandLine.Unmatched
        List<String> args = new java.util.ArrayList<>();

        @Override
        public Integer call() throws Exception {
            org.openjdk.jmh.Main.main(args.toArray(String[]::new));
            return 0;
        }
    }
}
