package io.meshwire.epics;

import java.lang.foreign.MemorySegment;

/** Writes single-shot PVAccess UDP messages (beacons); searches and responses have their own encoders. */
public final class PvaEncoder {
    private PvaEncoder() {
    }

    /**
     * Writes a {@code CMD_BEACON} with protocol "tcp" and no server status (NULL type code 0xFF). Returns its total
     * length.
     *
     * @param serverIpv4 the server address, or 0 for "my source address"
     */
    public static int writeBeacon(MemorySegment m, long offset, boolean bigEndian, byte[] guid, int flags,
            int sequenceId, int changeCount, int serverIpv4, int serverPort) {
        if (guid.length != PvaProtocol.GUID_LENGTH) {
            throw new IllegalArgumentException("GUID must be 12 bytes: " + guid.length);
        }
        PvaOutput o = new PvaOutput();
        o.begin(m, offset, PvaProtocol.MAX_UDP_SEND, bigEndian, PvaProtocol.FLAG_FROM_SERVER, PvaProtocol.BEACON);
        o.bytes(guid);
        o.u8(flags);
        o.u8(sequenceId);
        o.u16(changeCount);
        o.p = Ipv4.writePvaAddress(m, o.p, serverIpv4);
        o.u16(serverPort);
        o.ascii(PvaProtocol.TCP);
        o.u8(0xFF); // serverStatusIF: NULL_TYPE_CODE, no status follows
        return o.finish();
    }
}
