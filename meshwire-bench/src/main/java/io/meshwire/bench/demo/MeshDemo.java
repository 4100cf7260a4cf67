package io.meshwire.bench.demo;

import io.meshwire.mesh.DiscoveredNode;
import io.meshwire.mesh.InboundStats;
import io.meshwire.mesh.LossInjection;
import io.meshwire.mesh.MeshConfig;
import io.meshwire.mesh.MeshEvent;
import io.meshwire.mesh.MeshListener;
import io.meshwire.mesh.MeshNode;
import io.meshwire.mesh.MeshStats;
import io.meshwire.mesh.MeshStream;
import io.meshwire.mesh.PeerInfo;
import io.meshwire.mesh.StreamConfig;
import io.meshwire.mesh.StreamStats;
import io.meshwire.wire.DropReason;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The mesh demo behind {@code ./meshwire demo}: three {@link MeshNode}s in one process on 127.0.0.1 find each
 * other by their discovery beacons, run the Noise NKpsk0 handshake, and stream events around the triangle: each
 * node sends one reliable stream to the next node and one fire-and-forget stream to the previous one, while every
 * node drops a seeded share of the datagrams it receives (test-only loss injection). A progress line per second,
 * then a table per stream (events/s, MB/s, latency percentiles from HdrHistogram, retransmits, gaps, loss) and per
 * node (packets per syscall, drops by reason).
 *
 * <p>Every event carries its send time and a per-stream sequence number ({@link EventBatch}); the receiver checks
 * the order ({@link StreamTally}). The run passes ({@link Result#ok()}) only if every event of every reliable
 * stream arrived, in order, and no reliable stream was reset.
 */
public final class MeshDemo {

    private static final String[] NAMES = {"a", "b", "c"};
    private static final long RELIABLE_STREAM = 1;
    private static final long FIRE_AND_FORGET_STREAM = 2;
    private static final int BATCH = 64;
    /** Retries of one packet before a reliable stream resets; generous, so a stalled shared machine is not a reset. */
    private static final int MAX_RETRIES = 20;
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(10);
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long IDLE_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(20);
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /**
     * One stream's outcome.
     *
     * @param from           sending node
     * @param to             receiving node
     * @param reliable       whether the stream was reliable
     * @param size           bytes per event
     * @param sent           events the sender's stream accepted
     * @param received       events the receiver got
     * @param outOfOrder     events out of order (see {@link StreamTally#outOfOrder()})
     * @param firstDisorder  the first order violation, or {@code null}
     * @param gaps           fire-and-forget packets the receiver found missing
     * @param retransmits    reliable packets sent again
     * @param backpressured  sends refused for lack of credit
     * @param open           whether the stream was still open at the end (not reset)
     * @param seconds        sending time
     * @param p50Nanos       median send-to-delivery latency
     * @param p99Nanos       99th percentile
     * @param p999Nanos      99.9th percentile
     */
    public record StreamResult(String from, String to, boolean reliable, int size, long sent, long received,
                               long outOfOrder, String firstDisorder, long gaps, long retransmits, long backpressured,
                               boolean open, double seconds, long p50Nanos, long p99Nanos, long p999Nanos) {

        /** Events delivered per second of sending. */
        public double eventsPerSecond() {
            return received / seconds;
        }

        /** Payload megabytes (10^6) delivered per second of sending. */
        public double megabytesPerSecond() {
            return received * (double) size / seconds / 1e6;
        }

        /** Events sent but not delivered. */
        public long lost() {
            return Math.max(0, sent - received);
        }

        /** Why a reliable stream failed its guarantee, or {@code null} when it kept it (always null otherwise). */
        public String failure() {
            if (!reliable) {
                return null;
            }
            if (!open) {
                return "reliable stream " + from + " -> " + to + " was reset (a packet exceeded " + MAX_RETRIES
                        + " retransmissions)";
            }
            if (received != sent) {
                return "reliable stream " + from + " -> " + to + " delivered " + received + " of " + sent + " events";
            }
            if (outOfOrder != 0) {
                return "reliable stream " + from + " -> " + to + " delivered " + outOfOrder + " events out of order ("
                        + firstDisorder + ")";
            }
            return null;
        }
    }

    /**
     * One node's outcome.
     *
     * @param name                   its name in the demo
     * @param address                its UDP address
     * @param peers                  sessions it had at the end
     * @param packetsPerSendSyscall  datagrams per send system call
     * @param packetsPerRecvSyscall  datagrams per receive system call
     * @param kernelDrops            datagrams the kernel dropped for lack of buffer room
     * @param drops                  input it dropped, by reason
     */
    public record NodeResult(String name, String address, int peers, double packetsPerSendSyscall,
                             double packetsPerRecvSyscall, long kernelDrops, Map<DropReason, Long> drops) {
    }

    /**
     * The whole run.
     *
     * @param streams every stream
     * @param nodes   every node
     * @param error   why the run could not be set up or run, or {@code null}
     */
    public record Result(List<StreamResult> streams, List<NodeResult> nodes, String error) {
        /** Whether the run was set up and every reliable stream delivered every event in order. */
        public boolean ok() {
            return error == null && !streams.isEmpty() && streams.stream().allMatch(s -> s.failure() == null);
        }

        /** Why {@link #ok()} is false, or {@code null}. */
        public String failure() {
            if (error != null) {
                return error;
            }
            if (streams.isEmpty()) {
                return "no stream ran";
            }
            return streams.stream().map(StreamResult::failure).filter(f -> f != null).findFirst().orElse(null);
        }
    }

    private final MeshDemoConfig config;
    private final PrintStream out;

    /**
     * @param config the run's settings
     * @param out    where progress and tables go
     */
    public MeshDemo(MeshDemoConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
    }

    /** One node of the triangle, with the tallies of what it receives. */
    private static final class DemoNode {
        final String name;
        final List<StreamTally> inbound = new ArrayList<>();
        final ConcurrentLinkedQueue<String> incidents = new ConcurrentLinkedQueue<>();
        volatile StreamTally[] tallies = new StreamTally[0];
        MeshNode node;

        DemoNode(String name) {
            this.name = name;
        }

        /** On the node thread: finds the tally of the event's stream (two per node, so a linear search). */
        void onEvent(MeshEvent event) {
            for (StreamTally t : tallies) {
                if (t.peerNodeId() == event.peerNodeId() && t.streamId() == event.streamId()) {
                    t.onEvent(event);
                    return;
                }
            }
        }
    }

    /** One sending stream and its batch. */
    private static final class Outbound {
        final DemoNode from;
        final DemoNode to;
        final boolean reliable;
        final MeshStream stream;
        final EventBatch batch;
        final StreamTally tally;

        Outbound(DemoNode from, DemoNode to, boolean reliable, MeshStream stream, int size, StreamTally tally) {
            this.from = from;
            this.to = to;
            this.reliable = reliable;
            this.stream = stream;
            this.batch = new EventBatch(BATCH, size);
            this.tally = tally;
        }
    }

    /**
     * Runs the demo and prints its progress and tables.
     *
     * @return the outcome (see {@link Result#ok()})
     */
    public Result run() throws InterruptedException {
        byte[] psk = new byte[32];
        new SecureRandom().nextBytes(psk);
        out.printf(Locale.ROOT, "meshwire mesh demo: 3 nodes on 127.0.0.1, %s s, %d B events, %s, %d KiB credit "
                        + "windows, ChaCha20-Poly1305 on every packet%n", trim(config.seconds()), config.size(),
                config.rate() == 0 ? "as fast as credit allows" : config.rate() + " events/s per stream",
                config.windowBytes() / 1024);
        out.printf(Locale.ROOT, "loss injection: each node drops %s %% of the datagrams it receives (seeded %d, "
                + "test-only; handshakes and beacons exempt)%n", trim(config.lossPercent()), config.seed());
        List<DemoNode> nodes = new ArrayList<>();
        for (String name : NAMES) {
            nodes.add(new DemoNode(name));
        }
        try {
            for (int i = 0; i < nodes.size(); i++) {
                DemoNode n = nodes.get(i);
                n.node = MeshNode.start(nodeConfig(psk, i), n::onEvent);
                n.node.addListener(listener(n, nodes));
                out.printf(Locale.ROOT, "node %s: id %s on %s%n", n.name, hex(n.node.nodeId()),
                        n.node.localAddress());
            }
            discover(nodes);
            handshake(nodes);
            List<Outbound> streams = openStreams(nodes);
            return stream(nodes, streams);
        } catch (SetupException | java.io.IOException e) {
            String reason = e instanceof SetupException ? e.getMessage() : "a node could not start: " + e;
            out.println("FAIL: " + reason);
            return new Result(List.of(), List.of(), reason);
        } finally {
            for (DemoNode n : nodes) {
                if (n.node != null) {
                    n.node.close();
                }
            }
        }
    }

    private MeshConfig nodeConfig(byte[] psk, int index) {
        LossInjection loss = config.lossPercent() == 0 ? LossInjection.NONE
                : LossInjection.onReceive(config.seed() + index, config.lossPercent() / 100);
        return MeshConfig.builder()
                .psk(psk)
                .bind("127.0.0.1", 0)
                .heartbeatInterval(Duration.ofMillis(200))
                .suspectTimeout(Duration.ofSeconds(2))
                .failTimeout(Duration.ofSeconds(5))
                .handshakeTimeout(Duration.ofMillis(500))
                .handshakeRetries(5)
                .beaconInterval(Duration.ofMillis(100))
                .lossInjection(loss)
                .build();
    }

    private static MeshListener listener(DemoNode n, List<DemoNode> all) {
        return new MeshListener() {
            @Override
            public void onPeerFailed(PeerInfo peer) {
                n.incidents.add("node " + n.name + ": peer " + name(all, peer.nodeId()) + " failed");
            }

            @Override
            public void onStreamReset(long peerNodeId, long streamId, boolean byPeer) {
                n.incidents.add("node " + n.name + ": stream " + streamId + (byPeer ? " from " : " to ")
                        + name(all, peerNodeId) + " reset");
            }
        };
    }

    /** Every node beacons to the other two; waits until each has discovered both. */
    private void discover(List<DemoNode> nodes) throws InterruptedException, SetupException {
        long start = System.nanoTime();
        for (DemoNode from : nodes) {
            for (DemoNode to : nodes) {
                if (from != to) {
                    from.node.addBeaconTarget(to.node.localAddress());
                }
            }
        }
        long deadline = start + SETUP_TIMEOUT.toNanos();
        for (DemoNode n : nodes) {
            while (n.node.discovered().size() < nodes.size() - 1) {
                if (System.nanoTime() - deadline > 0) {
                    throw new SetupException("node " + n.name + " discovered only " + n.node.discovered().size()
                            + " of " + (nodes.size() - 1) + " nodes within " + SETUP_TIMEOUT.toSeconds() + " s");
                }
                Thread.sleep(5);
            }
        }
        for (DemoNode n : nodes) {
            StringBuilder seen = new StringBuilder();
            for (DiscoveredNode d : n.node.discovered()) {
                seen.append(seen.isEmpty() ? "" : ", ").append(name(nodes, d.nodeId())).append(" at ")
                        .append(d.address().getPort());
            }
            out.printf(Locale.ROOT, "discovery: %s found %s by PSK-authenticated beacons%n", n.name, seen);
        }
        out.printf(Locale.ROOT, "discovery: done in %.0f ms%n", (System.nanoTime() - start) / 1e6);
    }

    /** a connects to b and c, b to c, each by node id alone (address and key from the beacons). */
    private void handshake(List<DemoNode> nodes) throws InterruptedException, SetupException {
        for (int i = 0; i < nodes.size(); i++) {
            for (int j = i + 1; j < nodes.size(); j++) {
                DemoNode from = nodes.get(i);
                DemoNode to = nodes.get(j);
                long start = System.nanoTime();
                try {
                    from.node.connect(to.node.nodeId()).get(SETUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    to.node.awaitPeer(from.node.nodeId(), SETUP_TIMEOUT);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    throw new SetupException("handshake " + from.name + " -> " + to.name + " failed: "
                            + cause.getMessage());
                }
                out.printf(Locale.ROOT, "handshake: %s -> %s, Noise NKpsk0 session up in %.1f ms%n", from.name,
                        to.name, (System.nanoTime() - start) / 1e6);
            }
        }
    }

    /** Each node: a reliable stream to the next node, a fire-and-forget stream to the previous one. */
    private List<Outbound> openStreams(List<DemoNode> nodes) {
        List<Outbound> streams = new ArrayList<>();
        StreamConfig reliable = StreamConfig.reliable().toBuilder().maxRetries(MAX_RETRIES)
                .windowBytes(config.windowBytes()).build();
        StreamConfig fireAndForget = StreamConfig.fireAndForget().toBuilder().windowBytes(config.windowBytes()).build();
        int n = nodes.size();
        for (int i = 0; i < n; i++) {
            DemoNode from = nodes.get(i);
            DemoNode next = nodes.get((i + 1) % n);
            DemoNode previous = nodes.get((i + n - 1) % n);
            streams.add(open(from, next, true, reliable));
            streams.add(open(from, previous, false, fireAndForget));
        }
        for (DemoNode d : nodes) {
            d.tallies = d.inbound.toArray(StreamTally[]::new);
        }
        for (Outbound o : streams) {
            out.printf(Locale.ROOT, "stream: %s -> %s %s (id %d)%n", o.from.name, o.to.name,
                    o.reliable ? "reliable" : "fire-and-forget", o.stream.streamId());
        }
        return streams;
    }

    private Outbound open(DemoNode from, DemoNode to, boolean reliable, StreamConfig streamConfig) {
        long id = reliable ? RELIABLE_STREAM : FIRE_AND_FORGET_STREAM;
        StreamTally tally = new StreamTally(from.node.nodeId(), id);
        to.inbound.add(tally);
        MeshStream stream = from.node.openStream(to.node.nodeId(), id, streamConfig);
        return new Outbound(from, to, reliable, stream, config.size(), tally);
    }

    private Result stream(List<DemoNode> nodes, List<Outbound> streams) throws InterruptedException {
        long runNanos = (long) (config.seconds() * NANOS_PER_SECOND);
        long start = System.nanoTime();
        long end = start + runNanos;
        List<Thread> senders = new ArrayList<>();
        for (DemoNode n : nodes) {
            List<Outbound> own = streams.stream().filter(o -> o.from == n).toList();
            senders.add(Thread.ofPlatform().name("demo-sender-" + n.name).daemon()
                    .start(() -> send(own, start, end)));
        }
        long lastEvents = 0;
        long lastBytes = 0;
        long lastAt = start;
        for (long next = start + NANOS_PER_SECOND; next - end <= 0; next += NANOS_PER_SECOND) {
            sleepUntil(next);
            long now = System.nanoTime();
            long events = 0;
            long bytes = 0;
            for (Outbound o : streams) {
                events += o.tally.events();
                bytes += o.tally.bytes();
            }
            out.println(progressLine(nodes, streams, (now - start) / 1e9, (events - lastEvents) * 1e9 / (now - lastAt),
                    (bytes - lastBytes) * 1e3 / (now - lastAt)));
            out.flush();
            lastEvents = events;
            lastBytes = bytes;
            lastAt = now;
        }
        for (Thread t : senders) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        drain(streams);
        for (DemoNode n : nodes) {
            for (String incident : n.incidents) {
                out.println("incident: " + incident);
            }
        }
        List<StreamResult> results = new ArrayList<>();
        for (Outbound o : streams) {
            results.add(streamResult(o, seconds));
        }
        List<NodeResult> nodeResults = new ArrayList<>();
        for (DemoNode n : nodes) {
            MeshStats s = n.node.stats();
            nodeResults.add(new NodeResult(n.name, n.node.localAddress().getHostString() + ":"
                    + n.node.localAddress().getPort(), n.node.peers().size(), s.packetsPerSendSyscall(),
                    s.packetsPerReceiveSyscall(), s.kernelDrops(), s.drops()));
        }
        Result result = new Result(results, nodeResults, null);
        printTables(result);
        return result;
    }

    /** One node's sender: its two streams in turn, each offered a batch at a time. */
    private void send(List<Outbound> own, long start, long end) {
        long rate = config.rate();
        while (true) {
            long now = System.nanoTime();
            if (now - end >= 0) {
                return;
            }
            boolean progress = false;
            for (Outbound o : own) {
                if (!o.stream.isOpen()) {
                    continue;
                }
                int limit = BATCH;
                if (rate > 0) {
                    long due = (long) ((now - start) / 1e9 * rate) - o.batch.nextSequence();
                    limit = (int) Math.min(BATCH, Math.max(0, due));
                }
                if (limit > 0 && o.batch.pump(o.stream, limit) > 0) {
                    progress = true;
                }
            }
            if (!progress) {
                LockSupport.parkNanos(IDLE_PARK_NANOS);
            }
        }
    }

    /** Waits, bounded, until every reliable stream delivered all it sent and the fire-and-forget ones are quiet. */
    private static void drain(List<Outbound> streams) throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN_NANOS;
        long previous = -1;
        while (System.nanoTime() - deadline < 0) {
            boolean reliableDone = true;
            long total = 0;
            for (Outbound o : streams) {
                long received = o.tally.events();
                total += received;
                if (o.reliable && o.stream.isOpen() && received < o.batch.nextSequence()) {
                    reliableDone = false;
                }
            }
            if (reliableDone && total == previous) {
                return;
            }
            previous = total;
            Thread.sleep(20);
        }
    }

    private StreamResult streamResult(Outbound o, double seconds) {
        StreamTally t = o.tally;
        t.sampleLatency();
        Histogram latency = t.totalLatency();
        StreamStats stats = o.stream.stats();
        long gaps = 0;
        for (InboundStats in : o.to.node.inboundStats()) {
            if (in.peerNodeId() == o.from.node.nodeId() && in.streamId() == o.stream.streamId()) {
                gaps = in.gaps();
            }
        }
        boolean any = latency.getTotalCount() > 0;
        return new StreamResult(o.from.name, o.to.name, o.reliable, config.size(), o.batch.nextSequence(), t.events(),
                t.outOfOrder(), t.firstDisorder(), gaps, stats.retransmits(), stats.backpressured(), stats.open(),
                seconds, any ? latency.getValueAtPercentile(50) : 0, any ? latency.getValueAtPercentile(99) : 0,
                any ? latency.getValueAtPercentile(99.9) : 0);
    }

    private static String progressLine(List<DemoNode> nodes, List<Outbound> streams, double t, double eventsPerSecond,
                                       double megabytesPerSecond) {
        long retransmits = 0;
        long gaps = 0;
        Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
        for (DemoNode n : nodes) {
            MeshStats s = n.node.stats();
            retransmits += s.retransmits();
            gaps += s.gaps();
            s.drops().forEach((reason, count) -> drops.merge(reason, count, Long::sum));
        }
        long reliableEvents = 0;
        for (Outbound o : streams) {
            if (o.reliable) {
                reliableEvents += o.tally.events();
            }
        }
        return String.format(Locale.ROOT, "  t=%4.1f s %11s events/s %8.1f MB/s  reliable delivered %,d  "
                        + "retransmits %,d  gaps %,d  drops %s", t, rate(eventsPerSecond), megabytesPerSecond,
                reliableEvents, retransmits, gaps, drops(drops));
    }

    private void printTables(Result result) {
        out.println();
        out.printf(Locale.ROOT, "%-8s %-15s %6s %11s %10s %8s %9s %9s %9s %8s %7s %8s %6s%n", "stream", "mode", "size",
                "events", "events/s", "MB/s", "p50 us", "p99 us", "p99.9 us", "retrans", "gaps", "lost", "order");
        for (StreamResult s : result.streams()) {
            out.printf(Locale.ROOT, "%-8s %-15s %4d B %,11d %10s %8.1f %9.1f %9.1f %9.1f %8s %7s %,8d %6s%n",
                    s.from() + " -> " + s.to(), s.reliable() ? "reliable" : "fire-and-forget", s.size(), s.received(),
                    rate(s.eventsPerSecond()), s.megabytesPerSecond(), s.p50Nanos() / 1e3, s.p99Nanos() / 1e3,
                    s.p999Nanos() / 1e3, s.reliable() ? String.format(Locale.ROOT, "%,d", s.retransmits()) : "-",
                    s.reliable() ? "-" : String.format(Locale.ROOT, "%,d", s.gaps()), s.lost(),
                    s.outOfOrder() == 0 ? "kept" : "BROKEN");
        }
        out.println();
        out.printf(Locale.ROOT, "%-5s %-22s %6s %12s %12s %8s  %s%n", "node", "address", "peers", "pkts/send-sc",
                "pkts/recv-sc", "k-drops", "drops by reason");
        for (NodeResult n : result.nodes()) {
            out.printf(Locale.ROOT, "%-5s %-22s %6d %12.1f %12.1f %,8d  %s%n", n.name(), n.address(), n.peers(),
                    n.packetsPerSendSyscall(), n.packetsPerRecvSyscall(), n.kernelDrops(), drops(n.drops()));
        }
        out.println();
        out.println("latency: sender's nanoTime in the event to the receiver's handler, same clock (one process). "
                + "retrans: reliable packets sent again after a NACK or RTO; gaps: fire-and-forget packets missing; "
                + "lost: events sent and never delivered.");
        out.println("drops: INJECTED_LOSS is the demo's " + trim(config.lossPercent()) + " % (recovered by "
                + "retransmission on reliable streams, counted as gaps on fire-and-forget ones); DUPLICATE a "
                + "retransmission that crossed its ack; k-drops the kernel's drop count (SO_MEMINFO).");
        long reliableEvents = 0;
        long reliableStreams = 0;
        long retransmits = 0;
        for (StreamResult s : result.streams()) {
            if (s.reliable()) {
                reliableStreams++;
                reliableEvents += s.received();
                retransmits += s.retransmits();
            }
        }
        String failure = result.failure();
        if (failure == null) {
            out.printf(Locale.ROOT, "OK: all %,d events of the %d reliable streams arrived, in order (%,d "
                    + "retransmissions)%n", reliableEvents, reliableStreams, retransmits);
        } else {
            out.println("FAIL: " + failure);
        }
        out.flush();
    }

    private static String drops(Map<DropReason, Long> drops) {
        if (drops.isEmpty()) {
            return "none";
        }
        StringBuilder b = new StringBuilder();
        new EnumMap<>(drops).forEach((reason, count) -> b.append(b.isEmpty() ? "" : ", ").append(reason).append(' ')
                .append(String.format(Locale.ROOT, "%,d", count)));
        return b.toString();
    }

    private static String rate(double perSecond) {
        if (perSecond >= 1e6) {
            return String.format(Locale.ROOT, "%.2f M", perSecond / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f k", perSecond / 1e3);
    }

    private static String name(List<DemoNode> nodes, long nodeId) {
        for (DemoNode n : nodes) {
            if (n.node != null && n.node.nodeId() == nodeId) {
                return n.name;
            }
        }
        return hex(nodeId);
    }

    private static String hex(long nodeId) {
        return String.format(Locale.ROOT, "%016x", nodeId);
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left;
        while ((left = nanos - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /** Setup failed: discovery, handshake. */
    private static final class SetupException extends Exception {
        SetupException(String message) {
            super(message);
        }
    }
}
