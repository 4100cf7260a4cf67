package io.meshwire.epics;

import java.lang.foreign.MemorySegment;

/**
 * Builds one PVAccess {@code CMD_SEARCH} datagram: {@link #begin}, then {@link #addChannel} while it returns true
 * (the datagram is full when it returns false), then {@link #finish()} for the length. Reusable; allocates nothing.
 */
public final class PvaSearchEncoder extends PvaListEncoder {
    /** An encoder over nothing; {@link #begin} a message. */
    public PvaSearchEncoder() {
    }

    /**
     * Starts a search message at {@code offset}, to be at most {@code capacity} bytes.
     *
     * @param responseIpv4 the address replies should go to, or 0 for "my source address"
     * @param responsePort the port replies should go to (the searching socket's port)
     */
    public PvaSearchEncoder begin(MemorySegment m, long offset, int capacity, boolean bigEndian, int sequenceId,
            int flags, int responseIpv4, int responsePort) {
        PvaOutput o = out;
        o.begin(m, offset, capacity, bigEndian, 0, PvaProtocol.SEARCH);
        o.i32(sequenceId);
        o.u8(flags);
        o.zeros(3);
        o.p = Ipv4.writePvaAddress(m, o.p, responseIpv4);
        o.u16(responsePort);
        o.size(1);
        o.ascii(PvaProtocol.TCP);
        startList();
        return this;
    }

    /**
     * Appends one channel if it fits.
     *
     * @param name the channel name in UTF-8, not empty
     * @return false when the datagram has no room left for it (nothing written)
     */
    public boolean addChannel(int searchInstanceId, byte[] name) {
        if (name.length == 0) {
            throw new IllegalArgumentException("PVA channel name must not be empty");
        }
        if (!hasRoom(4 + PvaOutput.sizeLength(name.length) + name.length)) {
            return false;
        }
        out.i32(searchInstanceId);
        out.size(name.length);
        out.bytes(name);
        added();
        return true;
    }
}
