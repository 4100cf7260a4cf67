package io.meshwire.bench.demo;

import io.meshwire.mesh.ChannelName;
import io.meshwire.mesh.ChannelPublisher;
import io.meshwire.mesh.DiscoveredNode;
import io.meshwire.mesh.MeshConfig;
import io.meshwire.mesh.MeshEvent;
import io.meshwire.mesh.MeshListener;
import io.meshwire.mesh.MeshNode;
import io.meshwire.mesh.MeshStats;
import io.meshwire.mesh.MeshStream;
import io.meshwire.mesh.NicBeaconSender;
import io.meshwire.mesh.PeerInfo;
import io.meshwire.mesh.PublishReport;
import io.meshwire.mesh.StreamConfig;
import io.meshwire.nic.NicSocket;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * The logic of {@code meshwire node}, {@code sub} and {@code pub}: one {@link MeshNode} per process, run across
 * terminals or network namespaces. Each prints its node id, static public key and a connect string
 * ({@code NODEID@HOST:PORT/KEY}) that the others take with {@code --connect}. A node that connects also sends its
 * discovery beacons to the target first, so the target learns the initiator's node id (which the Noise prologue
 * needs) without being told. A node whose configuration carries a {@link NicBeaconSender.Factory} ({@code
 * --discover}) also broadcasts its beacons through every NIC and hears the others' (the factory is attached to
 * the node here), so {@code --connect NODEID} needs no address on any directly attached subnet. Events are
 * {@link EventBatch} events, so receivers report order, loss and latency.
 */
public final class MeshTools {

    /** Exit code: done as asked. */
    public static final int OK = 0;
    /** Exit code: the run failed (no peer, no subscriber, short delivery, a broken reliable stream). */
    public static final int FAILED = 1;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration LINGER = Duration.ofSeconds(5);
    private static final long BEACON_HEAD_START_MILLIS = 100;
    private static final int BATCH = 64;
    private static final long IDLE_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(20);

    private MeshTools() {
    }

    /**
     * {@code meshwire node}: a node that connects to its peers, accepts theirs, and reports what it receives.
     *
     * @param config  the node's configuration
     * @param connect peers to connect to
     * @param accept  node ids whose handshakes to accept (besides those known from beacons)
     * @param seconds how long to run, or 0 until the process is stopped
     */
    public record NodeSpec(MeshConfig config, List<PeerRef> connect, List<Long> accept, double seconds) {
        /** Validates. */
        public NodeSpec {
            Objects.requireNonNull(config, "config");
            connect = List.copyOf(connect);
            accept = List.copyOf(accept);
            if (seconds < 0) {
                throw new IllegalArgumentException("--seconds " + seconds + " must be 0 (until stopped) or positive");
            }
        }
    }

    /**
     * {@code meshwire sub}: receives events, optionally after subscribing to a publisher's channel.
     *
     * @param node      the node: configuration, peers to connect to, longest run
     * @param channel   the channel to subscribe to on every publisher it has a session with, or {@code null} to take
     *                  plain stream events
     * @param publisher subscribe only at this node id, or {@code null} for any connected peer
     * @param count     stop after this many events, or 0 for no limit
     */
    public record SubSpec(NodeSpec node, String channel, Long publisher, long count) {
        /** Validates. */
        public SubSpec {
            Objects.requireNonNull(node, "node");
            if (channel != null) {
                new ChannelName(channel);
            }
            if (count < 0) {
                throw new IllegalArgumentException("--count " + count + " must be 0 (no limit) or positive");
            }
        }
    }

