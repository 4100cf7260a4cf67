package io.meshwire.epics;

import java.lang.foreign.MemorySegment;

/**
 * Builds one PVAccess {@code CMD_SEARCH_RESPONSE} datagram: {@link #begin}, {@link #addId} per found channel while it
 * returns true, then {@link #finish()}. Reusable; allocates nothing.
 */
public final class PvaSearchResponseEncoder extends PvaListEncoder {
    /** An encoder over nothing; {@link #begin} a message. */
    public PvaSearchResponseEncoder() {
    }

    /**
     * Starts a response at {@code offset}, at most {@code capacity} bytes.
     *
     * @param guid        the server's 12-byte GUID
     * @param serverIpv4  the server address, or 0 for "my source address"
     * @param serverPort  the server's TCP port
     */
    public PvaSearchResponseEncoder begin(MemorySegment m, long offset, int capacity, boolean bigEndian, byte[] guid,
            int sequenceId, int serverIpv4, int serverPort, boolean found) {
        if (guid.length != PvaProtocol.GUID_LENGTH) {
            throw new IllegalArgumentException("GUID must be 12 bytes: " + guid.length);
        }
        PvaOutput o = out;
        o.begin(m, offset, capacity, bigEndian, PvaProtocol.FLAG_FROM_SERVER, PvaProtocol.SEARCH_RESPONSE);
        o.bytes(guid);
        o.i32(sequenceId);
        o.p = Ipv4.writePvaAddress(m, o.p, serverIpv4);
        o.u16(serverPort);
        o.ascii(PvaProtocol.TCP);
        o.u8(found ? 1 : 0);
        startList();
        return this;
    }

    /** Appends a search instance id; false when the datagram is full (nothing written). */
    public boolean addId(int searchInstanceId) {
        if (!hasRoom(4)) {
            return false;
        }
        out.i32(searchInstanceId);
        added();
        return true;
    }
}
