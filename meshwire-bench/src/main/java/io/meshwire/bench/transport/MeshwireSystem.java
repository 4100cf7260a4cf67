package io.meshwire.bench.transport;

import io.meshwire.transport.DatagramEndpoint;
import io.meshwire.transport.DatagramHandler;
import io.meshwire.transport.EndpointConfig;
import io.meshwire.transport.SendBatch;
import io.meshwire.transport.TransportClosedException;
import io.meshwire.transport.TransportStats;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.time.Duration;
import java.util.List;

/**
 * meshwire's own systems: {@code meshwire-native} (FFM recvmmsg read inline by the consumer, the default receive
 * mode; sendmmsg batches of 64), {@code meshwire-thread} (the same with a dedicated receive thread and its batch
 * queue), {@code meshwire-moderated} (the first with {@link EndpointConfig.IdleStrategy#moderated}: between reads
 * it sleeps on a timer for up to 1 ms before blocking), {@code meshwire-nio} (the portable backend) and {@code meshwire-gso} (GSO runs of 54 into a GRO
 * receiver, at 1200 B like the C GSO baseline). Senders are connected, as the C, JDK and Netty senders are.
 *
 * <p>For experiments, {@code -Dmeshwire.bench.idle=SPIN_NANOS,YIELD_NANOS[,PARK_NANOS]} (or {@code block},
 * {@code spin}) sets the receivers' idle strategy, {@code -Dmeshwire.bench.batch=N} their receive batch size,
 * {@code -Dmeshwire.bench.rcvbuf=BYTES} their {@code SO_RCVBUF} request,
 * {@code -Dmeshwire.bench.mode=INLINE|DEDICATED_THREAD} their receive mode, {@code -Dmeshwire.bench.sources=true}
 * has them ask the kernel for source addresses (off by default: the C receiver reads none), and
 * {@code -Dmeshwire.bench.jvm="-XX:..."} adds options to both child JVMs; the harness passes {@code meshwire.bench.*}
 * properties on to its child JVMs.
 */
final class MeshwireSystem extends JavaPeerSystem {

    private static final int SEND_BATCH = 64;
    private static final int GSO_SEGMENTS = 54;
    private static final Duration MODERATION_WINDOW = Duration.ofMillis(1);

    private final EndpointConfig.BackendPreference backend;
    private final EndpointConfig.ReceiveMode mode;
    private final boolean gso;
    private final EndpointConfig.IdleStrategy idle;

    private MeshwireSystem(String name, EndpointConfig.BackendPreference backend, EndpointConfig.ReceiveMode mode,
            boolean gso) {
        this(name, backend, mode, gso, EndpointConfig.IdleStrategy.BLOCK);
    }

    private MeshwireSystem(String name, EndpointConfig.BackendPreference backend, EndpointConfig.ReceiveMode mode,
            boolean gso, EndpointConfig.IdleStrategy idle) {
        super(name);
        this.backend = backend;
        this.mode = mode;
        this.gso = gso;
        this.idle = idle;
    }

    static MeshwireSystem nativeBackend() {
        return new MeshwireSystem("meshwire-native", EndpointConfig.BackendPreference.NATIVE,
                EndpointConfig.ReceiveMode.INLINE, false);
    }

    static MeshwireSystem receiveThread() {
        return new MeshwireSystem("meshwire-thread", EndpointConfig.BackendPreference.NATIVE,
                EndpointConfig.ReceiveMode.DEDICATED_THREAD, false);
    }

    /** The default endpoint with the throughput idle strategy: timer polls for 1 ms before blocking. */
    static MeshwireSystem moderated() {
        return new MeshwireSystem("meshwire-moderated", EndpointConfig.BackendPreference.NATIVE,
                EndpointConfig.ReceiveMode.INLINE, false, EndpointConfig.IdleStrategy.moderated(MODERATION_WINDOW));
    }

    static MeshwireSystem nioBackend() {
        return new MeshwireSystem("meshwire-nio", EndpointConfig.BackendPreference.NIO,
                EndpointConfig.ReceiveMode.INLINE, false);
    }

    static MeshwireSystem gsoGro() {
        return new MeshwireSystem("meshwire-gso", EndpointConfig.BackendPreference.NATIVE,
                EndpointConfig.ReceiveMode.INLINE, true);
    }

