package io.meshwire.mesh;

import static io.meshwire.mesh.MeshTesting.config;
import static io.meshwire.mesh.MeshTesting.connect;
import static io.meshwire.mesh.MeshTesting.events;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwire.crypto.AeadBackend;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The hot paths allocate nothing per event: the sending thread (pack, seal, batch send) and the receiving node
 * thread (receive, open, validate, deliver, grants), with the allocation-free AEAD backend. Bytes are read from the
 * JVM's per-thread allocation counters; the best of a few bounded rounds is taken so a one-off (JIT, class loading)
 * does not decide.
 */
@Timeout(60)
class AllocationTest {
    private static final int ROUND_EVENTS = 100_000;
    private static final int BATCH = 100;

    @Test
    void shouldAllocateNothingPerEventWhenStreamingWithTheBouncyCastleBackend() throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        AtomicLong received = new AtomicLong();
        try (MeshNode a = MeshNode.start(config().aeadBackend(AeadBackend.BOUNCY_CASTLE).build());
             MeshNode b = MeshNode.start(config().aeadBackend(AeadBackend.BOUNCY_CASTLE).build(),
                     e -> received.incrementAndGet())) {
            connect(a, b);
            Thread receiver = nodeThread(b);
            MeshStream stream = a.openStream(b.nodeId(), 1, StreamConfig.fireAndForget());
            List<ByteBuffer> batch = events(0, BATCH, 64);

            double bestSend = Double.MAX_VALUE;
            double bestReceive = Double.MAX_VALUE;
            for (int round = 0; round < 4; round++) {
                long sentBefore = mx.getCurrentThreadAllocatedBytes();
                long receivedBefore = mx.getThreadAllocatedBytes(receiver.threadId());
                long start = received.get();
                int sent = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (sent < ROUND_EVENTS && System.nanoTime() < deadline) {
                    int n = stream.trySend(batch);
                    sent += n;
                    if (n < BATCH) {
                        Thread.onSpinWait(); // out of credit: the receiver's grants free it
                    }
                }
                long sendBytes = mx.getCurrentThreadAllocatedBytes() - sentBefore;
                while (received.get() < start + sent && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                long receiveBytes = mx.getThreadAllocatedBytes(receiver.threadId()) - receivedBefore;
                assertThat(sent).isGreaterThanOrEqualTo(ROUND_EVENTS);
                bestSend = Math.min(bestSend, (double) sendBytes / sent);
                bestReceive = Math.min(bestReceive, (double) receiveBytes / sent);
            }
            System.out.printf("allocation: %.3f B/event sent, %.3f B/event received%n", bestSend, bestReceive);
            assertThat(bestSend).as("bytes allocated per event sent").isLessThan(1.0);
            assertThat(bestReceive).as("bytes allocated per event received").isLessThan(1.0);
        }
    }

    private static Thread nodeThread(MeshNode node) {
        String name = "meshwire-node-" + node.localAddress().getPort();
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst()
                .orElseThrow();
    }
}
