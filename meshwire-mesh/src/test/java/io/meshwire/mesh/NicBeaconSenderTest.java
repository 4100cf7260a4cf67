package io.meshwire.mesh;

import static io.meshwire.mesh.MeshTesting.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link NicBeaconSender} on loopback only: its setup checks, its receive path with a beacon set restricted to
 * {@code 127.0.0.1} (fan-out skips loopback, so nothing here is broadcast; every datagram is sent to 127.0.0.1), and
 * a node that has it and unicast beacon targets at once.
 * The real fan-out over two NICs is {@link NicDiscoveryNetnsTest}.
 */
@Timeout(30)
class NicBeaconSenderTest {
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    @Test
    void shouldRejectSetConfigWhenItCannotCarryBeacons() {
        assertThatThrownBy(() -> NicBeaconSender.setConfig(0)).hasMessageContaining("beaconPort");
        assertThatThrownBy(() -> NicBeaconSender.factory(NicBeaconSender.setConfig(47950)
                .family(StandardProtocolFamily.INET6).build())).hasMessageContaining("INET set");
        assertThatThrownBy(() -> NicBeaconSender.factory(NicBeaconSender.setConfig(47950).wildcardRx(false).build()))
                .hasMessageContaining("wildcardRx(true)");
        assertThatThrownBy(() -> NicBeaconSender.factory(NicBeaconSender.setConfig(47950).broadcast(false).build()))
                .hasMessageContaining("SO_BROADCAST");
        assertThatThrownBy(() -> NicBeaconSender.factory(NicBeaconSender.setConfig(47950).broadcastRx(true).build()))
                .hasMessageContaining("broadcastRx(false)");
    }

    @Test
    void shouldRefuseToStartWhenNodeIsBoundToLoopback() {
        NicBeaconSender.Factory factory = NicBeaconSender.factory(NicBeaconSender.setConfig(47950).build());
        assertThatThrownBy(() -> MeshNode.start(config().beaconSender(factory).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bind it to 0.0.0.0");
        assertThat(factory.sender()).isNull();
    }

    @Test
    void shouldHandBeaconsToTheNodeAndDropDuplicatesOwnAndForeignDatagramsWhenTheyArrive() throws Exception {
        int beaconPort = freePort();
        NicBeaconSender.Factory factory = loopbackOnly(beaconPort);
        MeshNode a = track(MeshNode.start(config().bind("0.0.0.0", 0).beaconSender(factory).build()));
        // the node attached itself at start; attach only looks the sender up
        NicBeaconSender sender = factory.sender();
        assertThat(factory.attach(a)).isSameAs(sender);
        assertThat(sender.port()).isEqualTo(beaconPort);
        assertThatThrownBy(() -> factory.create(null)).hasMessageContaining("one factory per node");

        // b announces itself by unicast to a's beacon port and to a capture socket
        DatagramChannel capture = track(DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0)));
        MeshNode b = track(MeshNode.start(config().beaconTargets(List.of(new InetSocketAddress("127.0.0.1",
                beaconPort), (InetSocketAddress) capture.getLocalAddress())).build()));
        b.accept(a.nodeId());

        // discovered through the beacon set, at b's own port; connect by node id alone
        PeerInfo peer = a.connect(b.nodeId()).get(10, TimeUnit.SECONDS);
        assertThat(peer.address()).isEqualTo(b.localAddress());
        assertThat(a.discovered()).extracting(DiscoveredNode::nodeId).containsExactly(b.nodeId());
        assertThat(sender.passed()).isPositive();

        // an exact copy of a beacon already passed on is dropped here, not counted as a replay by the node
        // the newest one: the sender remembers only the last few beacons it passed on
        ByteBuffer beacon = ByteBuffer.allocate(200);
        capture.receive(beacon);
        capture.configureBlocking(false);
        ByteBuffer next = ByteBuffer.allocate(200);
        while (capture.receive(next.clear()) != null) {
            beacon.clear().put(next.flip());
        }
        beacon.flip();
        assertThat(beacon.remaining()).isEqualTo(Beacons.LENGTH);
        try (DatagramChannel raw = DatagramChannel.open()) {
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", beaconPort);
            long duplicates = sender.duplicates();
            raw.send(beacon.duplicate(), to);
            awaitAbove(sender::duplicates, duplicates);
            long ignored = sender.ignored();
            raw.send(ByteBuffer.wrap(new byte[10]), to);
            awaitAbove(sender::ignored, ignored);
            // the node's own beacon, heard back
            byte[] own = new byte[Beacons.LENGTH];
            beacon.get(0, own);
            Wire.putLong(own, Beacons.NODE_ID_OFFSET, a.nodeId());
            long ownBeacons = sender.ownBeacons();
            raw.send(ByteBuffer.wrap(own), to);
            awaitAbove(sender::ownBeacons, ownBeacons);
        }

        // with no non-loopback NIC in the set nothing can be announced, and no copy was sent
        assertThat(sender.copiesSent()).isZero();
        assertThatThrownBy(() -> sender.send(ByteBuffer.allocate(Beacons.LENGTH)))
                .isInstanceOf(IOException.class).hasMessageContaining("no up, non-loopback NIC");

        // the node closes its sender; closing again does nothing
        a.close();
        assertThat(sender.socketSet().isClosed()).isTrue();
        sender.close();
        assertThatThrownBy(() -> sender.send(ByteBuffer.allocate(Beacons.LENGTH))).isInstanceOf(IOException.class);
    }

