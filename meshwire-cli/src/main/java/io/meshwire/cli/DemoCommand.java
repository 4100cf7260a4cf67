package io.meshwire.cli;

import io.meshwire.bench.demo.MeshDemo;
import io.meshwire.bench.demo.MeshDemoConfig;
import io.meshwire.bench.demo.TransportDemo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code meshwire demo}: the main job, the three-node mesh demo; {@code demo transport} is the socket-level one. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Three mesh nodes on 127.0.0.1 discover each other by beacons, handshake (Noise NKpsk0) and "
                + "stream events, reliable and fire-and-forget, under seeded injected loss: live progress, then a "
                + "table per stream and per node.",
                "Exit code 0 only if every reliable event arrived in order; 1 with the reason otherwise."},
        subcommands = DemoCommand.Transport.class)
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--seconds", defaultValue = "5", description = "Streaming time (0.5-60, default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--size", defaultValue = "256", description = "Bytes per event (16-8104, default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--loss", defaultValue = "2", paramLabel = "PERCENT",
            description = "Datagrams each node drops on receipt on purpose (0-50, default ${DEFAULT-VALUE}).")
    double loss;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the loss injection (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "EVENTS_PER_S",
            description = "Events per second per stream; 0 (default) sends as fast as the credit windows allow.")
    long rate;

    @Option(names = "--window", defaultValue = "262144", paramLabel = "BYTES",
            description = "Credit window of every stream, wire bytes (default ${DEFAULT-VALUE}).")
    int window;

    @Override
    public Integer call() throws Exception {
        return Cli.run(spec, () -> new MeshDemoConfig(seconds, size, loss, seed, rate, window),
                (config, out) -> new MeshDemo(config, out).run().ok() ? 0 : 1);
    }

    /** {@code meshwire demo transport}: the socket-level demo (sendto, sendmmsg, GSO into GRO). */
    @Command(name = "transport", mixinStandardHelpOptions = true,
            description = "Loopback transport demo: sendto, sendmmsg and GSO->GRO phases with live progress and a "
                    + "final table. Exit code 0 only if every datagram was received or counted as dropped.")
    static final class Transport implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--seconds", defaultValue = "3", description = "Seconds per phase (0.5-30, default ${DEFAULT-VALUE}).")
        double seconds;

        @Override
        public Integer call() throws Exception {
            List<TransportDemo.PhaseResult> results = new TransportDemo(Cli.printStream(spec), seconds).run();
            return TransportDemo.allAccountedFor(results) ? 0 : 1;
        }
    }
}
