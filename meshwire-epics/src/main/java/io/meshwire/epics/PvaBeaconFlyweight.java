package io.meshwire.epics;

import java.lang.foreign.MemorySegment;

/**
 * A PVAccess {@code CMD_BEACON} payload read in place; {@link #wrap} validates the fields up to the protocol
 * string (the server status that may follow is not read).
 *
 * <pre>
 * u8[12] guid, u8 flags, u8 beaconSequenceId, u16 changeCount, u8[16] serverAddress, u16 serverPort,
 * string protocol, FieldDesc serverStatusIF (0xFF when absent) [, PVField status]
 * </pre>
 */
public final class PvaBeaconFlyweight {
    private final PvaCursor cursor = new PvaCursor();
    private MemorySegment segment = MemorySegment.NULL;
    private long guidOffset;
    private int flags;
    private int sequenceId;
    private int changeCount;
    private long serverAddress;
    private int serverPort;
    private boolean tcp;

    /** Validates and wraps the beacon the walker is on; false (one drop counted) when malformed. */
    public boolean wrap(PvaMessageFlyweight message, EpicsDropCounters drops) {
        return wrap(message.segment(), message.payloadOffset(), message.payloadSize(), message.bigEndian(), drops);
    }

    /** As {@link #wrap(PvaMessageFlyweight, EpicsDropCounters)}, for a payload at an offset. */
    public boolean wrap(MemorySegment segment, long payloadOffset, int payloadSize, boolean bigEndian,
            EpicsDropCounters drops) {
        this.segment = segment;
        PvaCursor c = cursor;
        c.wrap(segment, payloadOffset, payloadOffset + payloadSize, bigEndian);
        guidOffset = c.skip(PvaProtocol.GUID_LENGTH);
        flags = c.u8();
        sequenceId = c.u8();
        changeCount = c.u16();
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
        return true;
    }

    /** The wrapped memory. */
    public MemorySegment segment() {
        return segment;
    }

    /** Offset of the 12-byte server GUID. */
    public long guidOffset() {
        return guidOffset;
    }

    /** The u8 flags. */
    public int flags() {
        return flags;
    }

    /** The u8 beacon sequence id (wraps at 256). */
    public int sequenceId() {
        return sequenceId;
    }

    /** The u16 change count. */
    public int changeCount() {
        return changeCount;
    }

    /** The server address: an unsigned IPv4 value, or {@link Ipv4#PVA_ANY} ("the beacon's source"). */
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
}
