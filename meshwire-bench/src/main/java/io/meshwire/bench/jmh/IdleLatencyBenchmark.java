package io.meshwire.bench.jmh;

import io.meshwire.transport.Datagram;
import io.meshwire.transport.DatagramEndpoint;
import io.meshwire.transport.EndpointConfig;
import io.meshwire.transport.TransportClosedException;
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
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What a receiver's idle strategy costs in latency: one 64-byte request/response round trip on loopback between two
 * endpoints with the same {@link EndpointConfig.IdleStrategy}, an echo thread on one side. Each side waits for
 * every datagram, the case a timer-moderated receiver is worst at (each wait ends in the timer phase).
 *
 * <pre>./meshwire bench jmh IdleLatencyBenchmark</pre>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m"})
public class IdleLatencyBenchmark {

    private static final long WAIT_MILLIS = 100;

    /** Two endpoints with the idle strategy under test; the second echoes on its own thread. */
    @State(Scope.Benchmark)
    public static class Pair {
        /** {@code BLOCK}, {@code MODERATED_1MS} or {@code SPIN_50US} (spin 50 µs, then block). */
        @Param({"BLOCK", "MODERATED_1MS", "SPIN_50US"})
        public String idle;

        DatagramEndpoint client;
        DatagramEndpoint echo;
        InetSocketAddress echoAddress;
        Thread echoThread;
        final ByteBuffer request = ByteBuffer.allocateDirect(64);

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            EndpointConfig.IdleStrategy strategy = switch (idle) {
                case "BLOCK" -> EndpointConfig.IdleStrategy.BLOCK;
                case "MODERATED_1MS" -> EndpointConfig.IdleStrategy.moderated(Duration.ofMillis(1));
                case "SPIN_50US" -> new EndpointConfig.IdleStrategy(50_000, 0);
                default -> throw new IllegalArgumentException("unknown idle strategy " + idle);
            };
            InetSocketAddress lo = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            echo = DatagramEndpoint.open(EndpointConfig.builder().bindAddress(lo).idleStrategy(strategy).build());
            echoAddress = echo.localAddress();
            client = DatagramEndpoint.open(EndpointConfig.builder().bindAddress(lo).idleStrategy(strategy).build());
            echoThread = Thread.ofPlatform().daemon().name("bench-echo").start(this::echoLoop);
        }

        private void echoLoop() {
            ByteBuffer reply = ByteBuffer.allocateDirect(64);
            try {
                while (true) {
                    try (Datagram d = echo.receive(WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                        if (d != null) {
                            echo.send(reply.clear(), d.source());
                        }
                    }
                }
            } catch (TransportClosedException e) {
                // torn down
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            client.close();
            echo.close();
            echoThread.join(5_000);
        }
    }

    /** One request and its echo; a lost one (never seen on loopback) ends the op after 100 ms. */
    @Benchmark
    public int roundTrip(Pair p) throws IOException {
        p.client.send(p.request.clear(), p.echoAddress);
        try (Datagram d = p.client.receive(WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
            return d == null ? -1 : d.length();
        }
    }
}
