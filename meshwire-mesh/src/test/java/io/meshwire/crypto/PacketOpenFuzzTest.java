package io.meshwire.crypto;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.meshwire.wire.DropCounters;
import io.meshwire.wire.EventFrameReader;
import io.meshwire.wire.NetHeaderFlyweight;
import io.meshwire.wire.NetPacketParser;
import io.meshwire.wire.PacketKind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of the whole receive path (parse, open, frames) on mutations of a valid sealed packet:
 * the input is XORed onto it, and a byte past its end cuts it short. Nothing may throw, and any change to an
 * authenticated byte must be rejected; only hop_count (byte 6) and the nonce prefix (bytes 12–15) are outside the
 * AEAD (spec §2.3, §2.4).
 */
public class PacketOpenFuzzTest {
    private static final DropCounters DROPS = new DropCounters();
    private static final SessionKeys TX_KEYS =
            new SessionKeys(0x0102030405060708L, PacketProtectorTest.filled(32, 9), new byte[32]);
    private static final byte[] SEALED;
    private static final NetPacketParser PARSER = new NetPacketParser(DROPS);
    private static final EventFrameReader FRAMES = new EventFrameReader(DROPS);

    static {
        ByteBuffer buffer = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        NetHeaderFlyweight h = new NetHeaderFlyweight().wrap(buffer, 0).initialize().sessionId(TX_KEYS.sessionId())
                .streamId(1).payloadLength(4 + 20 + 4 + 30).eventCount(2);
        buffer.putInt(68, 20).putInt(68 + 24, 30);
        int length = new PacketProtector(TX_KEYS, AeadBackend.DEFAULT, new DropCounters()).seal(h);
        SEALED = Arrays.copyOf(buffer.array(), length);
    }

    @FuzzTest(maxDuration = "6s")
    void shouldRejectEveryAuthenticatedChangeWhenMutatingSealedPacket(byte[] data) {
        fuzzerTestOneInput(data);
    }

    /** Entry point for Jazzer's standalone driver as well. */
    public static void fuzzerTestOneInput(byte[] data) {
        byte[] packet = SEALED.clone();
        int length = packet.length;
        boolean authenticatedChange = false;
        for (int i = 0; i < data.length && i < packet.length; i++) {
            packet[i] ^= data[i];
            if (data[i] != 0 && i != NetHeaderFlyweight.HOP_COUNT_OFFSET && (i < 12 || i > 15)) {
                authenticatedChange = true;
            }
        }
        if (data.length > packet.length) {
            length = Math.max(0, packet.length - (data[packet.length] & 0xFF));
            authenticatedChange |= length != packet.length;
        }
        ByteBuffer buffer = ByteBuffer.wrap(packet, 0, length).slice();
        if (PARSER.parse(buffer, 0, length) != PacketKind.DATA) {
            return;
        }
        // A fresh replay window for each input: the property is about authentication, not replay.
        PacketProtector rx = new PacketProtector(TX_KEYS.peerView(), AeadBackend.DEFAULT, DROPS);
        boolean opened = rx.open(PARSER.header());
        if (opened && authenticatedChange) {
            throw new AssertionError("a packet with a changed authenticated byte was accepted");
        }
        if (opened) {
            NetHeaderFlyweight h = PARSER.header();
            if (!FRAMES.validate(buffer, h.payloadOffset(), h.payloadLength(), h.eventCount())) {
                throw new AssertionError("the authentic packet's frames must read back");
            }
        }
    }
}
