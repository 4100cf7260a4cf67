package io.meshwire.epics;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Walks the PVAccess messages of one UDP datagram in place: {@link #wrap} the datagram, then call {@link #next()}
 * until it returns false; the getters read the current message's 8-byte header. Each message has its own byte
 * order (flag bit 7); {@link #payloadSize()} honours it. A malformed header ends the walk with {@link #error()}
 * set; nothing is copied or allocated.
 *
 * <p>Rules, as pvxs' UDP collector: magic 0xCA, version not 0, no control or segmented messages, payload size not
 * negative and within the datagram.
 */
public final class PvaMessageFlyweight extends EpicsMessageFlyweight {

    /** A walker positioned on nothing; {@link #wrap} it. */
    public PvaMessageFlyweight() {
        super(PvaProtocol.HEADER_LENGTH);
    }

    /** Points at a datagram of {@code length} bytes at {@code offset}; the first {@link #next()} reads message 1. */
    public PvaMessageFlyweight wrap(MemorySegment segment, long offset, int length) {
        walk(segment, offset, length);
        return this;
    }

    @Override
    long checkHeader(long at) {
        MemorySegment m = segment();
        if (Byte.toUnsignedInt(m.get(ValueLayout.JAVA_BYTE, at)) != PvaProtocol.MAGIC) {
            return reject(EpicsDropReason.PVA_BAD_MAGIC);
        }
        if (m.get(ValueLayout.JAVA_BYTE, at + PvaProtocol.VERSION_OFFSET) == 0) {
            return reject(EpicsDropReason.PVA_BAD_VERSION);
        }
        int flags = Byte.toUnsignedInt(m.get(ValueLayout.JAVA_BYTE, at + PvaProtocol.FLAGS_OFFSET));
        if ((flags & (PvaProtocol.FLAG_CONTROL | PvaProtocol.FLAG_SEGMENT_MASK)) != 0) {
            return reject(EpicsDropReason.PVA_CONTROL_OR_SEGMENTED);
        }
        boolean be = (flags & PvaProtocol.FLAG_BIG_ENDIAN) != 0;
        int size = m.get(PvaProtocol.i32Layout(be), at + PvaProtocol.PAYLOAD_SIZE_OFFSET);
        return size < 0 ? reject(EpicsDropReason.TRUNCATED) : size;
    }

    /** The u8 protocol version. */
    public int version() {
        return Byte.toUnsignedInt(segment().get(ValueLayout.JAVA_BYTE, messageOffset() + PvaProtocol.VERSION_OFFSET));
    }

    /** The u8 flags. */
    public int flags() {
        return Byte.toUnsignedInt(segment().get(ValueLayout.JAVA_BYTE, messageOffset() + PvaProtocol.FLAGS_OFFSET));
    }

    /** The u8 command. */
    public int command() {
        return Byte.toUnsignedInt(segment().get(ValueLayout.JAVA_BYTE, messageOffset() + PvaProtocol.COMMAND_OFFSET));
    }

    /** True when the payload is big-endian (flag bit 7). */
    public boolean bigEndian() {
        return (flags() & PvaProtocol.FLAG_BIG_ENDIAN) != 0;
    }

    /** True when a server sent the message (flag bit 6). */
    public boolean fromServer() {
        return (flags() & PvaProtocol.FLAG_FROM_SERVER) != 0;
    }
}
