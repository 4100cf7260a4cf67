package io.meshwire.epics;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Walks the PVAccess messages of one UDP datagram in place: {@link #wrap} the datagram, then call {@link #next()}
 * until it returns false; the getters read the current message's 8-byte header. Each message has its own byte
 * order (flag bit 7); {@link #payloadSize()} honours it. A malformed header ends the walk with {@link #error()}
 * set; nothing is copied or allocated.
 *
 * <p>Rules, as pvxs' UDP collector: magic 0xCA, version not 0, no control or segmented messages, payload size not
 * negative and within the datagram.
 */
public final class PvaMessageFlyweight {
    private static final ValueLayout.OfInt BE_I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt LE_I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private MemorySegment segment = MemorySegment.NULL;
    private long end;
    private long next;
    private long current;
    private int payloadSize;
    private EpicsDropReason error;

    /** Points at a datagram of {@code length} bytes at {@code offset}; the first {@link #next()} reads message 1. */
    public PvaMessageFlyweight wrap(MemorySegment segment, long offset, int length) {
        this.segment = segment;
        this.next = offset;
        this.current = offset;
        this.end = offset + length;
        this.payloadSize = 0;
        this.error = null;
        return this;
    }

    /**
     * Advances to the next message.
     *
     * @return true when positioned on a message whose payload lies inside the datagram; false at the end or on a
     *     malformed header ({@link #error()} non-null)
     */
    public boolean next() {
        if (error != null || next >= end) {
            return false;
        }
        if (end - next < PvaProtocol.HEADER_LENGTH) {
            error = EpicsDropReason.TRUNCATED;
            return false;
        }
        if (Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, next)) != PvaProtocol.MAGIC) {
            error = EpicsDropReason.PVA_BAD_MAGIC;
            return false;
        }
        if (segment.get(ValueLayout.JAVA_BYTE, next + PvaProtocol.VERSION_OFFSET) == 0) {
            error = EpicsDropReason.PVA_BAD_VERSION;
            return false;
        }
        int flags = Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, next + PvaProtocol.FLAGS_OFFSET));
        if ((flags & (PvaProtocol.FLAG_CONTROL | PvaProtocol.FLAG_SEGMENT_MASK)) != 0) {
            error = EpicsDropReason.PVA_CONTROL_OR_SEGMENTED;
            return false;
        }
        boolean be = (flags & PvaProtocol.FLAG_BIG_ENDIAN) != 0;
        int size = segment.get(be ? BE_I32 : LE_I32, next + PvaProtocol.PAYLOAD_SIZE_OFFSET);
        if (size < 0 || end - next - PvaProtocol.HEADER_LENGTH < size) {
            error = EpicsDropReason.TRUNCATED;
            return false;
        }
        current = next;
        payloadSize = size;
        next = current + PvaProtocol.HEADER_LENGTH + size;
        return true;
    }

    /** Why the walk stopped early, or null. */
    public EpicsDropReason error() {
        return error;
    }

    /** The wrapped memory. */
    public MemorySegment segment() {
        return segment;
    }

    /** Offset of the current message's header. */
    public long messageOffset() {
        return current;
    }

    /** The u8 protocol version. */
    public int version() {
        return Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, current + PvaProtocol.VERSION_OFFSET));
    }

    /** The u8 flags. */
    public int flags() {
        return Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, current + PvaProtocol.FLAGS_OFFSET));
    }

    /** The u8 command. */
    public int command() {
        return Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, current + PvaProtocol.COMMAND_OFFSET));
    }

    /** True when the payload is big-endian (flag bit 7). */
    public boolean bigEndian() {
        return (flags() & PvaProtocol.FLAG_BIG_ENDIAN) != 0;
    }

    /** True when a server sent the message (flag bit 6). */
    public boolean fromServer() {
        return (flags() & PvaProtocol.FLAG_FROM_SERVER) != 0;
    }

    /** The payload size. */
    public int payloadSize() {
        return payloadSize;
    }

    /** Offset of the payload. */
    public long payloadOffset() {
        return current + PvaProtocol.HEADER_LENGTH;
    }
}