    /**
     * {@code meshwire pub}: publishes events to a stream of one peer, or to a channel's subscribers.
     *
     * @param node        configuration, peers to connect to (the first is the stream's target), longest run
     * @param channel     the channel to publish on, or {@code null} for a stream to the first peer
     * @param streamId    the stream id in stream mode
     * @param reliable    reliable or fire-and-forget
     * @param size        bytes per event
     * @param rate        events per second, or 0 for as fast as credit allows
     * @param count       events to publish, or 0 until {@code seconds}
     * @param subscribers in channel mode, subscribers to wait for before publishing
     * @param windowBytes the stream's credit window (StreamConfig.windowBytes; 0 turns credit off)
     */
    public record PubSpec(NodeSpec node, String channel, long streamId, boolean reliable, int size, long rate,
                          long count, int subscribers, int windowBytes) {
        /** Validates; the messages name the option. */
        public PubSpec {
            Objects.requireNonNull(node, "node");
            if (channel != null) {
                new ChannelName(channel);
            } else if (node.connect().isEmpty()) {
                throw new IllegalArgumentException("no target: give --connect NODEID@HOST:PORT/KEY (or NODEID with "
                        + "--discover or --beacon-target) for a stream, or --channel NAME to publish to subscribers");
            }
            if (size < EventBatch.MIN_SIZE || size > MeshDemoConfig.MAX_SIZE) {
                throw new IllegalArgumentException("--size " + size + " is outside " + EventBatch.MIN_SIZE + ".."
                        + MeshDemoConfig.MAX_SIZE);
            }
            if (rate < 0) {
                throw new IllegalArgumentException("--rate " + rate + " must be 0 (unpaced) or positive");
            }
            if (count < 0) {
                throw new IllegalArgumentException("--count " + count + " must be 0 (until --seconds) or positive");
            }
            if (count == 0 && node.seconds() == 0) {
                throw new IllegalArgumentException("give --count N or --seconds S: a publisher needs an end");
            }
            if (subscribers < 1) {
                throw new IllegalArgumentException("--subscribers " + subscribers + " must be at least 1");
            }
            if (windowBytes != 0 && (windowBytes < 256 || windowBytes > 64 * 1024 * 1024)) {
                throw new IllegalArgumentException("--window " + windowBytes + " must be 0 (no credit) or in "
                        + "256..67108864 bytes");
            }
        }
    }

    /** Runs {@code meshwire node}. @return the exit code */
    public static int node(NodeSpec spec, PrintStream out) throws InterruptedException {
        return receive(new SubSpec(spec, null, null, 0), out, "node");
    }

    /** Runs {@code meshwire sub}. @return the exit code */
    public static int sub(SubSpec spec, PrintStream out) throws InterruptedException {
        return receive(spec, out, "sub");
    }

    private static int receive(SubSpec spec, PrintStream out, String role) throws InterruptedException {
        Receiver receiver = new Receiver();
        NodeSpec nodeSpec = spec.node();
        try (MeshNode node = start(nodeSpec, receiver, out, role)) {
            if (spec.channel() != null) {
                node.addListener(new Subscriber(node, spec, out));
            }
            if (!connectAll(node, nodeSpec.connect(), out)) {
                return FAILED;
            }
            long start = System.nanoTime();
            long end = nodeSpec.seconds() == 0 ? Long.MAX_VALUE : start + (long) (nodeSpec.seconds() * NANOS_PER_SECOND);
            long lastEvents = 0;
            long lastBytes = 0;
            long lastAt = start;
            long nextReport = start + NANOS_PER_SECOND;
            while (true) {
                long now = System.nanoTime();
                if (spec.count() > 0 && receiver.events() >= spec.count() || now - end >= 0) {
                    break;
                }
                if (now - nextReport >= 0) {
                    long events = receiver.events();
                    long bytes = receiver.bytes();
                    Histogram latency = receiver.sampleLatency();
                    double seconds = (now - lastAt) / 1e9;
                    int peers = node.peers().size();
                    if (peers > 0 || events != lastEvents) {
                        out.printf(Locale.ROOT, "  t=%3.0f s  peers %d  rx %10s events/s %8.2f MB/s  latency p50 %s  "
                                        + "p99 %s  missing %,d  out of order %,d%n", (now - start) / 1e9, peers,
                                rate((events - lastEvents) / seconds), (bytes - lastBytes) / seconds / 1e6,
                                micros(latency, 50), micros(latency, 99), receiver.missing(), receiver.outOfOrder());
                    }
                    lastEvents = events;
                    lastBytes = bytes;
                    lastAt = now;
                    nextReport += NANOS_PER_SECOND;
                }
                Thread.sleep(Math.max(1, Math.min(50, (nextReport - now) / 1_000_000)));
            }
            receiver.sampleLatency();
            printReceiveSummary(receiver, node, out);
            if (spec.count() > 0 && receiver.events() < spec.count()) {
                out.printf(Locale.ROOT, "FAIL: received %,d of %,d events within %s s%n", receiver.events(),
                        spec.count(), trim(nodeSpec.seconds()));
                return FAILED;
            }
            String disorder = receiver.firstDisorder();
            if (disorder != null) {
                out.println("FAIL: a reliable stream broke its order: " + disorder);
                return FAILED;
            }
            return OK;
        } catch (IOException e) {
            out.println("FAIL: the node could not start: " + e.getMessage());
            return FAILED;
        }
    }

