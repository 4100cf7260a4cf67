package io.meshwire.cli;

import io.meshwire.bench.demo.KeyText;
import io.meshwire.bench.demo.MeshTools;
import io.meshwire.bench.demo.PeerRef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code meshwire node}, {@code sub}, {@code pub} and {@code keygen}: the mesh across terminals or namespaces. */
final class NodeCommands {

    private NodeCommands() {
    }

    /** {@code meshwire node}. */
    @Command(name = "node", mixinStandardHelpOptions = true, description = {
            "Run a mesh node: print its node id, static public key and connect string, connect to --connect peers, "
                    + "accept theirs (by --accept or their beacons), beacon on every NIC (--discover) and to "
                    + "--beacon-target, and print what it receives each second.",
            "Example: meshwire keygen > mesh.psk; meshwire node --psk-file mesh.psk --bind 0.0.0.0:7000",
            "On every NIC, no addresses: meshwire node --psk-file mesh.psk --discover"})
    static final class Node implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        MeshOptions mesh;

        @Option(names = "--seconds", defaultValue = "0", description = "Stop after S seconds (default 0: run until "
                + "stopped with Ctrl-C).")
        double seconds;

        @Override
        public Integer call() throws Exception {
            return Cli.run(spec, () -> nodeSpec(mesh, seconds), MeshTools::node);
        }
    }

    /** {@code meshwire sub}. */
    @Command(name = "sub", mixinStandardHelpOptions = true, description = {
            "Receive events: subscribe to --channel at every publisher this node has a session with (or only at "
                    + "--publisher), or take plain stream events without --channel; print events/s and latency each "
                    + "second, then a summary. Exit 0 when --count events arrived (and reliable order held).",
            "Example: meshwire sub --psk-file mesh.psk --bind 127.0.0.1:7001 --channel sensors --count 100000",
            "On every NIC, no addresses: meshwire sub --psk-file mesh.psk --discover --count 100000 (its node id is "
                    + "what 'pub --discover --connect NODEID' needs)"})
    static final class Sub implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        MeshOptions mesh;

        @Option(names = "--channel", description = "Channel to subscribe to (e.g. sensors/lidar).")
        String channel;

        @Option(names = "--publisher", paramLabel = "NODEID", description = "Subscribe only at this node.")
        String publisher;

        @Option(names = "--count", defaultValue = "0", description = "Stop after N events (default 0: no limit).")
        long count;

        @Option(names = "--seconds", defaultValue = "0", description = "Stop after S seconds (default 0: no limit).")
        double seconds;

        @Override
        public Integer call() throws Exception {
            return Cli.run(spec, () -> {
                Long from = publisher == null ? null : PeerRef.parseNodeId("--publisher", publisher, "");
                return new MeshTools.SubSpec(nodeSpec(mesh, seconds), channel, from, count);
            }, MeshTools::sub);
        }
    }

    /** {@code meshwire pub}. */
    @Command(name = "pub", mixinStandardHelpOptions = true, description = {
            "Publish events: on a stream to the first --connect peer, or with --channel to every subscriber of "
                    + "that channel (waiting for --subscribers first); at --rate events/s or as fast as credit "
                    + "allows, for --count events or --seconds. Each event carries its send time and a sequence "
                    + "number, so 'meshwire sub' reports latency, order and loss.",
            "Example: meshwire pub --psk-file mesh.psk --connect 1a2b..@127.0.0.1:7001/ab12.. --channel sensors "
                    + "--count 100000",
            "On every NIC, by node id alone (the sub runs with --discover too): meshwire pub --psk-file mesh.psk "
                    + "--discover --connect 1a2b.. --count 100000"})
    static final class Pub implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        MeshOptions mesh;

        @Option(names = "--channel", description = "Publish to this channel's subscribers instead of a stream.")
        String channel;

        @Option(names = "--stream", defaultValue = "1", description = "Stream id without --channel (default "
                + "${DEFAULT-VALUE}).")
        long streamId;

        @Option(names = "--fire-and-forget", description = "Fire-and-forget instead of reliable delivery.")
        boolean fireAndForget;

        @Option(names = "--size", defaultValue = "64", description = "Bytes per event (16-8104, default "
                + "${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--rate", defaultValue = "0", paramLabel = "EVENTS_PER_S", description = "Events per second "
                + "(default 0: as fast as credit allows).")
        long rate;

        @Option(names = "--count", defaultValue = "0", description = "Events to publish (0: until --seconds).")
        long count;

        @Option(names = "--seconds", defaultValue = "0", description = "Longest run, waiting for subscribers "
                + "included (0: no limit; needs --count).")
        double seconds;

        @Option(names = "--subscribers", defaultValue = "1", description = "With --channel: subscribers to wait for "
                + "(default ${DEFAULT-VALUE}).")
        int subscribers;

        @Option(names = "--window", defaultValue = "65536", paramLabel = "BYTES", description = "Credit window of "
                + "the stream(s), wire bytes (default ${DEFAULT-VALUE}, net-mesh's; larger for more throughput).")
        int window;

        @Override
        public Integer call() throws Exception {
            return Cli.run(spec, () -> new MeshTools.PubSpec(nodeSpec(mesh, seconds), channel, streamId,
                    !fireAndForget, size, rate, count, subscribers, window), MeshTools::pub);
        }
    }

    /** {@code meshwire keygen}. */
    @Command(name = "keygen", mixinStandardHelpOptions = true, description = {
            "Print 32 random bytes as 64 hex digits: a mesh PSK (--psk-file) or an identity seed (--seed-file).",
            "Example: meshwire keygen > mesh.psk"})
    static final class Keygen implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().println(KeyText.generate());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    private static MeshTools.NodeSpec nodeSpec(MeshOptions mesh, double seconds) {
        return new MeshTools.NodeSpec(mesh.config(), mesh.peers(), mesh.accepted(), seconds);
    }
}
