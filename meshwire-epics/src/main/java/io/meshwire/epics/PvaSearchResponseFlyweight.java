package io.meshwire.epics;

import java.lang.foreign.MemorySegment;

/**
 * A PVAccess {@code CMD_SEARCH_RESPONSE} payload read in place; {@link #wrap} validates it all.
 *
 * <pre>
 * u8[12] guid, i32 searchSequenceID, u8[16] serverAddress, u16 serverPort, string protocol, bool found,
 * u16 count, count × i32 searchInstanceID
 * </pre>
 */
public final class PvaSearchResponseFlyweight {
    private final PvaCursor cursor = new PvaCursor();
    private MemorySegment segment = MemorySegment.NULL;
    private long guidOffset;
    private int sequenceId;
    private long serverAddress;
    private int serverPort;
    private boolean tcp;
    private boolean found;
    private int count;
    private long idsOffset;
    private long end;
    private boolean bigEndian;
    private int index;

    /** Validates and wraps the search response the walker is on; false (one drop counted) when malformed. */
    public boolean wrap(PvaMessageFlyweight message, EpicsDropCounters drops) {
        return wrap(message.segment(), message.payloadOffset(), message.payloadSize(), message.bigEndian(), drops);
    }

    /** As {@link #wrap(PvaMessageFlyweight, EpicsDropCounters)}, for a payload at an offset. */
    public boolean wrap(MemorySegment segment, long payloadOffset, int payloadSize, boolean bigEndian,
            EpicsDropCounters drops) {
        this.segment = segment;
        this.bigEndian = bigEndian;
        this.end = payloadOffset + payloadSize;
        this.index = 0;
        PvaCursor c = cursor;
        c.wrap(segment, payloadOffset, end, bigEndian);
        guidOffset = c.skip(PvaProtocol.GUID_LENGTH);
        sequenceId = c.i32();
        long address = c.skip(PvaProtocol.ADDRESS_LENGTH);
        serverPort = c.u16();
        if (!c.ok()) {
            return drops.drop(EpicsDropReason.TRUNCATED);
        }
        serverAddress = Ipv4.fromPvaAddress(segment, address);
        if (serverAddress == Ipv4.PVA_NOT_IPV4) {
            return drops.drop(EpicsDropReason.PVA_UNSUPPORTED_ADDRESS);
        }
        int n = c.stringLength();
        if (n < 0 || !c.ok()) {
            return drops.drop(EpicsDropReason.PVA_BAD_FIELD);
        }
        tcp = c.startsWith(PvaProtocol.TCP, n);
        c.skip(n);
        found = c.u8() != 0;
        count = c.u16();
        idsOffset = c.position();
        c.skip(4L * count);
        if (!c.ok()) {
            return drops.drop(EpicsDropReason.TRUNCATED);
        }
        c.position(idsOffset);
        return true;
    }

    /** Offset of the 12-byte server GUID. */
    public long guidOffset() {
        return guidOffset;
    }

    /** The wrapped memory. */
    public MemorySegment segment() {
        return segment;
    }

    /** The i32 search sequence id the server echoed. */
    public int sequenceId() {
        return sequenceId;
    }

    /** The server address: an unsigned IPv4 value, or {@link Ipv4#PVA_ANY} ("the reply's source address"). */
    public long serverAddress() {
        return serverAddress;
    }

    /** The server's u16 TCP port. */
    public int serverPort() {
        return serverPort;
    }

    /** True when the protocol is "tcp". */
    public boolean tcp() {
        return tcp;
    }

    /** The found flag. */
    public boolean found() {
        return found;
    }

    /** Number of search instance ids. */
    public int count() {
        return count;
    }

    /** True when the ids are big-endian. */
    public boolean bigEndian() {
        return bigEndian;
    }

    /** The next search instance id; call at most {@link #count()} times after {@link #wrap}. */
    public int nextId() {
        index++;
        return cursor.i32();
    }
}
