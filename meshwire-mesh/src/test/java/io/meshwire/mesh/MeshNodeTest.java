package io.meshwire.mesh;

import static io.meshwire.mesh.MeshTesting.config;
import static io.meshwire.mesh.MeshTesting.connect;
import static io.meshwire.mesh.MeshTesting.event;
import static io.meshwire.mesh.MeshTesting.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwire.wire.DropReason;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two nodes on loopback: sessions, streams, handler and poll delivery, heartbeats, failure detection. */
@Timeout(30)
class MeshNodeTest {
    private final List<MeshNode> nodes = new ArrayList<>();

    @AfterEach
    void closeNodes() {
        nodes.forEach(MeshNode::close);
    }

    private MeshNode node(MeshConfig.Builder b) throws Exception {
        MeshNode n = MeshNode.start(b.build());
        nodes.add(n);
        return n;
    }

    private MeshNode node(MeshConfig.Builder b, EventHandler handler) throws Exception {
        MeshNode n = MeshNode.start(b.build(), handler);
        nodes.add(n);
        return n;
    }

    @Test
    void shouldEstablishSessionOnBothSidesWhenConnecting() throws Exception {
        MeshNode a = node(config());
        MeshNode b = node(config());
        List<PeerInfo> connected = new CopyOnWriteArrayList<>();
        b.addListener(new MeshListener() {
            @Override
            public void onPeerConnected(PeerInfo peer) {
                connected.add(peer);
            }
        });
        b.accept(a.nodeId());
        PeerInfo info = a.connect(b.localAddress(), b.staticPublicKey(), b.nodeId()).get(5, TimeUnit.SECONDS);
        PeerInfo back = b.awaitPeer(a.nodeId(), Duration.ofSeconds(5));

        assertThat(info.nodeId()).isEqualTo(b.nodeId());
        assertThat(info.state()).isEqualTo(PeerState.CONNECTED);
        assertThat(back.sessionId()).isEqualTo(info.sessionId());
        // the listener runs on b's node thread just after the session becomes current, which awaitPeer already sees
        awaitCount(connected, 1);
        assertThat(connected).extracting(PeerInfo::nodeId).containsExactly(a.nodeId());
        // heartbeats flow both ways
        Thread.sleep(200);
        assertThat(a.stats().heartbeatsReceived()).isPositive();
        assertThat(b.stats().heartbeatsReceived()).isPositive();
        assertThat(a.stats().handshakesCompleted()).isEqualTo(1);
    }

    @Test
    void shouldReturnExistingSessionWhenConnectingTwice() throws Exception {
        MeshNode a = node(config());
        MeshNode b = node(config());
        connect(a, b);
        PeerInfo again = a.connect(b.localAddress(), b.staticPublicKey(), b.nodeId()).get(5, TimeUnit.SECONDS);
        assertThat(again.sessionId()).isEqualTo(a.peer(b.nodeId()).orElseThrow().sessionId());
        assertThat(a.stats().handshakesCompleted()).isEqualTo(1);
    }

