package io.meshwire.wire;

import java.nio.ByteBuffer;

/**
 * net-mesh's 18-byte little-endian routing header, prepended to a whole Net packet for multi-hop delivery
 * (spec §1.4). Relays rewrite it with {@link #forward()} and never decrypt the inner packet. Not thread-safe.
 */
public final class RoutingHeaderFlyweight {
    /** u16 LE routing magic 0x5452; the wire bytes are {@code 52 54} ("RT"). */
    public static final int ROUTING_MAGIC = 0x5452;
    /** Routing header length. TRANSPORT.md's 16 bytes is stale. */
    public static final int ROUTING_HEADER_LENGTH = 18;
    /** Route flag: control traffic. */
    public static final int FLAG_CONTROL = 0x01;
    /** Route flag: the destination must acknowledge. */
    public static final int FLAG_REQUIRES_ACK = 0x02;
    /** Route flag: priority. */
    public static final int FLAG_PRIORITY = 0x04;
    /** Route flag: end of stream. */
    public static final int FLAG_END_OF_STREAM = 0x08;
    /** Only the low nibble of the flags byte is defined; net-mesh masks the rest off when reading. */
    public static final int FLAGS_MASK = 0x0F;

    /** Offset of magic. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of ttl. */
    public static final int TTL_OFFSET = 2;
    /** Offset of hop_count. */
    public static final int HOP_COUNT_OFFSET = 3;
    /** Offset of flags. */
    public static final int FLAGS_OFFSET = 4;
    /** Offset of reserved. */
    public static final int RESERVED_OFFSET = 5;
    /** Offset of src_id. */
    public static final int SRC_ID_OFFSET = 6;
    /** Offset of dest_id. */
    public static final int DEST_ID_OFFSET = 10;

    private ByteBuffer buffer;
    private int offset;

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public RoutingHeaderFlyweight() {
    }

    /**
     * Points this flyweight at a routing header.
     *
     * @param buffer the buffer
     * @param offset absolute offset of the first byte
     * @return this
     */
    public RoutingHeaderFlyweight wrap(ByteBuffer buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /**
     * Checks a received datagram as a routed packet: at least 18 + 68 bytes and the routing magic (spec §1.1), then
     * wraps it. Never throws on bad input.
     *
     * @param buffer the datagram's buffer
     * @param offset absolute offset of its first byte
     * @param length datagram length
     * @param drops where to count a drop
     * @return {@code true} if it is a routed packet; the inner Net packet starts at {@link #innerPacketOffset()}
     */
    public boolean parse(ByteBuffer buffer, int offset, int length, DropCounters drops) {
        if (offset < 0 || length < ROUTING_HEADER_LENGTH + NetHeaderFlyweight.HEADER_LENGTH
                || length > buffer.limit() - offset) {
            return drops.drop(DropReason.TRUNCATED);
        }
        if (length > ROUTING_HEADER_LENGTH + NetHeaderFlyweight.MAX_PACKET_LENGTH) {
            return drops.drop(DropReason.OVERSIZED);
        }
        wrap(buffer, offset);
        if (magic() != ROUTING_MAGIC) {
            return drops.drop(DropReason.BAD_MAGIC);
        }
        return true;
    }

    /**
     * Writes a new routing header.
     *
     * @param ttl hops left
     * @param flags route flags (low nibble)
     * @param srcId the source node id; only its low 32 bits go on the wire
     * @param destId the destination node id
     * @return this
     */
    public RoutingHeaderFlyweight initialize(int ttl, int flags, long srcId, long destId) {
        NetHeaderFlyweight.SHORT_LE.set(buffer, offset + MAGIC_OFFSET, (short) ROUTING_MAGIC);
        buffer.put(offset + TTL_OFFSET, (byte) ttl);
        buffer.put(offset + HOP_COUNT_OFFSET, (byte) 0);
        buffer.put(offset + FLAGS_OFFSET, (byte) (flags & FLAGS_MASK));
        buffer.put(offset + RESERVED_OFFSET, (byte) 0);
        NetHeaderFlyweight.INT_LE.set(buffer, offset + SRC_ID_OFFSET, (int) srcId);
        NetHeaderFlyweight.LONG_LE.set(buffer, offset + DEST_ID_OFFSET, destId);
        return this;
    }

    /**
     * A relay's rewrite (spec §4.1): ttl − 1 and hop_count + 1, hop_count saturating at 255.
     *
     * @return {@code false} (nothing written) if ttl was already 0 and the packet must be dropped
     */
    public boolean forward() {
        int ttl = ttl();
        if (ttl == 0) {
            return false;
        }
        buffer.put(offset + TTL_OFFSET, (byte) (ttl - 1));
        buffer.put(offset + HOP_COUNT_OFFSET, (byte) Math.min(255, hopCount() + 1));
        return true;
    }

    /** @return the magic */
    public int magic() {
        return Short.toUnsignedInt((short) NetHeaderFlyweight.SHORT_LE.get(buffer, offset + MAGIC_OFFSET));
    }

    /** @return hops left */
    public int ttl() {
        return Byte.toUnsignedInt(buffer.get(offset + TTL_OFFSET));
    }

    /** @return hops taken */
    public int hopCount() {
        return Byte.toUnsignedInt(buffer.get(offset + HOP_COUNT_OFFSET));
    }

    /** @return route flags with the undefined high nibble masked off, as net-mesh reads them */
    public int flags() {
        return buffer.get(offset + FLAGS_OFFSET) & FLAGS_MASK;
    }

    /** @return the source's routing id, the low 32 bits of its node id (raw bits) */
    public int srcId() {
        return (int) NetHeaderFlyweight.INT_LE.get(buffer, offset + SRC_ID_OFFSET);
    }

    /** @return the destination's full node id */
    public long destId() {
        return (long) NetHeaderFlyweight.LONG_LE.get(buffer, offset + DEST_ID_OFFSET);
    }

    /** @return absolute offset of the inner Net packet */
    public int innerPacketOffset() {
        return offset + ROUTING_HEADER_LENGTH;
    }
}
