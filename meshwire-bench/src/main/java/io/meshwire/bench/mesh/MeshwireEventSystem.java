package io.meshwire.bench.mesh;

import io.meshwire.crypto.AeadBackend;
import io.meshwire.mesh.MeshConfig;
import io.meshwire.mesh.MeshIdentity;
import io.meshwire.mesh.MeshNode;
import io.meshwire.mesh.MeshStream;
import io.meshwire.mesh.StreamConfig;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.HexFormat;
import java.util.Map;
import java.util.RandomAccess;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * meshwire's mesh node as a system of the event benchmark: two processes, encryption on (ChaCha20-Poly1305 on
 * every packet, keys from the Noise NKpsk0 handshake), one reliable stream. The subscriber's node hands each event
 * to its handler on the node thread (no hand-off) and announces its node id and static public key on its READY
 * line; the publisher connects with them, opens the stream, and offers batches of stamped events with
 * {@link MeshStream#trySend(java.util.List)} as fast as the credit window allows: the events of a batch are packed
 * greedily into packets of up to 8108 payload bytes and go out in one batched send.
 *
 * <p>The responder of a handshake must know the initiator's node id (it is in the Noise prologue), so the
 * publisher's identity comes from a fixed seed that the subscriber accepts. Both use a fixed benchmark PSK.
 *
 * <p>Tuning, chosen by measurement (BENCHMARKS.md): the AEAD backend is a constructor argument because a saturated
 * stream packs full 8 KB packets, where the JDK's intrinsics beat the zero-allocation {@code JAVA} backend about 2×
 * (both run, as {@code meshwire} and {@code meshwire-java-aead}); the credit window is 1 MiB
 * ({@link EventSystems#WINDOW_BYTES}).
 */
final class MeshwireEventSystem implements EventSystem {

    static final String NODE_FIELD = "node";
    static final String KEY_FIELD = "key";
    static final String CHILD_JVM_OPTIONS = "meshwire.bench.childJvmOptions";
    /** {@code -Dmeshwire.bench.diagnostics=true} (through the child options): both nodes print their counters. */
    static final String DIAGNOSTICS = "meshwire.bench.diagnostics";
    private static final byte[] PSK = seed(0x42);
    private static final MeshIdentity PUBLISHER = MeshIdentity.fromSeed(seed(0x50));
    private static final long STREAM_ID = 1;
    /** Events offered per {@code trySend}: enough for several full packets at 64 B. */
    private static final int BATCH_BYTES = 64 * 1024;
    private static final int MAX_BATCH = 1024;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);
    private static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long IDLE_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(10);
    private static final int DEADLINE_CHECK_MASK = 15;

    private final String name;
    private final AeadBackend aead;
    private final int windowBytes;

    MeshwireEventSystem(String name, AeadBackend aead, int windowBytes) {
        this.name = name;
        this.aead = aead;
        this.windowBytes = windowBytes;
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Passes the window override on to the children, and {@code -Dmeshwire.bench.childJvmOptions=...} (options
     * separated by spaces or by commas before a dash, e.g. {@code -XX:StartFlightRecording=...,-Dx=y}) for
     * profiling.
     */
    @Override
    public List<String> jvmOptions() {
        List<String> options = new ArrayList<>();
        options.add("-D" + EventSystems.WINDOW_PROPERTY + "=" + windowBytes);
        String extra = System.getProperty(CHILD_JVM_OPTIONS, "").strip();
        if (!extra.isEmpty()) {
            options.addAll(List.of(extra.split("\\s+|,(?=-)")));
        }
        return options;
    }

    private MeshConfig.Builder config(InetSocketAddress bind) {
        return MeshConfig.builder()
                .psk(PSK)
                .bindAddress(bind)
                .socketBufferBytes(16 * 1024 * 1024)
                .heartbeatInterval(Duration.ofMillis(500))
                .suspectTimeout(Duration.ofSeconds(5))
                .failTimeout(Duration.ofSeconds(10))
                .handshakeTimeout(Duration.ofSeconds(1))
                .handshakeRetries(5)
                .inboundBufferBytes(Math.max(256 * 1024, 2 * windowBytes))
                .aeadBackend(aead);
    }

    private StreamConfig streamConfig() {
        return StreamConfig.reliable().toBuilder().windowBytes(windowBytes).maxRetries(50).build();
    }

    @Override
    public void subscribe(EventPeer peer, EventStats stats) throws Exception {
        MeshConfig config = config(peer.address()).build();
        try (MeshNode node = MeshNode.start(config, e -> stats.onEvent(e.length(), e.getLongLE(0), e.receiveNanos()))) {
            node.accept(PUBLISHER.nodeId());
            CountDownLatch stop = new CountDownLatch(1);
            peer.ready(node.localAddress().getPort(), Map.of(NODE_FIELD, Long.toUnsignedString(node.nodeId(), 16),
                    KEY_FIELD, HexFormat.of().formatHex(node.staticPublicKey())), stop::countDown);
            stop.await();
            if (Boolean.getBoolean(DIAGNOSTICS)) {
                System.err.println("subscriber node: " + node.stats() + " inbound " + node.inboundStats() + cpu());
            }
        }
    }

    @Override
    public void publish(EventPeer peer, EventStats.Published stats) throws Exception {
        String nodeField = peer.params().get(NODE_FIELD);
        String keyField = peer.params().get(KEY_FIELD);
        if (nodeField == null || keyField == null) {
            throw new IllegalArgumentException("the subscriber's READY line lacks node= or key=: " + peer.params());
        }
        long subscriberId = Long.parseUnsignedLong(nodeField, 16);
        byte[] subscriberKey = HexFormat.of().parseHex(keyField);
        int size = peer.spec().size();
        MeshConfig config = config(new InetSocketAddress(peer.spec().host(), 0)).identity(PUBLISHER).build();
        try (MeshNode node = MeshNode.start(config)) {
            node.connect(peer.address(), subscriberKey, subscriberId)
                    .get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            MeshStream stream = node.openStream(subscriberId, STREAM_ID, streamConfig());
            Batch batch = new Batch(Math.clamp(BATCH_BYTES / (size + 4), 1, MAX_BATCH), size);
            long deadline = peer.sendDeadlineNanos();
            for (long i = 0; (i & DEADLINE_CHECK_MASK) != 0 || System.nanoTime() < deadline; i++) {
                int accepted = batch.offer(stream);
                if (accepted > 0) {
                    for (int k = 0; k < accepted; k++) {
                        stats.onPublished(size);
                    }
                } else if (!stream.isOpen()) {
                    throw new IllegalStateException("the reliable stream to the subscriber ended (reset or session "
                            + "lost) after " + batch.accepted + " events");
                } else {
                    stats.onBackpressure();
                    LockSupport.parkNanos(IDLE_PARK_NANOS);
                }
            }
            // Reliable: let retransmissions and the last grants finish before the node (and its store) goes away.
            long lingerUntil = System.nanoTime() + LINGER_NANOS;
            while (stream.stats().unacked() > 0 && System.nanoTime() < lingerUntil) {
                Thread.sleep(5);
            }
            if (Boolean.getBoolean(DIAGNOSTICS)) {
                System.err.println("publisher node: " + node.stats() + " stream " + stream.stats() + cpu());
            }
        }
    }

    /** CPU time of the process and of each live thread, for the diagnostics. */
    private static String cpu() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        StringBuilder b = new StringBuilder(" cpu: process ").append(ProcessHandle.current().info().totalCpuDuration()
                .map(d -> d.toMillis() + " ms").orElse("?"));
        for (long id : threads.getAllThreadIds()) {
            java.lang.management.ThreadInfo info = threads.getThreadInfo(id);
            long nanos = threads.getThreadCpuTime(id);
            if (info != null && nanos > 50_000_000L) {
                b.append(", ").append(info.getThreadName()).append(' ').append(nanos / 1_000_000).append(" ms");
            }
        }
        return b.toString();
    }

    private static byte[] seed(int value) {
        byte[] b = new byte[32];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    /** Reused events; each offer stamps those not yet accepted and hands them over as one list, allocation free. */
    private static final class Batch extends AbstractList<ByteBuffer> implements RandomAccess {
        private final ByteBuffer[] events;
        private int from;
        long accepted;

        Batch(int count, int size) {
            events = new ByteBuffer[count];
            for (int i = 0; i < count; i++) {
                events[i] = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
            }
        }

        int offer(MeshStream stream) {
            long now = System.nanoTime();
            for (int i = from; i < events.length; i++) {
                events[i].putLong(0, now);
            }
            int n = stream.trySend(this);
            from += n;
            if (from == events.length) {
                from = 0;
            }
            accepted += n;
            return n;
        }

        @Override
        public ByteBuffer get(int index) {
            return events[from + index];
        }

        @Override
        public int size() {
            return events.length - from;
        }
    }
}
