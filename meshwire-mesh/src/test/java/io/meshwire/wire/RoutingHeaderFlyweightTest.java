package io.meshwire.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RoutingHeaderFlyweightTest {
    @Test
    void shouldLayOut18LittleEndianBytesWhenInitialized() {
        ByteBuffer buffer = ByteBuffer.allocate(18);
        new RoutingHeaderFlyweight().wrap(buffer, 0)
                .initialize(8, 0xF1, 0x1122334455667788L, 0x0102030405060708L);
        assertThat(HexFormat.of().formatHex(buffer.array()))
                .isEqualTo("5254" + "08" + "00" + "01" + "00" + "88776655" + "0807060504030201");
    }

    @Test
    void shouldDecrementTtlAndSaturateHopCountWhenForwarding() {
        ByteBuffer buffer = ByteBuffer.allocate(18);
        RoutingHeaderFlyweight r = new RoutingHeaderFlyweight().wrap(buffer, 0).initialize(2, 0, 1, 2);
        assertThat(r.forward()).isTrue();
        assertThat(r.ttl()).isEqualTo(1);
        assertThat(r.hopCount()).isEqualTo(1);
        buffer.put(RoutingHeaderFlyweight.HOP_COUNT_OFFSET, (byte) 255);
        assertThat(r.forward()).isTrue();
        assertThat(r.hopCount()).isEqualTo(255);
        assertThat(r.ttl()).isZero();
        assertThat(r.forward()).isFalse();
    }

    @Test
    void shouldMaskHighNibbleWhenReadingFlags() {
        ByteBuffer buffer = ByteBuffer.allocate(18);
        RoutingHeaderFlyweight r = new RoutingHeaderFlyweight().wrap(buffer, 0).initialize(1, 0, 1, 2);
        buffer.put(RoutingHeaderFlyweight.FLAGS_OFFSET, (byte) 0xFA);
        assertThat(r.flags()).isEqualTo(0x0A);
    }

    @Test
    void shouldDropWhenRoutedPacketIsShortOrHasWrongMagic() {
        DropCounters drops = new DropCounters();
        RoutingHeaderFlyweight r = new RoutingHeaderFlyweight();
        ByteBuffer buffer = ByteBuffer.allocate(18 + 68);
        assertThat(r.parse(buffer, 0, 85, drops)).isFalse();
        assertThat(r.parse(buffer, 0, 86, drops)).isFalse();
        new RoutingHeaderFlyweight().wrap(buffer, 0).initialize(1, 0, 1, 2);
        assertThat(r.parse(buffer, 0, 86, drops)).isTrue();
        assertThat(r.innerPacketOffset()).isEqualTo(18);
        assertThat(drops.count(DropReason.TRUNCATED)).isEqualTo(1);
        assertThat(drops.count(DropReason.BAD_MAGIC)).isEqualTo(1);
    }
}
