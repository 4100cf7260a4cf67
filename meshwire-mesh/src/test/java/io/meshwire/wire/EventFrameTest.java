package io.meshwire.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventFrameTest {
    private final DropCounters drops = new DropCounters();

    @Test
    void shouldRoundTripEventsWhenPackedAndRead() {
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        EventFramePacker packer = new EventFramePacker().wrap(buffer, 68, 8108);
        assertThat(packer.tryAdd(ByteBuffer.wrap(new byte[] {1, 2, 3}))).isTrue();
        assertThat(packer.tryAdd(new byte[0], 0, 0)).isTrue();
        assertThat(packer.tryAdd(new byte[] {9, 8, 7, 6, 5}, 1, 3)).isTrue();
        assertThat(packer.payloadLength()).isEqualTo(4 + 3 + 4 + 4 + 3);
        assertThat(buffer.get(68)).isEqualTo((byte) 3);
        assertThat(buffer.get(71)).isZero();

        EventFrameReader reader = new EventFrameReader(drops);
        assertThat(reader.validate(buffer, 68, packer.payloadLength(), packer.eventCount())).isTrue();
        List<Integer> lengths = new ArrayList<>();
        while (reader.next()) {
            lengths.add(reader.eventLength());
        }
        assertThat(lengths).containsExactly(3, 0, 3);
        assertThat(buffer.get(68 + 4 + 3 + 4 + 4)).isEqualTo((byte) 8);
    }

    @Test
    void shouldFillPacketUpTo8108BytesWhenPackingGreedily() {
        List<ByteBuffer> events = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            events.add(ByteBuffer.allocate(996)); // 1000-byte frames
        }
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        EventFramePacker packer = new EventFramePacker().wrap(buffer, 68, 8124);
        assertThat(packer.packGreedy(events, 0)).isEqualTo(8);
        assertThat(packer.payloadLength()).isEqualTo(8000);
        assertThat(packer.tryAdd(ByteBuffer.allocate(104))).isTrue();
        assertThat(packer.payloadLength()).isEqualTo(8108);
        assertThat(packer.tryAdd(ByteBuffer.allocate(0))).isFalse();
    }

    @Test
    void shouldAcceptLargestEventWhenItFillsAnEmptyPacket() {
        EventFramePacker packer = new EventFramePacker().wrap(ByteBuffer.allocate(8192), 68, 8124);
        assertThat(packer.tryAdd(ByteBuffer.allocate(8104))).isTrue();
        assertThat(packer.payloadLength()).isEqualTo(8108);
    }

    @Test
    void shouldThrowClearErrorWhenEventCanNeverFit() {
        EventFramePacker packer = new EventFramePacker().wrap(ByteBuffer.allocate(8192), 68, 8124);
        assertThatThrownBy(() -> packer.tryAdd(ByteBuffer.allocate(8105)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("8104");
        assertThatThrownBy(() -> packer.packGreedy(List.of(ByteBuffer.allocate(9000)), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(packer.isEmpty()).isTrue();
    }

    @Test
    void shouldDropWhenFrameIsTruncated() {
        ByteBuffer buffer = ByteBuffer.allocate(64);
        NetHeaderFlyweight.INT_LE.set(buffer, 0, 10);
        EventFrameReader reader = new EventFrameReader(drops);
        assertThat(reader.validate(buffer, 0, 8, 1)).isFalse();
        assertThat(reader.validate(buffer, 0, 3, 1)).isFalse();
        assertThat(reader.next()).isFalse();
        assertThat(drops.count(DropReason.FRAME_TRUNCATED)).isEqualTo(2);
    }

    @Test
    void shouldDropWhenFrameLengthIsOverlong() {
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        NetHeaderFlyweight.INT_LE.set(buffer, 0, -1);
        EventFrameReader reader = new EventFrameReader(drops);
        assertThat(reader.validate(buffer, 0, 8108, 1)).isFalse();
        NetHeaderFlyweight.INT_LE.set(buffer, 0, 8105);
        assertThat(reader.validate(buffer, 0, 8108, 1)).isFalse();
        assertThat(drops.count(DropReason.FRAME_OVERLONG)).isEqualTo(2);
    }

    @Test
    void shouldDropWhenFramesDisagreeWithEventCount() {
        ByteBuffer buffer = ByteBuffer.allocate(64);
        NetHeaderFlyweight.INT_LE.set(buffer, 0, 2);
        EventFrameReader reader = new EventFrameReader(drops);
        assertThat(reader.validate(buffer, 0, 7, 1)).isFalse(); // one trailing byte
        assertThat(reader.validate(buffer, 0, 6, 0)).isFalse(); // more bytes than frames
        assertThat(reader.validate(buffer, 0, 6, 1)).isTrue();
        assertThat(drops.count(DropReason.FRAME_COUNT_MISMATCH)).isEqualTo(2);
    }
}
