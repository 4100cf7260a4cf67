package io.meshwire.mesh;

import static io.meshwire.mesh.MeshTesting.config;
import static io.meshwire.mesh.MeshTesting.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwire.wire.DropReason;
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

/** Beacons on loopback: nodes learn each other's id, key and address, and connect by node id alone. */
@Timeout(30)
class DiscoveryTest {
    private final List<MeshNode> nodes = new ArrayList<>();

    @AfterEach
    void closeNodes() {
        nodes.forEach(MeshNode::close);
    }

    private MeshNode node(EventHandler handler) throws Exception {
        MeshNode n = MeshNode.start(config().build(), handler);
        nodes.add(n);
        return n;
    }

    @Test
    void shouldConnectByNodeIdWhenPeersAnnounceThemselves() throws Exception {
        List<Long> atC = new CopyOnWriteArrayList<>();
        MeshNode a = node(null);
        MeshNode b = node(null);
        MeshNode c = node(e -> atC.add(e.getLongLE(0)));
        List<DiscoveredNode> seenByA = new CopyOnWriteArrayList<>();
        a.addListener(new MeshListener() {
            @Override
            public void onNodeDiscovered(DiscoveredNode node) {
                seenByA.add(node);
            }
        });
        for (MeshNode from : nodes) {
            for (MeshNode to : nodes) {
                if (from != to) {
                    from.addBeaconTarget(to.localAddress());
                }
            }
        }
        // no address, no key: only the node id
        PeerInfo peer = a.connect(c.nodeId()).get(5, TimeUnit.SECONDS);
        assertThat(peer.address()).isEqualTo(c.localAddress());
        MeshStream stream = a.openStream(c.nodeId(), 1, StreamConfig.reliable());
        assertThat(stream.send(events(0, 20, 32), Duration.ofSeconds(5))).isEqualTo(20);
        MeshNodeTest.awaitCount(atC, 20);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (a.discovered().size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(a.discovered()).extracting(DiscoveredNode::nodeId)
                .containsExactlyInAnyOrder(b.nodeId(), c.nodeId());
        DiscoveredNode cAsSeen = a.discovered().stream().filter(d -> d.nodeId() == c.nodeId()).findFirst().orElseThrow();
        assertThat(cAsSeen.staticPublicKey()).isEqualTo(c.staticPublicKey());
        assertThat(cAsSeen.address()).isEqualTo(c.localAddress());
        assertThat(seenByA).extracting(DiscoveredNode::nodeId).contains(b.nodeId(), c.nodeId());
        // beacons keep coming; none of them is taken for a replay
        assertThat(a.stats().drops(DropReason.REPLAYED)).isZero();

        // and b, which nobody told about a, accepts a's handshake because it knows a from a's beacons
        assertThat(b.connect(a.nodeId()).get(5, TimeUnit.SECONDS).nodeId()).isEqualTo(a.nodeId());
    }

    @Test
    void shouldFailConnectByNodeIdWhenNodeNeverAnnounces() throws Exception {
        MeshNode a = MeshNode.start(config().handshakeTimeout(Duration.ofMillis(100)).handshakeRetries(1).build());
        nodes.add(a);
        assertThatThrownBy(() -> a.connect(777).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class)
                .hasMessageContaining("not discovered");
    }
}
