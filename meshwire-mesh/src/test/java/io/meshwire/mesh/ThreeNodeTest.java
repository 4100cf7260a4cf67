package io.meshwire.mesh;

import static io.meshwire.mesh.MeshTesting.config;
import static io.meshwire.mesh.MeshTesting.connect;
import static io.meshwire.mesh.MeshTesting.event;
import static io.meshwire.mesh.MeshTesting.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Three nodes: a full mesh of sessions, streams in every direction, and channel pub/sub with delivery reports. */
@Timeout(30)
class ThreeNodeTest {
    private final List<MeshNode> nodes = new ArrayList<>();

    @AfterEach
    void closeNodes() {
        nodes.forEach(MeshNode::close);
    }

    /** Events received per (receiver, sender), as indices. */
    private final Map<String, List<Long>> received = new ConcurrentHashMap<>();

    private MeshNode node(String name) throws Exception {
        MeshNode n = MeshNode.start(config().build(), e -> received
                .computeIfAbsent(name + "<" + Long.toUnsignedString(e.peerNodeId(), 16) + "/" + e.channelHash(),
                        k -> new CopyOnWriteArrayList<>())
                .add(e.getLongLE(0)));
        nodes.add(n);
        return n;
    }

    private List<Long> at(String receiver, MeshNode from, int channelHash) {
        return received.computeIfAbsent(receiver + "<" + Long.toUnsignedString(from.nodeId(), 16) + "/" + channelHash,
                k -> new CopyOnWriteArrayList<>());
    }

    @Test
    void shouldStreamBetweenEveryPairWhenThreeNodesConnect() throws Exception {
        MeshNode a = node("a");
        MeshNode b = node("b");
        MeshNode c = node("c");
        connect(a, b);
        connect(a, c);
        connect(b, c);
        MeshNode[] all = {a, b, c};
        for (MeshNode from : all) {
            for (MeshNode to : all) {
                if (from != to) {
                    MeshStream s = from.openStream(to.nodeId(), 1, StreamConfig.reliable());
                    assertThat(s.send(events(0, 300, 48), Duration.ofSeconds(5))).isEqualTo(300);
                }
            }
        }
        String[] names = {"a", "b", "c"};
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                if (i != j) {
                    List<Long> got = at(names[j], all[i], 0);
                    MeshNodeTest.awaitCount(got, 300);
                    assertThat(got).hasSize(300);
                    for (int k = 0; k < 300; k++) {
                        assertThat(got.get(k)).isEqualTo(k);
                    }
                }
            }
            assertThat(all[i].peers()).hasSize(2).allMatch(p -> p.state() == PeerState.CONNECTED);
        }
    }

    @Test
    void shouldFanOutToSubscribersWhenPublishing() throws Exception {
        MeshNode pub = node("pub");
        MeshNode s1 = node("s1");
        MeshNode s2 = node("s2");
        connect(s1, pub);
        connect(s2, pub);
        ChannelPublisher channel = pub.publisher("sensors/lidar/front", StreamConfig.reliable());
        int hash = channel.channel().wireHash();
        assertThat(pub.publish(channel, event(0, 16)).attempted()).isZero();

        s1.subscribe(pub.nodeId(), "sensors/lidar/front").get(5, TimeUnit.SECONDS);
        s2.subscribe(pub.nodeId(), "sensors/lidar/front").get(5, TimeUnit.SECONDS);
        assertThat(channel.subscribers()).containsExactlyInAnyOrder(s1.nodeId(), s2.nodeId());

        PublishReport report = pub.publish(channel, events(0, 100, 64), Duration.ofSeconds(5));
        assertThat(report.attempted()).isEqualTo(2);
        assertThat(report.delivered()).isEqualTo(2);
        assertThat(report.complete()).isTrue();
        List<Long> at1 = at("s1", pub, hash);
        List<Long> at2 = at("s2", pub, hash);
        MeshNodeTest.awaitCount(at1, 100);
        MeshNodeTest.awaitCount(at2, 100);
        assertThat(at1).hasSize(100).isEqualTo(at2);
        assertThat(at1.getLast()).isEqualTo(99);

        s2.unsubscribe(pub.nodeId(), "sensors/lidar/front").get(5, TimeUnit.SECONDS);
        PublishReport after = pub.publish(channel, List.of(event(100, 64)));
        assertThat(after.attempted()).isEqualTo(1);
        assertThat(after.delivered()).isEqualTo(1);
        MeshNodeTest.awaitCount(at1, 101);
        Thread.sleep(50);
        assertThat(at2).hasSize(100);
    }

    @Test
    void shouldReportFailedSubscriberWhenItDies() throws Exception {
        MeshNode pub = node("pub");
        MeshNode s1 = node("s1");
        MeshNode s2 = MeshNode.start(config().build());
        connect(s1, pub);
        connect(s2, pub);
        ChannelPublisher channel = pub.publisher("alerts");
        s1.subscribe(pub.nodeId(), "alerts").get(5, TimeUnit.SECONDS);
        s2.subscribe(pub.nodeId(), "alerts").get(5, TimeUnit.SECONDS);
        s2.close();
        // until the failure detector evicts s2, its stream still takes events (UDP cannot tell); after, it is gone
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (pub.peer(s2.nodeId()).isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        PublishReport report = pub.publish(channel, event(1, 8));
        assertThat(report.attempted()).isEqualTo(1);
        assertThat(report.delivered()).isEqualTo(1);
        assertThat(channel.subscribers()).containsExactly(s1.nodeId());
    }

    @Test
    void shouldFailSubscribeWhenPublisherIsNotConnected() throws Exception {
        MeshNode s1 = node("s1");
        assertThatThrownBy(() -> s1.subscribe(42, "x").get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalStateException.class);
    }
}
