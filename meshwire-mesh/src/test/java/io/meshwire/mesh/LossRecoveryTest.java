package io.meshwire.mesh;

import static io.meshwire.mesh.MeshTesting.config;
import static io.meshwire.mesh.MeshTesting.connect;
import static io.meshwire.mesh.MeshTesting.events;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwire.wire.DropReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded loss injected on both nodes' receive paths (data, grants, NACKs and heartbeats all get lost): reliable
 * streams must deliver everything in order; fire-and-forget streams must keep going and count what they lost.
 */
@Timeout(60)
class LossRecoveryTest {
    private static final int EVENTS = 20_000;
    private final List<MeshNode> nodes = new ArrayList<>();

    @AfterEach
    void closeNodes() {
        nodes.forEach(MeshNode::close);
    }

    private static final class Collector implements EventHandler {
        final long[] indices = new long[EVENTS + 1];
        final AtomicInteger count = new AtomicInteger();

        @Override
        public void onEvent(MeshEvent e) {
            int n = count.get();
            if (n < indices.length) {
                indices[n] = e.getLongLE(0);
            }
            count.set(n + 1);
        }

        void await(int n, long seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (count.get() < n && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }
    }

    private MeshNode[] pair(double loss, EventHandler handler) throws Exception {
        MeshNode a = MeshNode.start(config().lossInjection(LossInjection.onReceive(11, loss)).build());
        nodes.add(a);
        MeshNode b = MeshNode.start(config().lossInjection(LossInjection.onReceive(29, loss)).build(), handler);
        nodes.add(b);
        connect(a, b);
        return new MeshNode[] {a, b};
    }

    @ParameterizedTest(name = "{0} loss")
    @ValueSource(doubles = {0.05, 0.20})
    void shouldDeliverEverythingInOrderWhenReliableStreamLosesPackets(double loss) throws Exception {
        Collector got = new Collector();
        MeshNode[] ab = pair(loss, got);
        MeshNode a = ab[0];
        MeshNode b = ab[1];
        // net-mesh's default of 3 retries resets a stream once in ~600 packets at 20 % loss; allow more here
        StreamConfig reliable = StreamConfig.reliable().toBuilder().maxRetries(16).build();
        MeshStream stream = a.openStream(b.nodeId(), 5, reliable);
        for (int i = 0; i < EVENTS; i += 200) {
            assertThat(stream.send(events(i, 200, 100), Duration.ofSeconds(20))).isEqualTo(200);
        }
        got.await(EVENTS, 30);

        assertThat(got.count.get()).isEqualTo(EVENTS);
        for (int i = 0; i < EVENTS; i++) {
            if (got.indices[i] != i) {
                throw new AssertionError("event " + i + " arrived as " + got.indices[i]);
            }
        }
        MeshStats sent = a.stats();
        MeshStats received = b.stats();
        assertThat(received.drops(DropReason.INJECTED_LOSS)).isPositive();
        assertThat(sent.retransmits()).isPositive();
        assertThat(sent.streamResets()).isZero();
        assertThat(stream.isOpen()).isTrue();
        assertThat(received.eventsReceived()).isEqualTo(EVENTS);
        assertThat(received.gaps()).isZero();
    }

    @ParameterizedTest(name = "{0} loss")
    @ValueSource(doubles = {0.05, 0.20})
    void shouldCountGapsWhenFireAndForgetStreamLosesPackets(double loss) throws Exception {
        Collector got = new Collector();
        MeshNode[] ab = pair(loss, got);
        MeshNode a = ab[0];
        MeshNode b = ab[1];
        MeshStream stream = a.openStream(b.nodeId(), 6, StreamConfig.fireAndForget());
        for (int i = 0; i < EVENTS; i += 200) {
            // lost packets must not keep holding credit, or this stalls
            assertThat(stream.send(events(i, 200, 100), Duration.ofSeconds(10))).isEqualTo(200);
        }
        long packetsSent = stream.stats().packetsSent() + stream.stats().probes();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        InboundStats in = null;
        while (System.nanoTime() < deadline) {
            in = b.inboundStats().stream().filter(s -> s.streamId() == 6).findFirst().orElse(null);
            if (in != null && in.packets() + in.gaps() >= packetsSent - 3) {
                break;
            }
            Thread.sleep(10);
        }
        assertThat(in).isNotNull();
        int n = got.count.get();
        assertThat(n).isLessThan(EVENTS).isGreaterThan((int) (EVENTS * (1 - loss - 0.1)));
        for (int i = 1; i < n; i++) {
            assertThat(got.indices[i]).isGreaterThan(got.indices[i - 1]);
        }
        assertThat(in.gaps()).isPositive();
        // every packet is either received or counted as a gap; only a lost tail is invisible to the receiver
        // (a probe sent after the count above is a packet too)
        assertThat(in.packets() + in.gaps()).isBetween(packetsSent - 3, packetsSent + stream.stats().probes());
        assertThat(b.stats().gaps()).isEqualTo(in.gaps());
        assertThat(a.stats().retransmits()).isZero();
    }

    @Test
    void shouldKeepSendingWhenFireAndForgetPacketsAfterTheLastReceivedAreLost() throws Exception {
        Collector got = new Collector();
        // loss on the sender only, and a window smaller than one packet: every lost packet is the tail, and its
        // credit is all the window has, so without a probe the first loss would stall the stream for good
        MeshNode a = MeshNode.start(config().lossInjection(new LossInjection(7, 0, 0.2)).build());
        nodes.add(a);
        MeshNode b = MeshNode.start(config().build(), got);
        nodes.add(b);
        connect(a, b);
        StreamConfig tiny = StreamConfig.fireAndForget().toBuilder().windowBytes(1024).build();
        MeshStream stream = a.openStream(b.nodeId(), 7, tiny);
        int sent = 0;
        for (int i = 0; i < 100; i++) {
            // a stall costs a probe interval or a few (50 ms, doubling while probes are lost too)
            int n = stream.send(events(i, 1, 1000), Duration.ofSeconds(3));
            if (n == 0) {
                break;
            }
            sent += n;
        }

        assertThat(sent).isEqualTo(100);
        StreamStats stats = stream.stats();
        assertThat(stats.probes()).isPositive();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (stream.stats().creditInUse() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(stream.stats().creditInUse()).as("credit of lost packets returned").isZero();
        StreamStats done = stream.stats();
        InboundStats in = b.inboundStats().stream().filter(s -> s.streamId() == 7).findFirst().orElseThrow();
        // every data packet and every probe was received or counted as a gap: nothing is invisible any more
        assertThat(in.packets() + in.gaps()).isEqualTo(done.packetsSent() + done.probes());
        assertThat(done.packetsSent()).isEqualTo(100);
        assertThat(in.gaps()).isPositive();
        assertThat(got.count.get()).isEqualTo((int) in.events()).isLessThan(100);
        assertThat(b.stats().drops(DropReason.INBOUND_FULL)).isZero();
    }
}
