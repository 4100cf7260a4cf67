package io.meshwire.mesh;

import static io.meshwire.mesh.MeshTesting.config;
import static io.meshwire.mesh.MeshTesting.connect;
import static io.meshwire.mesh.MeshTesting.event;
import static io.meshwire.mesh.MeshTesting.events;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwire.wire.DropReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A consumer that does not poll: the sender runs out of credit and is told so; nothing is lost or piled up. */
@Timeout(30)
class BackpressureTest {
    private static final int WINDOW = 16 * 1024;
    private final List<MeshNode> nodes = new ArrayList<>();

    @AfterEach
    void closeNodes() {
        nodes.forEach(MeshNode::close);
    }

    private MeshNode node() throws Exception {
        MeshNode n = MeshNode.start(config().build());
        nodes.add(n);
        return n;
    }

    @ParameterizedTest
    @EnumSource(Reliability.class)
    void shouldReportBackpressureWhenCreditIsExhausted(Reliability reliability) throws Exception {
        MeshNode a = node();
        MeshNode b = node();
        connect(a, b);
        StreamConfig cfg = StreamConfig.builder().reliability(reliability).windowBytes(WINDOW).build();
        MeshStream stream = a.openStream(b.nodeId(), 2, cfg);

        int accepted = 0;
        SendResult last;
        while ((last = stream.trySend(event(accepted, 1000))) == SendResult.SENT) {
            accepted++;
            assertThat(accepted).isLessThan(100);
        }
        assertThat(last).isEqualTo(SendResult.BACKPRESSURE);
        // one 1000-byte event per packet: 68 + 4 + 1000 + 16 = 1088 wire bytes, 15 fit in 16 KiB
        assertThat(accepted).isEqualTo(WINDOW / 1088);
        StreamStats st = stream.stats();
        assertThat(st.creditInUse()).isLessThanOrEqualTo(WINDOW);
        assertThat(st.backpressured()).isEqualTo(1);
        assertThat(a.stats().backpressured()).isEqualTo(1);

        // the batch form reports how many it took, here none
        assertThat(stream.trySend(events(1000, 5, 1000))).isZero();
        // the blocking form waits for its deadline, then reports backpressure
        long start = System.nanoTime();
        assertThat(stream.send(event(2000, 1000), Duration.ofMillis(200))).isEqualTo(SendResult.BACKPRESSURE);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(190);

        // the receiver holds what was sent, bounded by the window, and dropped nothing
        Thread.sleep(100);
        InboundStats in = b.inboundStats().getFirst();
        assertThat(in.events()).isEqualTo(accepted);
        assertThat(in.bufferedBytes()).isLessThanOrEqualTo(WINDOW);
        assertThat(b.stats().drops(DropReason.INBOUND_FULL)).isZero();

        // consuming returns the credit: a blocking send now goes through
        List<Long> got = new ArrayList<>();
        assertThat(b.poll(e -> got.add(e.getLongLE(0)), 1000)).isEqualTo(accepted);
        assertThat(stream.send(event(accepted, 1000), Duration.ofSeconds(5))).isEqualTo(SendResult.SENT);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (got.size() <= accepted && System.nanoTime() < deadline) {
            b.poll(e -> got.add(e.getLongLE(0)), 1000, Duration.ofMillis(50));
        }
        assertThat(got).hasSize(accepted + 1);
        for (int i = 0; i <= accepted; i++) {
            assertThat(got.get(i)).isEqualTo(i);
        }
    }

    @Test
    void shouldWaitForCreditWhenBlockingSendOutrunsTheConsumer() throws Exception {
        MeshNode a = node();
        MeshNode b = node();
        connect(a, b);
        MeshStream stream = a.openStream(b.nodeId(), 4, StreamConfig.builder().windowBytes(WINDOW).build());
        int total = 2_000;
        List<Long> got = new ArrayList<>();
        Thread slowConsumer = Thread.ofPlatform().start(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            try {
                while (got.size() < total && System.nanoTime() < deadline) {
                    b.poll(e -> got.add(e.getLongLE(0)), 20, Duration.ofMillis(50));
                    Thread.sleep(1);
                }
            } catch (InterruptedException ignored) {
                // test ends
            }
        });
        for (int i = 0; i < total; i += 50) {
            assertThat(stream.send(events(i, 50, 500), Duration.ofSeconds(10))).isEqualTo(50);
            assertThat(stream.stats().creditInUse()).isLessThanOrEqualTo(WINDOW);
        }
        slowConsumer.join();
        assertThat(got).hasSize(total);
        assertThat(stream.stats().backpressured()).isPositive();
        assertThat(b.stats().drops(DropReason.INBOUND_FULL)).isZero();
    }
}
