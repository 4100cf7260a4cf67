package io.meshwire.epics;

import java.lang.foreign.MemorySegment;

/**
 * Builds one PVAccess {@code CMD_SEARCH_RESPONSE} datagram: {@link #begin}, {@link #addId} per found channel while it
 * returns true, then {@link #finish()}. Reusable; allocates nothing.
 */
public final class PvaSearchResponseEncoder {
    private final PvaOutput out = new PvaOutput();
    private long start;
    private long limit;
    private long sizeAt;
    private long countAt;
    private int count;

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
        o.wrap(m, offset, bigEndian);
        start = offset;
        limit = offset + capacity;
        sizeAt = o.header(PvaProtocol.FLAG_FROM_SERVER, PvaProtocol.SEARCH_RESPONSE);
        o.bytes(guid);
        o.i32(sequenceId);
        o.p = Ipv4.writePvaAddress(m, o.p, serverIpv4);
        o.u16(serverPort);
        o.ascii(PvaProtocol.TCP);
        o.u8(found ? 1 : 0);
        countAt = o.p;
        o.u16(0);
        count = 0;
        return this;
    }

    /** Appends a search instance id; false when the datagram is full (nothing written). */
    public boolean addId(int searchInstanceId) {
        if (count == 0xFFFF || out.p + 4 > limit) {
            return false;
        }
        out.i32(searchInstanceId);
        count++;
        return true;
    }

    /** Ids added so far. */
    public int count() {
        return count;
    }

    /** Completes the message and returns its total length in bytes. */
    public int finish() {
        out.u16At(countAt, count);
        int total = (int) (out.p - start);
        out.i32At(sizeAt, total - PvaProtocol.HEADER_LENGTH);
        return total;
    }
}