    /** Runs {@code meshwire pub}. @return the exit code */
    public static int pub(PubSpec spec, PrintStream out) throws InterruptedException {
        NodeSpec nodeSpec = spec.node();
        try (MeshNode node = start(nodeSpec, null, out, "pub")) {
            if (!connectAll(node, nodeSpec.connect(), out)) {
                return FAILED;
            }
            StreamConfig streamConfig = (spec.reliable() ? StreamConfig.reliable() : StreamConfig.fireAndForget())
                    .toBuilder().windowBytes(spec.windowBytes()).build();
            long start = System.nanoTime();
            long end = nodeSpec.seconds() == 0 ? Long.MAX_VALUE : start + (long) (nodeSpec.seconds() * NANOS_PER_SECOND);
            MeshStream stream = null;
            ChannelPublisher publisher = null;
            if (spec.channel() == null) {
                PeerRef target = nodeSpec.connect().getFirst();
                stream = node.openStream(target.nodeId(), spec.streamId(), streamConfig);
                out.printf(Locale.ROOT, "publishing: %s stream %d to %s, %d B events%n", mode(spec.reliable()),
                        spec.streamId(), PeerRef.hex(target.nodeId()), spec.size());
            } else {
                publisher = node.publisher(spec.channel(), streamConfig);
                out.printf(Locale.ROOT, "channel %s: waiting for %d subscriber(s)%n", spec.channel(), spec.subscribers());
                while (publisher.subscribers().size() < spec.subscribers()) {
                    if (System.nanoTime() - end >= 0) {
                        out.printf(Locale.ROOT, "FAIL: %d of %d subscribers within %s s%n",
                                publisher.subscribers().size(), spec.subscribers(), trim(nodeSpec.seconds()));
                        return FAILED;
                    }
                    Thread.sleep(10);
                }
                out.printf(Locale.ROOT, "publishing: %s to channel %s (%d subscribers), %d B events%n",
                        mode(spec.reliable()), spec.channel(), publisher.subscribers().size(), spec.size());
                start = System.nanoTime();
            }
            Publishing p = new Publishing(spec, node, stream, publisher, out);
            int status = p.run(start, end);
            linger(node, spec, stream, publisher);
            MeshStats stats = node.stats();
            double seconds = (p.endNanos - start) / 1e9;
            out.printf(Locale.ROOT, "sent %,d events in %.2f s (%s events/s, %.2f MB/s); retransmits %,d, "
                            + "backpressured %,d, drops %s%n", p.batch.nextSequence(), seconds,
                    rate(p.batch.nextSequence() / seconds), p.batch.nextSequence() * (double) spec.size() / seconds / 1e6,
                    stats.retransmits(), stats.backpressured(), stats.drops().isEmpty() ? "none" : stats.drops());
            printBeacons(node, out);
            return status;
        } catch (IOException e) {
            out.println("FAIL: the node could not start: " + e.getMessage());
            return FAILED;
        }
    }

    /** The publishing loop of {@code pub}. */
    private static final class Publishing {
        final PubSpec spec;
        final MeshNode node;
        final MeshStream stream;
        final ChannelPublisher publisher;
        final PrintStream out;
        final EventBatch batch;
        long endNanos;
        long partial;

        Publishing(PubSpec spec, MeshNode node, MeshStream stream, ChannelPublisher publisher, PrintStream out) {
            this.spec = spec;
            this.node = node;
            this.stream = stream;
            this.publisher = publisher;
            this.out = out;
            this.batch = new EventBatch(BATCH, spec.size());
        }

