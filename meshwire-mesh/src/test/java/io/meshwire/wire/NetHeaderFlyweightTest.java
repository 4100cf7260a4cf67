package io.meshwire.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class NetHeaderFlyweightTest {
    /** Spec §1.2 test vector (Rust test_header_roundtrip values). */
    static final String SPEC_VECTOR = "454e0101072000010001cdab424242424242424242424242"
            + "efcdab9078563412214365870 9badcfe2a00000000000000".replace(" ", "")
            + "efbeadde0000000078563412010000020004 0a00".replace(" ", "");

    static NetHeaderFlyweight writeSpecHeader(ByteBuffer buffer, int offset) {
        byte[] nonce = new byte[12];
        java.util.Arrays.fill(nonce, (byte) 0x42);
        return new NetHeaderFlyweight().wrap(buffer, offset).initialize()
                .flags(PacketFlags.RELIABLE).priority(7).hopTtl(32).hopCount(0).fragFlags(1)
                .subprotocolId(0x0100).channelHash(0xABCD).putNonce(nonce, 0)
                .sessionId(0x1234567890ABCDEFL).streamId(0xFEDCBA0987654321L).sequence(42)
                .originHash(0xDEADBEEFL).subnetId(0x12345678).fragmentId(1).fragmentOffset(512)
                .payloadLength(1024).eventCount(10);
    }

    @Test
    void shouldEncodeSpecVectorWhenWritingRustRoundtripValues() {
        ByteBuffer buffer = ByteBuffer.allocate(68);
        writeSpecHeader(buffer, 0);
        assertThat(HexFormat.of().formatHex(buffer.array())).isEqualTo(SPEC_VECTOR);
    }

    @Test
    void shouldDecodeEveryFieldWhenReadingSpecVector() {
        ByteBuffer buffer = ByteBuffer.wrap(HexFormat.of().parseHex(SPEC_VECTOR)).order(ByteOrder.BIG_ENDIAN);
        NetHeaderFlyweight h = new NetHeaderFlyweight().wrap(buffer, 0);
        assertThat(h.magic()).isEqualTo(0x4E45);
        assertThat(h.version()).isEqualTo(1);
        assertThat(h.flags()).isEqualTo(PacketFlags.RELIABLE);
        assertThat(h.priority()).isEqualTo(7);
        assertThat(h.hopTtl()).isEqualTo(32);
        assertThat(h.hopCount()).isZero();
        assertThat(h.fragFlags()).isEqualTo(1);
        assertThat(h.subprotocolId()).isEqualTo(0x0100);
        assertThat(h.channelHash()).isEqualTo(0xABCD);
        assertThat(h.noncePrefix()).isEqualTo(0x42424242);
        assertThat(h.nonceCounter()).isEqualTo(0x4242424242424242L);
        assertThat(h.sessionId()).isEqualTo(0x1234567890ABCDEFL);
        assertThat(h.streamId()).isEqualTo(0xFEDCBA0987654321L);
        assertThat(h.sequence()).isEqualTo(42);
        assertThat(h.originHash()).isEqualTo(0xDEADBEEFL);
        assertThat(h.subnetId()).isEqualTo(0x12345678);
        assertThat(h.fragmentId()).isEqualTo(1);
        assertThat(h.fragmentOffset()).isEqualTo(512);
        assertThat(h.payloadLength()).isEqualTo(1024);
        assertThat(h.eventCount()).isEqualTo(10);
        assertThat(h.validate()).isTrue();
    }

    @Test
    void shouldWriteLittleEndianWhenBufferIsBigEndianAtAnOffset() {
        ByteBuffer buffer = ByteBuffer.allocate(100).order(ByteOrder.BIG_ENDIAN);
        writeSpecHeader(buffer, 18);
        byte[] header = new byte[68];
        buffer.get(18, header);
        assertThat(HexFormat.of().formatHex(header)).isEqualTo(SPEC_VECTOR);
    }

    @Test
    void shouldApplyExactlyFourRulesWhenValidating() {
        ByteBuffer buffer = ByteBuffer.allocate(68);
        NetHeaderFlyweight h = new NetHeaderFlyweight().wrap(buffer, 0).initialize();
        assertThat(h.validate()).isTrue();
        h.payloadLength(8108).eventCount(2027).flags(0xFF).fragmentId(7);
        assertThat(h.validate()).as("flags and reserved fields are not checked").isTrue();
        assertThat(h.payloadLength(8109).validate()).isFalse();
        assertThat(h.payloadLength(8108).eventCount(2028).validate()).isFalse();
        assertThat(h.eventCount(0).magic(0x454E).validate()).isFalse();
        assertThat(h.magic(0x4E45).version(2).validate()).isFalse();
        assertThat(h.version(1).validate()).isTrue();
    }

    @Test
    void shouldMatchNetMeshShapesWhenInitializingHandshakeAndHeartbeat() {
        ByteBuffer buffer = ByteBuffer.allocate(68);
        NetHeaderFlyweight h = new NetHeaderFlyweight().wrap(buffer, 0).initializeHandshake(48);
        assertThat(h.flags()).isEqualTo(PacketFlags.HANDSHAKE);
        assertThat(h.payloadLength()).isEqualTo(48);
        assertThat(h.sessionId()).isZero();
        assertThat(h.nonceCounter()).isZero();
        h.initializeHeartbeat(99);
        assertThat(h.flags()).isEqualTo(PacketFlags.HEARTBEAT);
        assertThat(h.sessionId()).isEqualTo(99);
        assertThat(h.payloadLength()).isZero();
        assertThat(NetHeaderFlyweight.MAX_PAYLOAD_LENGTH).isEqualTo(8108);
        assertThat(NetHeaderFlyweight.MAX_EVENTS_PER_PACKET).isEqualTo(2027);
    }
}