    @Override
    protected List<String> jvmOptions() {
        List<String> options = super.jvmOptions();
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("meshwire.bench.")) {
                options.add("-D" + key + "=" + System.getProperty(key));
            }
        }
        String extra = System.getProperty("meshwire.bench.jvm");
        if (extra != null && !extra.isBlank()) {
            options.addAll(List.of(extra.strip().split("\\s+")));
        }
        return options;
    }

    /** The receiver's configuration, with the experiment overrides of the class comment applied. */
    private EndpointConfig receiverConfig(PeerContext context) {
        // The receiver counts bytes and never replies, like the C receiver (which passes no msg_name): it asks
        // the kernel for no source addresses, which saves one address copy per datagram.
        EndpointConfig.Builder b = EndpointConfig.builder().bindAddress(context.address()).backend(backend)
                .receiveMode(mode).gro(gso).instrumentation(true).idleStrategy(idle)
                .sourceAddresses(Boolean.getBoolean("meshwire.bench.sources"));
        String idle = System.getProperty("meshwire.bench.idle");
        if (idle != null) {
            b.idleStrategy(switch (idle) {
                case "block" -> EndpointConfig.IdleStrategy.BLOCK;
                case "spin" -> EndpointConfig.IdleStrategy.busySpin();
                default -> {
                    String[] parts = idle.split(",");
                    yield new EndpointConfig.IdleStrategy(Long.parseLong(parts[0].strip()),
                            Long.parseLong(parts[1].strip()), parts.length > 2 ? Long.parseLong(parts[2].strip()) : 0);
                }
            });
        }
        String mode = System.getProperty("meshwire.bench.mode");
        if (mode != null) {
            b.receiveMode(EndpointConfig.ReceiveMode.valueOf(mode.strip()));
        }
        String rcvbuf = System.getProperty("meshwire.bench.rcvbuf");
        if (rcvbuf != null) {
            b.receiveBufferSize(Integer.parseInt(rcvbuf.strip()));
        }
        String batch = System.getProperty("meshwire.bench.batch");
        if (batch != null) {
            b.receiveBatchSize(Integer.parseInt(batch.strip()));
        }
        return b.build();
    }

    @Override
    public boolean supportsSize(int size) {
        // like c-gso-gro, the GSO system is measured at 1200 B (54 segments fill one 64 KiB super-datagram)
        return gso ? size == 1200 : super.supportsSize(size);
    }

    @Override
    protected void receive(PeerContext context, ReceiveStats stats) throws Exception {
        try (DatagramEndpoint rx = DatagramEndpoint.open(receiverConfig(context))) {
            System.err.println(name() + ": recv " + rx.localAddress() + " " + rx.socketInfo());
            context.ready(rx.localAddress().getPort(), rx);
            long[] bytes = new long[1];
            DatagramHandler handler = d -> bytes[0] += d.length();
            try {
                // One call per iteration, not the body inline: under a flood each receiveBatch returns 30-60
                // datagrams, so this loop turns only ~15 k times a second, and a body written here ran in the
                // interpreter until the back-edge counter triggered an OSR compile 4-5 s into the run (measured
                // with -Xlog:jit+compilation: 2.6 % of the receiving thread's samples in the interpreter). A
                // method invoked that often is compiled within the first few hundred milliseconds.
                while (true) {
                    receiveOnce(rx, handler, bytes, stats);
                }
            } catch (TransportClosedException stopped) {
                // the stopper closed the endpoint: the run is over
            }
            TransportStats s = rx.stats();
            stats.addCalls(s.receiveBatchHistogram(), s.receiveSyscalls());
        }
    }

    private static void receiveOnce(DatagramEndpoint rx, DatagramHandler handler, long[] bytes, ReceiveStats stats)
            throws TransportClosedException {
        bytes[0] = 0;
        int n = rx.receiveBatch(handler, 4096);
        stats.onReceive(n, bytes[0]);
    }

    @Override
    protected void send(PeerContext context, SendStats stats) throws Exception {
        InetSocketAddress dest = context.address();
        int size = context.spec().size();
        int perBatch = gso ? GSO_SEGMENTS * 4 : SEND_BATCH;
        // connected, like the other senders: the kernel looks the route up once, not per datagram
        EndpointConfig config = EndpointConfig.builder()
                .bindAddress(new InetSocketAddress(dest.getAddress(), 0)).connectAddress(dest).backend(backend)
                .sendOnly(true).gso(gso).build();
        try (DatagramEndpoint tx = DatagramEndpoint.open(config);
             SendBatch batch = SendBatch.allocate(perBatch, perBatch * size)) {
            for (int i = 0; i < perBatch; i++) {
                int off = batch.claim(size);
                for (int j = 0; j < size; j++) {
                    batch.memory().set(java.lang.foreign.ValueLayout.JAVA_BYTE, off + j, (byte) j);
                }
            }
            long deadline = context.sendDeadlineNanos();
            // one call per iteration, as in receive: a loop turning ~10 k times a second would otherwise run
            // interpreted until its OSR compile, most of a 10 s run
            while (System.nanoTime() < deadline) {
                sendOnce(tx, batch, size, stats);
            }
        }
    }

    private static void sendOnce(DatagramEndpoint tx, SendBatch batch, int size, SendStats stats)
            throws IOException {
        try {
            int sent = tx.sendBatch(batch);
            stats.onSent(sent, (long) sent * size);
        } catch (PortUnreachableException e) {
            // ICMP port unreachable from an earlier datagram: the receiver is not (or no longer) bound
            stats.onError();
        }
    }
}