        int run(long start, long end) throws InterruptedException {
            long nextReport = start + NANOS_PER_SECOND;
            long lastSent = 0;
            int status = OK;
            while (true) {
                long now = System.nanoTime();
                long sent = batch.nextSequence();
                if (spec.count() > 0 && sent >= spec.count() || now - end >= 0) {
                    break;
                }
                if (now - nextReport >= 0) {
                    out.printf(Locale.ROOT, "  t=%3.0f s  tx %10s events/s  sent %,d  backpressured %,d  "
                                    + "retransmits %,d%n", (now - start) / 1e9, rate(sent - lastSent), sent,
                            node.stats().backpressured(), node.stats().retransmits());
                    lastSent = sent;
                    nextReport += NANOS_PER_SECOND;
                }
                long limit = BATCH;
                if (spec.count() > 0) {
                    limit = Math.min(limit, spec.count() - sent);
                }
                if (spec.rate() > 0) {
                    limit = Math.min(limit, (long) ((now - start) / 1e9 * spec.rate()) - sent);
                }
                int accepted = 0;
                if (limit > 0) {
                    if (stream != null) {
                        accepted = batch.pump(stream, (int) limit);
                        if (accepted == 0 && !stream.isOpen()) {
                            out.println("FAIL: the stream ended (reset after retries, or the peer failed)");
                            status = FAILED;
                            break;
                        }
                    } else {
                        PublishReport report = batch.publish(node, publisher, (int) limit, Duration.ofSeconds(1));
                        if (report.attempted() == 0) {
                            out.println("FAIL: every subscriber left or failed");
                            status = FAILED;
                            break;
                        }
                        if (!report.complete()) {
                            partial++;
                        }
                        accepted = (int) limit;
                    }
                }
                if (accepted == 0) {
                    LockSupport.parkNanos(IDLE_PARK_NANOS);
                }
            }
            endNanos = System.nanoTime();
            if (partial > 0) {
                out.printf(Locale.ROOT, "note: %,d publish calls did not reach every subscriber in time%n", partial);
            }
            return status;
        }
    }

