package io.meshwire.epics;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Walks the Channel Access messages of one UDP datagram in place: {@link #wrap} the datagram, then call
 * {@link #next()} until it returns false; the getters read the current message's header. Nothing is copied or
 * allocated. A malformed message ends the walk: {@link #next()} returns false and {@link #error()} says why (the
 * caller counts it); at the clean end of the datagram {@link #error()} is null.
 *
 * <p>Not thread-safe; one instance per receiving thread.
 */
public final class CaMessageFlyweight extends EpicsMessageFlyweight {
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** A walker positioned on nothing; {@link #wrap} it. */
    public CaMessageFlyweight() {
        super(CaProtocol.HEADER_LENGTH);
    }

    /** Points at a datagram of {@code length} bytes at {@code offset}; the first {@link #next()} reads message 1. */
    public CaMessageFlyweight wrap(MemorySegment segment, long offset, int length) {
        walk(segment, offset, length);
        return this;
    }

    @Override
    long checkHeader(long at) {
        MemorySegment m = segment();
        int size = Short.toUnsignedInt(m.get(U16, at + CaProtocol.PAYLOAD_SIZE_OFFSET));
        int count = Short.toUnsignedInt(m.get(U16, at + CaProtocol.DATA_COUNT_OFFSET));
        if (size == 0xFFFF && count == 0) {
            // the extended header (CA 4.9+) is for large TCP arrays; a UDP datagram never needs it
            return reject(EpicsDropReason.CA_EXTENDED_HEADER);
        }
        return size;
    }

    /** The u16 command. */
    public int command() {
        return Short.toUnsignedInt(segment().get(U16, messageOffset() + CaProtocol.COMMAND_OFFSET));
    }

    /** The u16 data type field (search request: reply flag; search reply: server TCP port; beacon: version). */
    public int dataType() {
        return Short.toUnsignedInt(segment().get(U16, messageOffset() + CaProtocol.DATA_TYPE_OFFSET));
    }

    /** The u16 data count field (version and search request: minor version; beacon: server TCP port). */
    public int dataCount() {
        return Short.toUnsignedInt(segment().get(U16, messageOffset() + CaProtocol.DATA_COUNT_OFFSET));
    }

    /** The u32 parameter 1 as a Java int (search: search id; reply: server IPv4; beacon: beacon id). */
    public int parameter1() {
        return segment().get(U32, messageOffset() + CaProtocol.PARAMETER1_OFFSET);
    }

    /** The u32 parameter 2 as a Java int (search/reply: search id; beacon: server IPv4 or 0). */
    public int parameter2() {
        return segment().get(U32, messageOffset() + CaProtocol.PARAMETER2_OFFSET);
    }

    /**
     * Length of the NUL-terminated string at the start of the payload (a search's name), or -1 when the payload
     * holds no NUL.
     */
    public int stringLength() {
        MemorySegment m = segment();
        long p = payloadOffset();
        int n = payloadSize();
        for (int i = 0; i < n; i++) {
            if (m.get(ValueLayout.JAVA_BYTE, p + i) == 0) {
                return i;
            }
        }
        return -1;
    }

    /** The u16 server minor version in a search reply's payload (valid when the payload has 8 bytes). */
    public int replyMinorVersion() {
        return Short.toUnsignedInt(segment().get(U16, payloadOffset()));
    }
}