    @Test
    void shouldDeliverEventsInOrderWhenPolling() throws Exception {
        MeshNode a = node(config());
        MeshNode b = node(config());
        connect(a, b);
        MeshStream stream = a.openStream(b.nodeId(), 7, StreamConfig.reliable());
        int total = 5_000;
        List<Long> got = new ArrayList<>();
        Thread poller = Thread.ofPlatform().start(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            try {
                while (got.size() < total && System.nanoTime() < deadline) {
                    b.poll(e -> {
                        if (e.peerNodeId() == a.nodeId() && e.streamId() == 7 && e.length() == 64) {
                            got.add(e.getLongLE(0));
                        }
                    }, 1000, Duration.ofMillis(100));
                }
            } catch (InterruptedException ignored) {
                // test ends
            }
        });
        // 5,000 events are ~330 KB of packets, five times the 64 KiB window: this only completes as b consumes
        for (int i = 0; i < total; i += 100) {
            assertThat(stream.send(events(i, 100, 64), Duration.ofSeconds(5))).isEqualTo(100);
        }
        poller.join();
        assertThat(got).hasSize(total);
        for (int i = 0; i < total; i++) {
            assertThat(got.get(i)).isEqualTo(i);
        }
        // greedy packing: 64-byte events, ~118 per packet
        assertThat(stream.stats().packetsSent()).isLessThan(total / 50);
        assertThat(b.stats().eventsReceived()).isEqualTo(total);
    }

    @Test
    void shouldCallHandlerOnNodeThreadWhenStartedWithOne() throws Exception {
        List<Long> got = new CopyOnWriteArrayList<>();
        MeshNode a = node(config());
        MeshNode b = node(config(), e -> got.add(e.getLongLE(0)));
        connect(a, b);
        MeshStream stream = a.openStream(b.nodeId(), 1);
        assertThat(stream.trySend(event(41, 16))).isEqualTo(SendResult.SENT);
        assertThat(stream.trySend(events(42, 3, 16))).isEqualTo(3);
        awaitCount(got, 4);
        assertThat(got).containsExactly(41L, 42L, 43L, 44L);
        assertThatThrownBy(() -> b.poll(e -> { }, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldKeepFirstConfigWhenOpeningStreamAgain() throws Exception {
        MeshNode a = node(config());
        MeshNode b = node(config());
        connect(a, b);
        MeshStream first = a.openStream(b.nodeId(), 9, StreamConfig.reliable());
        MeshStream second = a.openStream(b.nodeId(), 9, StreamConfig.fireAndForget());
        assertThat(second).isSameAs(first);
        assertThat(second.config().reliability()).isEqualTo(Reliability.RELIABLE);
        assertThatThrownBy(() -> a.openStream(12345, 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("connect first");
    }

    @Test
    void shouldSendOnBothDirectionsWhenResponderOpensStream() throws Exception {
        List<Long> atA = new CopyOnWriteArrayList<>();
        MeshNode a = node(config(), e -> atA.add(e.getLongLE(0)));
        MeshNode b = node(config());
        connect(a, b);
        MeshStream back = b.openStream(a.nodeId(), 3, StreamConfig.reliable());
        assertThat(back.send(events(0, 10, 100), Duration.ofSeconds(5))).isEqualTo(10);
        awaitCount(atA, 10);
        assertThat(atA).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    }

    @Test
    void shouldRejectOversizedEventWhenSending() throws Exception {
        MeshNode a = node(config());
        MeshNode b = node(config());
        connect(a, b);
        MeshStream stream = a.openStream(b.nodeId(), 1);
        assertThatThrownBy(() -> stream.trySend(ByteBuffer.allocate(8105)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("8104");
        assertThat(stream.trySend(ByteBuffer.allocate(8104))).isEqualTo(SendResult.SENT);
    }

    @Test
    void shouldFailConnectWhenPskDiffers() throws Exception {
        MeshNode a = node(config().handshakeTimeout(Duration.ofMillis(100)).handshakeRetries(1));
        MeshNode b = node(config().psk(MeshTesting.filled(32, 1)));
        b.accept(a.nodeId());
        assertThatThrownBy(() -> a.connect(b.localAddress(), b.staticPublicKey(), b.nodeId()).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
        assertThat(b.stats().drops(DropReason.HANDSHAKE_FAILED)).isEqualTo(2);
        assertThat(a.stats().handshakesFailed()).isEqualTo(1);
        assertThat(b.peers()).isEmpty();
    }

    @Test
    void shouldRefuseHandshakeWhenInitiatorIsNotAccepted() throws Exception {
        MeshNode a = node(config().handshakeTimeout(Duration.ofMillis(100)).handshakeRetries(0));
        MeshNode b = node(config());
        assertThatThrownBy(() -> a.connect(b.localAddress(), b.staticPublicKey(), b.nodeId()).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(TimeoutException.class);
        assertThat(b.stats().drops(DropReason.HANDSHAKE_FAILED)).isEqualTo(1);
    }

    @Test
    void shouldDetectKilledPeerAsFailedWithinFailTimeout() throws Exception {
        Duration fail = Duration.ofMillis(600);
        MeshConfig.Builder cfg = config().heartbeatInterval(Duration.ofMillis(50)).suspectTimeout(Duration.ofMillis(300))
                .failTimeout(fail);
        MeshNode a = node(cfg);
        MeshNode b = MeshNode.start(config().build());
        connect(a, b);
        MeshStream stream = a.openStream(b.nodeId(), 1, StreamConfig.reliable());
        List<String> events = new CopyOnWriteArrayList<>();
        long[] failedAt = new long[1];
        a.addListener(new MeshListener() {
            @Override
            public void onPeerSuspected(PeerInfo peer) {
                events.add("suspected");
            }

            @Override
            public void onPeerFailed(PeerInfo peer) {
                failedAt[0] = System.nanoTime();
                events.add("failed");
            }
        });
        Thread.sleep(200);
        assertThat(events).isEmpty(); // heartbeats keep it alive
        long killed = System.nanoTime();
        b.close();
        long deadline = killed + TimeUnit.SECONDS.toNanos(5);
        while (!events.contains("failed") && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(events).containsExactly("suspected", "failed");
        // silence is measured from the last heartbeat (at most one interval before the kill), checked every 1 ms
        long detection = TimeUnit.NANOSECONDS.toMillis(failedAt[0] - killed);
        assertThat(detection).isBetween(fail.toMillis() - 60, fail.toMillis() + 500);
        assertThat(a.peers()).isEmpty();
        assertThat(stream.isOpen()).isFalse();
        assertThat(stream.trySend(event(1, 8))).isEqualTo(SendResult.CLOSED);
        assertThatThrownBy(() -> a.openStream(b.nodeId(), 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldReplaceSessionWhenPeerRestartsAndReconnects() throws Exception {
        List<Long> atA = new CopyOnWriteArrayList<>();
        MeshNode a = node(config(), e -> atA.add(e.getLongLE(0)));
        MeshIdentity bIdentity = MeshIdentity.fromSeed(MeshTesting.filled(32, 77));
        MeshNode b = MeshNode.start(config().identity(bIdentity).build());
        connect(a, b);
        long firstSession = a.peer(b.nodeId()).orElseThrow().sessionId();
        MeshStream old = a.openStream(b.nodeId(), 1, StreamConfig.reliable());
        b.close();

        // the same node comes back on another port before a notices; it connects again and a, knowing it, accepts
        List<Long> atB = new CopyOnWriteArrayList<>();
        MeshNode b2 = node(config().identity(bIdentity), e -> atB.add(e.getLongLE(0)));
        b2.connect(a.localAddress(), a.staticPublicKey(), a.nodeId()).get(5, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (a.peer(b.nodeId()).orElseThrow().sessionId() == firstSession && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        PeerInfo now = a.peer(b.nodeId()).orElseThrow();
        assertThat(now.sessionId()).isNotEqualTo(firstSession);
        assertThat(now.address()).isEqualTo(b2.localAddress());
        assertThat(old.isOpen()).isFalse(); // stream state belonged to the replaced session

        MeshStream fresh = a.openStream(b.nodeId(), 1, StreamConfig.reliable());
        assertThat(fresh).isNotSameAs(old);
        assertThat(fresh.send(events(0, 5, 16), Duration.ofSeconds(5))).isEqualTo(5);
        assertThat(b2.openStream(a.nodeId(), 2).send(events(0, 3, 16), Duration.ofSeconds(5))).isEqualTo(3);
        awaitCount(atB, 5);
        awaitCount(atA, 3);
        assertThat(atB).containsExactly(0L, 1L, 2L, 3L, 4L);
    }

    @Test
    void shouldBeIdempotentWhenClosingTwice() throws Exception {
        MeshNode a = MeshNode.start(config().build());
        a.close();
        a.close();
        assertThat(a.isClosed()).isTrue();
        assertThatThrownBy(() -> a.connect(12)).isInstanceOf(IllegalStateException.class);
    }

    static void awaitCount(List<?> list, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (list.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertThat(list).hasSizeGreaterThanOrEqualTo(n);
    }
}
