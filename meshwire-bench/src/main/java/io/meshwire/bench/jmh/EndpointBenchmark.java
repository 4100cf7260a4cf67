package io.meshwire.bench.jmh;

import io.meshwire.transport.DatagramEndpoint;
import io.meshwire.transport.DatagramHandler;
import io.meshwire.transport.EndpointConfig;
import io.meshwire.transport.SendBatch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;

/**
 * Receive and send paths of {@link DatagramEndpoint} on loopback, per backend. Run with {@code -prof gc}: the
 * normalised allocation rate must be 0 B/op (it sums every thread, so the receive thread and the background
 * sender are included).
 *
 * <pre>./meshwire bench jmh EndpointBenchmark -prof gc</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m"})
public class EndpointBenchmark {

    /** A receiver flooded by a background sender; each op hands one batch to a handler. */
    @State(Scope.Benchmark)
    public static class ReceiveState {
        @Param({"NATIVE", "NIO"})
        public String backend;
        @Param({"64", "1200"})
        public int size;
        @Param({"INLINE", "DEDICATED_THREAD"})
        public String mode;

        DatagramEndpoint rx;
        DatagramEndpoint tx;
        Thread sender;
        volatile boolean running;
        long sink;
        final DatagramHandler handler = d -> sink += d.length();

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            InetSocketAddress lo = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            rx = DatagramEndpoint.open(EndpointConfig.builder().bindAddress(lo)
                    .backend(EndpointConfig.BackendPreference.valueOf(backend))
                    .receiveMode(EndpointConfig.ReceiveMode.valueOf(mode)).build());
            tx = DatagramEndpoint.open(EndpointConfig.builder().bindAddress(lo).connectAddress(rx.localAddress())
                    .sendOnly(true).gso(false).build());
            running = true;
            sender = Thread.ofPlatform().daemon().name("bench-sender").start(() -> {
                try (SendBatch batch = SendBatch.allocate(64, 64 * size)) {
                    for (int i = 0; i < 64; i++) {
                        batch.claim(size);
                    }
                    while (running) {
                        tx.sendBatch(batch);
                    }
                } catch (IOException e) {
                    if (running) {
                        throw new IllegalStateException(e);
                    }
                }
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            running = false;
            sender.join(2_000);
            tx.close();
            rx.close();
        }
    }

    /** One batch of up to 64 datagrams through the handler API. */
    @Benchmark
    public int receiveBatch(ReceiveState s) throws IOException {
        return s.rx.receiveBatch(s.handler, 64);
    }

    /** An inline receiver that nothing is sent to: every poll finds the socket empty (EAGAIN). */
    @State(Scope.Benchmark)
    public static class IdleState {
        @Param({"NATIVE", "NIO"})
        public String backend;

        DatagramEndpoint rx;
        long sink;
        final DatagramHandler handler = d -> sink += d.length();

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            rx = DatagramEndpoint.open(EndpointConfig.builder()
                    .bindAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .backend(EndpointConfig.BackendPreference.valueOf(backend)).build());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            rx.close();
        }
    }

    /**
     * One non-waiting poll of an empty socket, the busy-polling consumer's common case: the path that still makes
     * the errno-capturing {@code recvmmsg}, since it must tell EAGAIN from a real error.
     */
    @Benchmark
    public int pollEmpty(IdleState s) throws IOException {
        return s.rx.pollBatch(s.handler, 64);
    }

    /** A sender into a bound channel that never reads (the kernel drops once it is full; sendto succeeds). */
    @State(Scope.Benchmark)
    public static class SendState {
        @Param({"NATIVE", "NIO"})
        public String backend;
        @Param({"64", "1200"})
        public int size;

        DatagramChannel sink;
        DatagramEndpoint tx;
        InetSocketAddress dest;
        ByteBuffer direct;
        SendBatch batch;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            InetSocketAddress lo = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            sink = DatagramChannel.open().bind(lo);
            dest = (InetSocketAddress) sink.getLocalAddress();
            tx = DatagramEndpoint.open(EndpointConfig.builder().bindAddress(lo).sendOnly(true).gso(false)
                    .backend(EndpointConfig.BackendPreference.valueOf(backend)).build());
            direct = ByteBuffer.allocateDirect(size);
            batch = SendBatch.allocate(64, 64 * size);
            for (int i = 0; i < 64; i++) {
                batch.claim(size);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            batch.close();
            tx.close();
            sink.close();
        }
    }

    /** One datagram per syscall. */
    @Benchmark
    public int send(SendState s) throws IOException {
        s.direct.clear();
        return s.tx.send(s.direct, s.dest);
    }

    /** 64 datagrams per {@code sendmmsg}. */
    @Benchmark
    public int sendBatch64(SendState s) throws IOException {
        return s.tx.sendBatch(s.batch, s.dest);
    }
}
