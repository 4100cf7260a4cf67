package io.meshwire.bench.nic;

import io.meshwire.transport.DatagramEndpoint;
import io.meshwire.transport.EndpointConfig;
import io.meshwire.transport.SendBatch;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The load of {@link NicSetReceiveBenchmark}, in its own process so that its allocations and threads do not
 * count in the benchmark JVM: one thread per destination floods it with {@code sendmmsg} batches of 64 datagrams
 * until stdin closes (or 10 minutes pass, a bound in case the parent died).
 *
 * <pre>java -cp ... io.meshwire.bench.nic.FloodSender SIZE IP:PORT [IP:PORT...]</pre>
 */
public final class FloodSender {
    private static final long MAX_NANOS = 600_000_000_000L;

    private FloodSender() {
    }

    /**
     * Entry point.
     *
     * @param args the datagram size, then one loopback {@code ip:port} per sender thread
     * @throws Exception if a socket cannot be opened
     */
    public static void main(String[] args) throws Exception {
        int size = Integer.parseInt(args[0]);
        List<Thread> threads = new ArrayList<>();
        long end = System.nanoTime() + MAX_NANOS;
        for (int i = 1; i < args.length; i++) {
            String[] hp = args[i].split(":");
            InetSocketAddress dest = new InetSocketAddress(InetAddress.ofLiteral(hp[0]), Integer.parseInt(hp[1]));
            if (!dest.getAddress().isLoopbackAddress()) {
                throw new IllegalArgumentException("FloodSender sends to loopback only: " + dest);
            }
            DatagramEndpoint tx = DatagramEndpoint.open(EndpointConfig.builder().bind("127.0.0.1", 0).sendOnly(true)
                    .gso(false).build());
            threads.add(Thread.ofPlatform().daemon().start(() -> {
                try (SendBatch batch = SendBatch.allocate(64, 64 * size)) {
                    for (int k = 0; k < 64; k++) {
                        batch.claim(size);
                    }
                    while (System.nanoTime() < end) {
                        tx.sendBatch(batch, dest);
                    }
                } catch (IOException e) {
                    System.err.println("FloodSender: " + e);
                }
            }));
        }
        System.out.println("FLOODING");
        System.out.flush();
        while (System.in.read() != -1) {
            // the parent ends us by closing stdin
        }
        System.exit(0);
    }
}
