package io.meshwire.epics;

import java.lang.foreign.MemorySegment;

/**
 * What a PVAccess beacon and a search response share, read in place: the server's 12-byte GUID first, then four
 * bytes of their own, then the server's address, port and protocol string. {@link #wrap} checks those and leaves
 * the fields before the address and after the protocol to each subclass; a malformed payload counts one drop and
 * returns false, never throws.
 *
 * <pre>
 * u8[12] guid, (4 bytes: {@link #readBeforeAddress}), u8[16] serverAddress, u16 serverPort, string protocol,
 * ({@link #readAfterProtocol})
 * </pre>
 */
abstract sealed class PvaServerMessageFlyweight permits PvaBeaconFlyweight, PvaSearchResponseFlyweight {
    final PvaCursor cursor = new PvaCursor();
    private MemorySegment segment = MemorySegment.NULL;
    private long guidOffset;
    private long serverAddress;
    private int serverPort;
    private boolean tcp;

    /** Validates and wraps the message the walker is on; false (one drop counted) when malformed. */
    public final boolean wrap(PvaMessageFlyweight message, EpicsDropCounters drops) {
        return wrap(message.segment(), message.payloadOffset(), message.payloadSize(), message.bigEndian(), drops);
    }

    /** As {@link #wrap(PvaMessageFlyweight, EpicsDropCounters)}, for a payload at an offset. */
    public final boolean wrap(MemorySegment segment, long payloadOffset, int payloadSize, boolean bigEndian,
            EpicsDropCounters drops) {
        this.segment = segment;
        PvaCursor c = cursor;
        c.wrap(segment, payloadOffset, payloadOffset + payloadSize, bigEndian);
        guidOffset = c.skip(PvaProtocol.GUID_LENGTH);
        readBeforeAddress(c);
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
        return readAfterProtocol(c, drops);
    }

    /** Reads the four bytes between the GUID and the address; the cursor checks the bounds. */
    abstract void readBeforeAddress(PvaCursor c);

    /** Reads what follows the protocol string; false (one drop counted) when it is malformed. */
    abstract boolean readAfterProtocol(PvaCursor c, EpicsDropCounters drops);

    /** The wrapped memory. */
    public final MemorySegment segment() {
        return segment;
    }

    /** Offset of the 12-byte server GUID. */
    public final long guidOffset() {
        return guidOffset;
    }

    /** The server address: an unsigned IPv4 value, or {@link Ipv4#PVA_ANY} ("the message's source address"). */
    public final long serverAddress() {
        return serverAddress;
    }

    /** The server's u16 TCP port. */
    public final int serverPort() {
        return serverPort;
    }

    /** True when the protocol is "tcp". */
    public final boolean tcp() {
        return tcp;
    }
}
