package io.meshwire.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/** Coverage-guided fuzzing of the 68-byte header parser: never throws, and what it accepts obeys every rule. */
public class NetPacketParserFuzzTest {
    private static final DropCounters DROPS = new DropCounters();
    private static final NetPacketParser PARSER = new NetPacketParser(DROPS);

    @FuzzTest(maxDuration = "6s")
    void shouldNeverThrowAndOnlyAcceptValidPacketsWhenParsingArbitraryBytes(byte[] data) {
        fuzzerTestOneInput(data);
    }

    /**
     * Entry point for Jazzer's standalone driver as well. Byte 0 steers the input so the fuzzer gets past the
     * cheap checks quickly: bits 0–1 an offset, bit 2 forces the magic, bit 3 the version, bit 4 a payload_len
     * that matches the length. The other bytes are the datagram.
     */
    public static void fuzzerTestOneInput(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int control = data[0];
        int offset = 1 + (control & 3);
        int length = Math.max(0, data.length - offset);
        ByteBuffer buffer = ByteBuffer.wrap(data);
        if (length >= NetHeaderFlyweight.HEADER_LENGTH) {
            NetHeaderFlyweight h = new NetHeaderFlyweight().wrap(buffer, offset);
            if ((control & 4) != 0) {
                h.magic(NetHeaderFlyweight.MAGIC);
            }
            if ((control & 8) != 0) {
                h.version(NetHeaderFlyweight.VERSION);
            }
            if ((control & 16) != 0) {
                int payload = length - NetHeaderFlyweight.HEADER_LENGTH;
                boolean handshake = (h.flags() & PacketFlags.HANDSHAKE) != 0;
                h.payloadLength(handshake ? payload : Math.max(0, payload - 16));
            }
        }
        long droppedBefore = DROPS.total();
        PacketKind kind = PARSER.parse(buffer, offset, length);
        if (kind == PacketKind.DROPPED) {
            check(DROPS.total() == droppedBefore + 1, "a drop must be counted once");
            return;
        }
        NetHeaderFlyweight h = PARSER.header();
        check(h.validate(), "accepted header must validate");
        int expected = switch (kind) {
            case DATA -> 68 + h.payloadLength() + 16;
            case HEARTBEAT -> 84;
            case HANDSHAKE -> 68 + h.payloadLength();
            case DROPPED -> throw new AssertionError();
        };
        check(length == expected, "accepted length must match payload_len");
    }

    static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
