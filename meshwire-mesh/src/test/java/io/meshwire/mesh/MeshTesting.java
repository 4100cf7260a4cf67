package io.meshwire.mesh;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Loopback nodes with short timers for tests. */
final class MeshTesting {
    static final byte[] PSK = filled(32, 0x5A);

    private MeshTesting() {
    }

    static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    /** Test timing: heartbeats every 50 ms, suspected after 500 ms, failed after 1 s; short handshakes. */
    static MeshConfig.Builder config() {
        return MeshConfig.builder()
                .psk(PSK)
                .bind("127.0.0.1", 0)
                .socketBufferBytes(4 * 1024 * 1024)
                .heartbeatInterval(Duration.ofMillis(50))
                .suspectTimeout(Duration.ofMillis(500))
                .failTimeout(Duration.ofSeconds(1))
                .handshakeTimeout(Duration.ofMillis(500))
                .handshakeRetries(3)
                .beaconInterval(Duration.ofMillis(50))
                .membershipTimeout(Duration.ofMillis(300));
    }

    static MeshNode start(MeshConfig.Builder builder) throws IOException {
        return MeshNode.start(builder.build());
    }

    /** Connects {@code from} to {@code to} and waits until both sides have the session. */
    static void connect(MeshNode from, MeshNode to) throws Exception {
        to.accept(from.nodeId());
        from.connect(to.localAddress(), to.staticPublicKey(), to.nodeId()).get(10, TimeUnit.SECONDS);
        to.awaitPeer(from.nodeId(), Duration.ofSeconds(10));
    }

    static InetSocketAddress address(MeshNode node) {
        return node.localAddress();
    }

    /** An event holding its index (8 bytes LE) padded to {@code size}. */
    static ByteBuffer event(long index, int size) {
        ByteBuffer b = ByteBuffer.allocate(Math.max(8, size)).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, index);
        for (int i = 8; i < b.capacity(); i++) {
            b.put(i, (byte) (index + i));
        }
        return b;
    }

    static List<ByteBuffer> events(long from, int count, int size) {
        List<ByteBuffer> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(event(from + i, size));
        }
        return out;
    }
}
