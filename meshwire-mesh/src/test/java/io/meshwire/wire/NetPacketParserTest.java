package io.meshwire.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class NetPacketParserTest {
    private final DropCounters drops = new DropCounters();
    private final NetPacketParser parser = new NetPacketParser(drops);

    private static ByteBuffer packet(int flags, int payloadLength, int datagramLength) {
        ByteBuffer buffer = ByteBuffer.allocate(Math.max(datagramLength, 68));
        new NetHeaderFlyweight().wrap(buffer, 0).initialize().flags(flags).payloadLength(payloadLength);
        return buffer;
    }

    @Test
    void shouldAcceptDataPacketWhenLengthIsHeaderPayloadAndTag() {
        assertThat(parser.parse(packet(0, 100, 68 + 100 + 16), 0, 184)).isEqualTo(PacketKind.DATA);
        assertThat(parser.parse(packet(0, 0, 84), 0, 84)).isEqualTo(PacketKind.DATA);
        assertThat(drops.total()).isZero();
    }

    @Test
    void shouldDropDataPacketWhenLengthIsOffByOne() {
        assertThat(parser.parse(packet(0, 100, 185), 0, 185)).isEqualTo(PacketKind.DROPPED);
        assertThat(parser.parse(packet(0, 100, 183), 0, 183)).isEqualTo(PacketKind.DROPPED);
        assertThat(drops.count(DropReason.BAD_LENGTH)).isEqualTo(2);
    }

    @Test
    void shouldDropWhenShorterThanHeader() {
        assertThat(parser.parse(ByteBuffer.allocate(67), 0, 67)).isEqualTo(PacketKind.DROPPED);
        assertThat(parser.parse(ByteBuffer.allocate(0), 0, 0)).isEqualTo(PacketKind.DROPPED);
        assertThat(parser.parse(ByteBuffer.allocate(68), 10, 68)).isEqualTo(PacketKind.DROPPED);
        assertThat(drops.count(DropReason.TRUNCATED)).isEqualTo(3);
    }

    @Test
    void shouldAcceptHeartbeatOnlyWhenPayloadIsExactlyOneTag() {
        assertThat(parser.parse(packet(PacketFlags.HEARTBEAT, 0, 84), 0, 84)).isEqualTo(PacketKind.HEARTBEAT);
        assertThat(parser.parse(packet(PacketFlags.HEARTBEAT, 0, 85), 0, 85)).isEqualTo(PacketKind.DROPPED);
        assertThat(parser.parse(packet(PacketFlags.HEARTBEAT, 1, 85), 0, 85)).isEqualTo(PacketKind.DROPPED);
        assertThat(drops.count(DropReason.BAD_LENGTH)).isEqualTo(2);
    }

    @Test
    void shouldAcceptHandshakeWhenPayloadIsRawNoiseMessageWithoutTag() {
        assertThat(parser.parse(packet(PacketFlags.HANDSHAKE, 48, 116), 0, 116)).isEqualTo(PacketKind.HANDSHAKE);
        assertThat(parser.parse(packet(PacketFlags.HANDSHAKE, 48, 132), 0, 132)).isEqualTo(PacketKind.DROPPED);
    }

    @Test
    void shouldCountReasonWhenMagicVersionOrLimitsAreWrong() {
        ByteBuffer p = packet(0, 0, 84);
        new NetHeaderFlyweight().wrap(p, 0).magic(0x454E);
        assertThat(parser.parse(p, 0, 84)).isEqualTo(PacketKind.DROPPED);
        p = packet(0, 0, 84);
        new NetHeaderFlyweight().wrap(p, 0).version(2);
        assertThat(parser.parse(p, 0, 84)).isEqualTo(PacketKind.DROPPED);
        p = packet(0, 0, 84);
        new NetHeaderFlyweight().wrap(p, 0).eventCount(2028);
        assertThat(parser.parse(p, 0, 84)).isEqualTo(PacketKind.DROPPED);
        p = packet(0, 8109, 8192);
        assertThat(parser.parse(p, 0, 8192)).isEqualTo(PacketKind.DROPPED);
        assertThat(parser.parse(ByteBuffer.allocate(9000), 0, 9000)).isEqualTo(PacketKind.DROPPED);
        assertThat(drops.count(DropReason.BAD_MAGIC)).isEqualTo(1);
        assertThat(drops.count(DropReason.BAD_VERSION)).isEqualTo(1);
        assertThat(drops.count(DropReason.BAD_LIMITS)).isEqualTo(2);
        assertThat(drops.count(DropReason.OVERSIZED)).isEqualTo(1);
    }

    @Test
    void shouldAcceptLargestPacketWhenPayloadIs8108() {
        assertThat(parser.parse(packet(0, 8108, 8192), 0, 8192)).isEqualTo(PacketKind.DATA);
    }
}