    @Test
    void shouldAlsoBeaconToUnicastTargetsWhenDiscoveryOnEveryNicIsOn() throws Exception {
        int beaconPort = freePort();
        NicBeaconSender.Factory factory = loopbackOnly(beaconPort);
        // b and c listen on loopback only: a's per-NIC beacons (broadcasts, and here on no NIC at all: the set holds
        // loopback alone, which fan-out skips) never reach them, only its unicast ones can
        MeshNode b = track(MeshNode.start(config().beaconTargets(List.of(new InetSocketAddress("127.0.0.1",
                beaconPort))).build()));
        MeshNode c = track(MeshNode.start(config().build()));
        MeshNode a = track(MeshNode.start(config().bind("0.0.0.0", 0).beaconSender(factory)
                .beaconTargets(List.of(b.localAddress())).build()));
        a.addBeaconTarget(c.localAddress());
        InetSocketAddress aOnLoopback = new InetSocketAddress("127.0.0.1", a.localAddress().getPort());

        // through the configured target and the one added later, though the fan-out fails on every beacon
        assertThat(awaitDiscovered(b, a.nodeId()).address()).isEqualTo(aOnLoopback);
        assertThat(awaitDiscovered(c, a.nodeId()).address()).isEqualTo(aOnLoopback);
        NicBeaconSender sender = factory.sender();
        assertThat(sender.copiesSent()).isZero();
        // and a still hears b through its beacon set, so both find each other by node id alone
        assertThat(awaitDiscovered(a, b.nodeId()).address()).isEqualTo(b.localAddress());
        assertThat(sender.passed()).isPositive();
        assertThat(b.connect(a.nodeId()).get(10, TimeUnit.SECONDS).address()).isEqualTo(aOnLoopback);
    }

    private static DiscoveredNode awaitDiscovered(MeshNode node, long nodeId) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            for (DiscoveredNode d : node.discovered()) {
                if (d.nodeId() == nodeId) {
                    return d;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError(Long.toUnsignedString(nodeId, 16) + " not discovered within 5 s; known: "
                + node.discovered());
    }

    private static void awaitAbove(LongSupplier counter, long before) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (counter.getAsLong() <= before && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(counter.getAsLong()).isGreaterThan(before);
    }

    /** A beacon set on 127.0.0.1 only: it hears beacons sent to it, and its fan-out has no NIC to go through. */
    private static NicBeaconSender.Factory loopbackOnly(int beaconPort) {
        return NicBeaconSender.factory(NicBeaconSender.setConfig(beaconPort).includeLoopback(true)
                .onlyAddress(InetAddress.getLoopbackAddress()).followInterfaces(false).build());
    }

    /** A port that was free a moment ago: the beacon set needs a fixed one, and a shared one would split traffic. */
    private static int freePort() throws IOException {
        try (DatagramChannel probe = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            return ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
    }

    private <T extends AutoCloseable> T track(T c) {
        toClose.add(c);
        return c;
    }
}
