package io.meshwire.cli;

import io.meshwire.bench.demo.TransportDemo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code meshwire demo}: the main job. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the loopback transport demo: sendto, sendmmsg and GSO->GRO phases with live progress "
                + "and a final table. Exit code 0 only if every datagram was received or counted as dropped.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--seconds", defaultValue = "3", description = "Seconds per phase (0.5-30, default ${DEFAULT-VALUE}).")
    double seconds;

    @Override
    public Integer call() throws Exception {
        List<TransportDemo.PhaseResult> results = new TransportDemo(System.out, seconds).run();
        return TransportDemo.allAccountedFor(results) ? 0 : 1;
    }
}
