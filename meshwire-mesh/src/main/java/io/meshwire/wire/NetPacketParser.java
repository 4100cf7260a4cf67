package io.meshwire.wire;

import static io.meshwire.wire.NetHeaderFlyweight.HEADER_LENGTH;
import static io.meshwire.wire.NetHeaderFlyweight.MAGIC;
import static io.meshwire.wire.NetHeaderFlyweight.MAX_EVENTS_PER_PACKET;
import static io.meshwire.wire.NetHeaderFlyweight.MAX_PACKET_LENGTH;
import static io.meshwire.wire.NetHeaderFlyweight.MAX_PAYLOAD_LENGTH;
import static io.meshwire.wire.NetHeaderFlyweight.TAG_LENGTH;
import static io.meshwire.wire.NetHeaderFlyweight.VERSION;

import java.nio.ByteBuffer;

/**
 * Checks a received direct Net datagram before any crypto: the header rules of net-mesh's {@code validate()}, and
 * the length rules of {@code ParsedPacket::parse} / {@code is_valid_length} (spec §1.2, §1.5). Never throws on bad
 * input; counts the reason and returns {@link PacketKind#DROPPED}. Not thread-safe (it owns one flyweight).
 */
public final class NetPacketParser {
    private final NetHeaderFlyweight header = new NetHeaderFlyweight();
    private final DropCounters drops;

    /** @param drops where to count dropped datagrams */
    public NetPacketParser(DropCounters drops) {
        this.drops = drops;
    }

    /**
     * Parses one datagram.
     *
     * @param buffer the datagram's buffer
     * @param offset absolute offset of the first byte
     * @param length datagram length
     * @return the kind; {@link PacketKind#DROPPED} (reason counted) when invalid
     */
    public PacketKind parse(ByteBuffer buffer, int offset, int length) {
        if (length < HEADER_LENGTH || offset < 0 || length > buffer.limit() - offset) {
            drops.drop(DropReason.TRUNCATED);
            return PacketKind.DROPPED;
        }
        if (length > MAX_PACKET_LENGTH) {
            // No sender puts more than 8192 bytes on the wire; anything longer cannot be one packet.
            drops.drop(DropReason.OVERSIZED);
            return PacketKind.DROPPED;
        }
        header.wrap(buffer, offset);
        if (header.magic() != MAGIC) {
            drops.drop(DropReason.BAD_MAGIC);
            return PacketKind.DROPPED;
        }
        if (header.version() != VERSION) {
            drops.drop(DropReason.BAD_VERSION);
            return PacketKind.DROPPED;
        }
        int payloadLength = header.payloadLength();
        if (payloadLength > MAX_PAYLOAD_LENGTH || header.eventCount() > MAX_EVENTS_PER_PACKET) {
            drops.drop(DropReason.BAD_LIMITS);
            return PacketKind.DROPPED;
        }
        int received = length - HEADER_LENGTH;
        int flags = header.flags();
        PacketKind kind;
        int expected;
        if ((flags & PacketFlags.HANDSHAKE) != 0) {
            // Handshakes carry the raw Noise message and no tag (spec §1.5); net-mesh sends exactly payload_len bytes.
            kind = PacketKind.HANDSHAKE;
            expected = payloadLength;
        } else if ((flags & PacketFlags.HEARTBEAT) != 0) {
            // verify_and_touch_heartbeat wants exactly one 16-byte tag over an empty plaintext (spec §1.5).
            kind = PacketKind.HEARTBEAT;
            expected = TAG_LENGTH;
            if (payloadLength != 0) {
                drops.drop(DropReason.BAD_LENGTH);
                return PacketKind.DROPPED;
            }
        } else {
            kind = PacketKind.DATA;
            expected = payloadLength + TAG_LENGTH;
        }
        if (received != expected) {
            drops.drop(DropReason.BAD_LENGTH);
            return PacketKind.DROPPED;
        }
        return kind;
    }

    /** @return the flyweight over the last datagram given to {@link #parse} (valid until the next call) */
    public NetHeaderFlyweight header() {
        return header;
    }
}
