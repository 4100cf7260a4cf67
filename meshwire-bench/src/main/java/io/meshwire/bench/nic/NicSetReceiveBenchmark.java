package io.meshwire.bench.nic;

import io.meshwire.nic.NetworkInterfaceInfo;
import io.meshwire.nic.NicDatagramHandler;
import io.meshwire.nic.NicSetConfig;
import io.meshwire.nic.NicSocket;
import io.meshwire.nic.NicSocketSet;
import io.meshwire.nic.SocketRole;
import io.meshwire.transport.DatagramEndpoint;
import io.meshwire.transport.DatagramHandler;
import io.meshwire.transport.EndpointConfig;
import org.openjdk.jmh.annotations.AuxCounters;
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

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Receive capacity of a {@link NicSocketSet} on two NICs against a single {@link DatagramEndpoint} socket, in
 * the same run and under the same load: two flooding sender threads in a separate process ({@link FloodSender}),
 * aimed at the set's two NIC sockets, or both at the endpoint's one socket. Each op hands one batch (up to 64) to
 * a handler; the {@code datagrams} counter is the capacity. With {@code -prof gc} the normalised allocation is
 * the receive path's alone (consumer and, DEDICATED_THREAD, receive thread; the senders live in the other
 * process).
 *
 * <p>{@code mode} is who reads, for the set and the endpoint alike: {@code INLINE} (both defaults: the
 * benchmark thread's receive call waits and reads itself) or {@code DEDICATED_THREAD} (a receive thread reads and
 * hands batches over a queue). Compare the set with the endpoint within one mode; the target (set ≥ 0.9×
 * the single-socket transport) is the INLINE pair, the defaults.
 *
 * <p>The two "NICs" are two loopback addresses ({@code 127.1.0.1}, {@code 127.2.0.1}) given to the set as an
 * interface list: the receive path (one epoll wait, recvmmsg per ready socket) is what is measured, and it does
 * not depend on which device delivered the datagrams.
 *
 * <pre>./meshwire bench jmh NicSetReceiveBenchmark -prof gc</pre>
 * (add {@code -p mode=INLINE} for the defaults only).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m"})
public class NicSetReceiveBenchmark {

    private static final int BUFFER = 4 << 20;

    /** The receiver under test and its flood. */
    @State(Scope.Benchmark)
    public static class Flood {
        @Param({"SET_TWO_NICS", "ENDPOINT"})
        public String system;
        @Param({"64", "1200"})
        public int size;
        @Param({"INLINE", "DEDICATED_THREAD"})
        public String mode;

        NicSocketSet set;
        DatagramEndpoint endpoint;
        Process sender;
        long sink;
        final NicDatagramHandler setHandler = d -> sink += d.length();
        final DatagramHandler endpointHandler = d -> sink += d.length();
        final Duration wait = Duration.ofSeconds(1);

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            List<String> dests = new ArrayList<>();
            EndpointConfig.ReceiveMode receiveMode = EndpointConfig.ReceiveMode.valueOf(mode);
            if (system.equals("SET_TWO_NICS")) {
                set = NicSocketSet.open(NicSetConfig.builder()
                        .interfaces(List.of(nic("bench1", "127.1.0.1"), nic("bench2", "127.2.0.1")))
                        .broadcastRx(false).receiveBufferSize(BUFFER).receiveBatchSize(64).queueDepth(64)
                        .receiveMode(receiveMode)
                        .backend(EndpointConfig.BackendPreference.NATIVE).build());
                for (NicSocket s : set.sockets()) {
                    if (s.role() == SocketRole.UNICAST) {
                        dests.add(s.localAddress().getAddress().getHostAddress() + ":" + s.localAddress().getPort());
                    }
                }
            } else {
                endpoint = DatagramEndpoint.open(EndpointConfig.builder().bind("127.1.0.1", 0)
                        .receiveBufferSize(BUFFER).receiveBatchSize(64).queueDepth(64)
                        .receiveMode(receiveMode)
                        .backend(EndpointConfig.BackendPreference.NATIVE).build());
                InetSocketAddress a = endpoint.localAddress();
                String d = a.getAddress().getHostAddress() + ":" + a.getPort();
                dests.add(d);
                dests.add(d);
            }
            List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                    "--enable-native-access=ALL-UNNAMED", "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                    FloodSender.class.getName(), String.valueOf(size)));
            cmd.addAll(dests);
            sender = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String ready = new BufferedReader(new InputStreamReader(sender.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            if (!"FLOODING".equals(ready)) {
                throw new IOException("flood sender did not start: " + ready);
            }
        }

        private static NetworkInterfaceInfo nic(String name, String address) {
            return new NetworkInterfaceInfo(1, name, InetAddress.ofLiteral(address), 16,
                    Optional.<Inet4Address>empty(), true, false, true);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            sender.getOutputStream().close();
            if (!sender.waitFor(10, TimeUnit.SECONDS)) {
                sender.destroyForcibly();
            }
            if (set != null) {
                set.close();
            }
            if (endpoint != null) {
                endpoint.close();
            }
        }
    }

    /**
     * Datagrams handed to the consumer, reported per second next to the ops, and the benchmark thread's CPU time.
     *
     * <p>{@code cpuMicros} (CPU microseconds per wall-clock second) makes the capacity independent of how the
     * scheduler shares the two vCPUs: on loopback the flooding senders do the delivery work, and {@code perf sched}
     * shows the receiving CPU idle about 30 % of the time, so {@code datagrams} alone measures how much CPU the
     * senders got. With {@link EndpointConfig.ReceiveMode#INLINE} every receive syscall and parse runs on the
     * benchmark thread, so {@code datagrams / cpuMicros * 1e6} (datagrams per receiving CPU-second) is what the
     * receive path costs under this load, whatever share of the CPUs the scheduler gave it. In {@code DEDICATED_THREAD} mode the receive thread's CPU is not
     * counted and {@code cpuMicros} means nothing.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Received {
        /** Ops between two reads of the thread CPU clock (one system call each, so not every op). */
        private static final int CPU_SAMPLE_MASK = 63;
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

        public long datagrams;
        public long cpuMicros;
        private long ops;
        private long cpuStart;

        @Setup(Level.Iteration)
        public void reset() {
            datagrams = 0;
            cpuMicros = 0;
            ops = 0;
            cpuStart = THREADS.getCurrentThreadCpuTime();
        }

        void add(int n) {
            datagrams += n;
            if ((++ops & CPU_SAMPLE_MASK) == 0) {
                cpuMicros = (THREADS.getCurrentThreadCpuTime() - cpuStart) / 1000;
            }
        }
    }

    /** One batch of up to 64 through the handler API. */
    @Benchmark
    public int receiveBatch(Flood f, Received r) throws IOException {
        int n = f.set != null ? f.set.receive(f.setHandler, 64, f.wait) : f.endpoint.receiveBatch(f.endpointHandler, 64);
        r.add(n);
        return n;
    }
}
