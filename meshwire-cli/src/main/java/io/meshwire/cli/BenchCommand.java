package io.meshwire.cli;

import picocli.CommandLine.Command;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code meshwire bench}: side-by-side harnesses and JMH micro-benchmarks. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks, always run side by side with peers in the same run.",
        subcommands = {BenchCommand.Jmh.class})
final class BenchCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
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