    /** Waits, bounded, until the reliable streams' packets are acknowledged, so closing loses nothing in flight. */
    private static void linger(MeshNode node, PubSpec spec, MeshStream stream, ChannelPublisher publisher)
            throws InterruptedException {
        if (!spec.reliable()) {
            Thread.sleep(100); // the last packets' way to the receiver; nothing to wait for
            return;
        }
        List<MeshStream> streams = new ArrayList<>();
        if (stream != null) {
            streams.add(stream);
        } else {
            for (long subscriber : publisher.subscribers()) {
                try {
                    // openStream is idempotent: this is the subscriber's existing channel stream
                    streams.add(node.openStream(subscriber, publisher.channel().publishStreamId()));
                } catch (IllegalStateException gone) {
                    // the subscriber failed meanwhile; nothing to wait for
                }
            }
        }
        long deadline = System.nanoTime() + LINGER.toNanos();
        for (MeshStream s : streams) {
            while (s.isOpen() && s.stats().unacked() > 0 && System.nanoTime() - deadline < 0) {
                Thread.sleep(5);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ shared

    /**
     * Starts the node (and the receive loop of its per-NIC beacons, if any), beacons to the connect targets, prints
     * the identity, the connect string and where discovery beacons go.
     */
    private static MeshNode start(NodeSpec spec, Receiver receiver, PrintStream out, String role) throws IOException {
        MeshNode node;
        try {
            node = MeshNode.start(spec.config(), receiver);
        } catch (IllegalArgumentException e) {
            // the per-NIC beacon set refuses a node it cannot announce (e.g. bound to an address no NIC has); the
            // message names the fix
            throw new IOException(e.getMessage(), e);
        }
        try {
            NicBeaconSender nics = spec.config().beaconSender() instanceof NicBeaconSender.Factory factory
                    ? factory.attach(node) : null;
            spec.accept().forEach(node::accept);
            for (PeerRef peer : spec.connect()) {
                // also with per-NIC discovery: the target may sit beyond the subnets our broadcasts reach
                if (!peer.byDiscovery()) {
                    node.addBeaconTarget(peer.address());
                }
            }
            node.addListener(new Reporter(out));
            InetSocketAddress bound = node.localAddress();
            out.printf(Locale.ROOT, "%s: node id %s, static public key %s, on %s%n", role, PeerRef.hex(node.nodeId()),
                    java.util.HexFormat.of().formatHex(node.staticPublicKey()), bound);
            if (bound.getAddress().isAnyLocalAddress()) {
                out.printf(Locale.ROOT, "connect: %s  (replace %s with this host's address)%n",
                        PeerRef.format(node, new InetSocketAddress(InetAddress.getLoopbackAddress(), bound.getPort())),
                        InetAddress.getLoopbackAddress().getHostAddress());
            } else {
                out.printf(Locale.ROOT, "connect: %s%n", PeerRef.format(node, bound));
            }
            if (nics != null) {
                List<InetSocketAddress> targets = spec.config().beaconTargets();
                out.printf(Locale.ROOT, "discovery: beacons on every NIC, port %d, through %s%s%n", nics.port(),
                        announcingNics(nics), targets.isEmpty() ? "" : "; also to " + targets.stream()
                                .map(t -> t.getAddress().getHostAddress() + ":" + t.getPort())
                                .collect(Collectors.joining(", ")));
            }
            out.flush();
            return node;
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    /** The NICs a per-NIC beacon sender announces through now, e.g. {@code vh1 10.1.0.1, vh2 10.2.0.1}. */
    private static String announcingNics(NicBeaconSender nics) {
        String list = nics.socketSet().sockets().stream()
                .filter(s -> s.role().sends())
                .map(NicSocket::nic)
                .map(n -> n.name() + " " + n.address().getHostAddress())
                .collect(Collectors.joining(", "));
        // the set follows NICs that come and go: none now is not an error
        return list.isEmpty() ? "no up, non-loopback IPv4 NIC yet (NICs that come up are added)" : list;
    }

    /** The node's per-NIC beacon sender, or {@code null} without {@code --discover}. */
    private static NicBeaconSender nicBeacons(MeshNode node) {
        return node.config().beaconSender() instanceof NicBeaconSender.Factory f ? f.sender() : null;
    }

    /** Prints what the per-NIC beacon sender did, if the node has one. */
    private static void printBeacons(MeshNode node, PrintStream out) {
        NicBeaconSender nics = nicBeacons(node);
        if (nics != null) {
            out.printf(Locale.ROOT, "beacons: %,d copies sent through NICs (%,d failed), %,d heard from other nodes "
                    + "(%,d second copies through another NIC)%n", nics.copiesSent(), nics.sendErrors(),
                    nics.passed(), nics.duplicates());
        }
    }

    /** Connects to every peer (by address and key, or by node id once its beacon came); false on the first failure. */
    private static boolean connectAll(MeshNode node, List<PeerRef> peers, PrintStream out) throws InterruptedException {
        if (peers.stream().anyMatch(p -> !p.byDiscovery())) {
            // Our beacons went out at start; give the targets a moment to learn our node id from them before msg1.
            Thread.sleep(BEACON_HEAD_START_MILLIS);
        }
        for (PeerRef peer : peers) {
            long start = System.nanoTime();
            try {
                PeerInfo info = (peer.byDiscovery() ? node.connect(peer.nodeId())
                        : node.connect(peer.address(), peer.key(), peer.nodeId()))
                        .get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                out.printf(Locale.ROOT, "session: %s at %s up in %.1f ms%n", PeerRef.hex(info.nodeId()), info.address(),
                        (System.nanoTime() - start) / 1e6);
            } catch (ExecutionException e) {
                out.println("FAIL: connect to " + peer + ": " + e.getCause().getMessage());
                return false;
            } catch (TimeoutException e) {
                out.println("FAIL: connect to " + peer + ": no session within " + CONNECT_TIMEOUT.toSeconds() + " s"
                        + (peer.byDiscovery() ? "; no beacon from it arrived (run both nodes with --discover on a "
                        + "shared subnet, or give it --beacon-target at this node; and check the PSK)"
                        : "; check the address, key and PSK"));
                return false;
            }
        }
        out.flush();
        return true;
    }

    /** Prints peer and discovery events. */
    private record Reporter(PrintStream out) implements MeshListener {
        @Override
        public void onPeerConnected(PeerInfo peer) {
            out.printf(Locale.ROOT, "peer connected: %s at %s%n", PeerRef.hex(peer.nodeId()), peer.address());
        }

        @Override
        public void onPeerFailed(PeerInfo peer) {
            out.printf(Locale.ROOT, "peer failed: %s (silent %d ms)%n", PeerRef.hex(peer.nodeId()),
                    peer.silenceNanos() / 1_000_000);
        }

        @Override
        public void onNodeDiscovered(DiscoveredNode node) {
            out.printf(Locale.ROOT, "discovered: %s at %s%n", PeerRef.hex(node.nodeId()), node.address());
        }

        @Override
        public void onStreamReset(long peerNodeId, long streamId, boolean byPeer) {
            out.printf(Locale.ROOT, "stream reset: %d %s %s%n", streamId, byPeer ? "from" : "to", PeerRef.hex(peerNodeId));
        }
    }

    /** Subscribes to the channel at each (matching) peer as its session comes up. */
    private record Subscriber(MeshNode node, SubSpec spec, PrintStream out) implements MeshListener {
        @Override
        public void onPeerConnected(PeerInfo peer) {
            if (spec.publisher() != null && spec.publisher() != peer.nodeId()) {
                return;
            }
            // on the node thread: subscribe only posts the request; report when the ack comes
            node.subscribe(peer.nodeId(), spec.channel()).whenComplete((ok, error) -> {
                if (error == null) {
                    out.printf(Locale.ROOT, "subscribed: channel %s at %s%n", spec.channel(), PeerRef.hex(peer.nodeId()));
                } else {
                    out.printf(Locale.ROOT, "subscribe to %s at %s failed: %s%n", spec.channel(),
                            PeerRef.hex(peer.nodeId()), error.getMessage());
                }
            });
        }
    }

    /** The handler of a receiving node: a {@link StreamTally} per inbound stream, found by a linear search. */
    private static final class Receiver implements io.meshwire.mesh.EventHandler {
        private volatile StreamTally[] tallies = new StreamTally[0];

        @Override
        public void onEvent(MeshEvent event) {
            StreamTally[] current = tallies;
            for (StreamTally t : current) {
                if (t.streamId() == event.streamId() && t.peerNodeId() == event.peerNodeId()) {
                    t.onEvent(event);
                    return;
                }
            }
            StreamTally t = new StreamTally(event.peerNodeId(), event.streamId());
            StreamTally[] next = java.util.Arrays.copyOf(current, current.length + 1);
            next[current.length] = t;
            tallies = next; // only the node thread writes
            t.onEvent(event);
        }

        long events() {
            return sum(StreamTally::events);
        }

        long bytes() {
            return sum(StreamTally::bytes);
        }

        long missing() {
            return sum(StreamTally::missing);
        }

        long outOfOrder() {
            return sum(StreamTally::outOfOrder);
        }

        /** One counter summed over every inbound stream. */
        private long sum(ToLongFunction<StreamTally> counter) {
            long n = 0;
            for (StreamTally t : tallies) {
                n += counter.applyAsLong(t);
            }
            return n;
        }

        String firstDisorder() {
            for (StreamTally t : tallies) {
                if (t.firstDisorder() != null) {
                    return "from " + PeerRef.hex(t.peerNodeId()) + " stream " + Long.toUnsignedString(t.streamId())
                            + ": " + t.firstDisorder();
                }
            }
            return null;
        }

        /** The latency of the last interval over all streams (a fresh histogram). */
        Histogram sampleLatency() {
            Histogram all = new Histogram(1, TimeUnit.SECONDS.toNanos(60), 3);
            for (StreamTally t : tallies) {
                all.add(t.sampleLatency());
            }
            return all;
        }

        StreamTally[] tallies() {
            return tallies;
        }
    }

    private static void printReceiveSummary(Receiver receiver, MeshNode node, PrintStream out) {
        for (StreamTally t : receiver.tallies()) {
            Histogram h = t.totalLatency();
            double seconds = t.activeSeconds();
            out.printf(Locale.ROOT, "from %s stream %s: %,d events (%s events/s over %.2f s, first to last), latency "
                            + "p50 %s p99 %s p99.9 %s, missing %,d, out of order %,d%n", PeerRef.hex(t.peerNodeId()),
                    streamName(t.streamId()), t.events(), seconds > 0 ? rate(t.events() / seconds) : "-", seconds,
                    micros(h, 50), micros(h, 99), micros(h, 99.9), t.missing(), t.outOfOrder());
        }
        MeshStats stats = node.stats();
        out.printf(Locale.ROOT, "received %,d events; packets per receive syscall %.1f; drops %s%n",
                receiver.events(), stats.packetsPerReceiveSyscall(), stats.drops().isEmpty() ? "none" : stats.drops());
        printBeacons(node, out);
        out.flush();
    }

    /** A stream id: decimal when small, else hex (channel streams are 0x1_0000_0000_0000 | hash). */
    private static String streamName(long streamId) {
        return Long.compareUnsigned(streamId, 1L << 32) < 0 ? Long.toString(streamId)
                : "0x" + Long.toHexString(streamId);
    }

    private static String micros(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? "-" : String.format(Locale.ROOT, "%.1f us",
                h.getValueAtPercentile(percentile) / 1e3);
    }

    private static String rate(double perSecond) {
        if (perSecond >= 1e6) {
            return String.format(Locale.ROOT, "%.2f M", perSecond / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f k", perSecond / 1e3);
    }

    private static String mode(boolean reliable) {
        return reliable ? "reliable" : "fire-and-forget";
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
