package io.meshwire.mesh;

import static io.meshwire.mesh.MeshTesting.config;
import static io.meshwire.mesh.MeshTesting.events;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwire.wire.DropReason;
import io.meshwire.wire.NetHeaderFlyweight;
import io.meshwire.wire.PacketFlags;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Tampered, replayed and forged datagrams reach the node through a proxy: each is dropped and counted. */
@Timeout(30)
class HostileInputTest {
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable r : resources.reversed()) {
            r.close();
        }
    }

    @Test
    void shouldDropAndCountTamperedReplayedAndForgedPackets() throws Exception {
        List<Long> got = new CopyOnWriteArrayList<>();
        MeshNode b = MeshNode.start(config().build(), e -> got.add(e.getLongLE(0)));
        resources.add(b);
        UdpProxy proxy = new UdpProxy(b.localAddress());
        resources.add(proxy);
        MeshNode a = MeshNode.start(config().build());
        resources.add(a);
        b.accept(a.nodeId());
        a.connect(proxy.address(), b.staticPublicKey(), b.nodeId()).get(5, TimeUnit.SECONDS);
        MeshStream stream = a.openStream(b.nodeId(), 1, StreamConfig.reliable());
        assertThat(stream.send(events(0, 10, 32), Duration.ofSeconds(5))).isEqualTo(10);
        MeshNodeTest.awaitCount(got, 10);

        byte[] data = firstDataPacket(proxy);
        byte[] msg1 = proxy.fromClient.getFirst();
        assertThat(msg1[NetHeaderFlyweight.FLAGS_OFFSET] & PacketFlags.HANDSHAKE).isNotZero();
        long before = b.stats().dropsTotal();

        // replayed: the same bytes again
        proxy.inject(data);
        // tampered: one ciphertext bit flipped, with a fresh counter so the replay window lets it through to the tag
        byte[] tampered = data.clone();
        tampered[NetHeaderFlyweight.HEADER_LENGTH + 5] ^= 1;
        header(tampered).nonceCounter(header(tampered).nonceCounter() + 500);
        proxy.inject(tampered);
        // tampered header (AAD): another stream id, fresh counter
        byte[] retargeted = data.clone();
        header(retargeted).streamId(99).nonceCounter(header(retargeted).nonceCounter() + 501);
        proxy.inject(retargeted);
        // forged: random ciphertext under the real session id
        byte[] forged = data.clone();
        for (int i = NetHeaderFlyweight.HEADER_LENGTH; i < forged.length; i++) {
            forged[i] = (byte) (i * 31);
        }
        header(forged).nonceCounter(header(forged).nonceCounter() + 502);
        proxy.inject(forged);
        // forged: a session that does not exist
        byte[] stranger = data.clone();
        header(stranger).sessionId(0x1234_5678_9ABC_DEF0L);
        proxy.inject(stranger);
        // replayed handshake msg1
        proxy.inject(msg1);
        // garbage and truncation
        proxy.inject(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        proxy.inject(java.util.Arrays.copyOf(data, 40));

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (b.stats().dropsTotal() < before + 8 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        MeshStats s = b.stats();
        assertThat(s.drops(DropReason.REPLAYED)).isEqualTo(2);         // data replay + msg1 replay
        assertThat(s.drops(DropReason.AUTH_FAILED)).isEqualTo(3);      // tampered payload, tampered AAD, forged
        assertThat(s.drops(DropReason.UNKNOWN_SESSION)).isEqualTo(1);
        assertThat(s.drops(DropReason.BAD_MAGIC)).isEqualTo(1);
        assertThat(s.drops(DropReason.TRUNCATED)).isEqualTo(1);
        assertThat(s.dropsTotal()).isEqualTo(before + 8);
        assertThat(b.peers()).hasSize(1);

        // nothing extra was delivered, and the session still works: the window did not move for the forgeries
        assertThat(stream.send(events(10, 5, 32), Duration.ofSeconds(5))).isEqualTo(5);
        MeshNodeTest.awaitCount(got, 15);
        Thread.sleep(50);
        assertThat(got).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L);
    }

    @Test
    void shouldDropBeaconWhenMadeWithAnotherPsk() throws Exception {
        MeshNode a = MeshNode.start(config().build());
        resources.add(a);
        MeshNode outsider = MeshNode.start(config().psk(MeshTesting.filled(32, 9))
                .beaconTargets(List.of(a.localAddress())).build());
        resources.add(outsider);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (a.stats().drops(DropReason.AUTH_FAILED) < 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(a.stats().drops(DropReason.AUTH_FAILED)).isGreaterThanOrEqualTo(2);
        assertThat(a.discovered()).isEmpty();
    }

    private static NetHeaderFlyweight header(byte[] packet) {
        return new NetHeaderFlyweight().wrap(ByteBuffer.wrap(packet), 0);
    }

    private static byte[] firstDataPacket(UdpProxy proxy) {
        for (byte[] p : proxy.fromClient) {
            NetHeaderFlyweight h = header(p);
            if (p.length > NetHeaderFlyweight.HEADER_LENGTH + 16 && h.magic() == NetHeaderFlyweight.MAGIC
                    && (h.flags() & (PacketFlags.HANDSHAKE | PacketFlags.HEARTBEAT)) == 0 && h.subprotocolId() == 0) {
                return p;
            }
        }
        throw new AssertionError("no data packet recorded");
    }
}
