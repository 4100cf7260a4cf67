package io.meshwire.epics;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Writes Channel Access UDP messages into memory, big-endian, at an offset; each method returns the offset just
 * past what it wrote. The caller sizes the memory ({@link CaProtocol#MAX_UDP_SEND} holds any datagram these
 * tools build); writing past its end throws {@link IndexOutOfBoundsException}, which is a caller bug.
 */
public final class CaEncoder {
    private CaEncoder() {
    }

    /** Writes one 16-byte header. */
    public static long writeHeader(MemorySegment m, long offset, int command, int payloadSize, int dataType,
            int dataCount, int parameter1, int parameter2) {
        m.set(CaMessageFlyweight.U16, offset + CaProtocol.COMMAND_OFFSET, (short) command);
        m.set(CaMessageFlyweight.U16, offset + CaProtocol.PAYLOAD_SIZE_OFFSET, (short) payloadSize);
        m.set(CaMessageFlyweight.U16, offset + CaProtocol.DATA_TYPE_OFFSET, (short) dataType);
        m.set(CaMessageFlyweight.U16, offset + CaProtocol.DATA_COUNT_OFFSET, (short) dataCount);
        m.set(CaMessageFlyweight.U32, offset + CaProtocol.PARAMETER1_OFFSET, parameter1);
        m.set(CaMessageFlyweight.U32, offset + CaProtocol.PARAMETER2_OFFSET, parameter2);
        return offset + CaProtocol.HEADER_LENGTH;
    }

    /**
     * {@code CA_PROTO_VERSION} as libca and CAJ put it in front of UDP searches: data type = priority, count = minor
     * version, parameter 1 = the datagram's sequence number.
     */
    public static long writeVersion(MemorySegment m, long offset, int priority, int minorVersion, int sequence) {
        return writeHeader(m, offset, CaProtocol.VERSION, 0, priority, minorVersion, sequence, 0);
    }

    /**
     * A search request for {@code name} (ASCII, without NUL): the name, a NUL and zero padding to a multiple of 8;
     * data type = {@code replyFlag} ({@link CaProtocol#DONT_REPLY} for UDP), count = client minor version, both
     * parameters = {@code searchId}.
     *
     * @throws IllegalArgumentException when the name is empty or longer than {@link CaProtocol#MAX_NAME_LENGTH}
     */
    public static long writeSearchRequest(MemorySegment m, long offset, byte[] name, int replyFlag, int minorVersion,
            int searchId) {
        if (name.length == 0 || name.length > CaProtocol.MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("CA name must be 1.." + CaProtocol.MAX_NAME_LENGTH + " bytes: "
                    + name.length);
        }
        int payload = searchRequestPayload(name.length);
        long p = writeHeader(m, offset, CaProtocol.SEARCH, payload, replyFlag, minorVersion, searchId, searchId);
        MemorySegment.copy(name, 0, m, ValueLayout.JAVA_BYTE, p, name.length);
        SegmentZeros.write(m, p + name.length, payload - name.length);
        return p + payload;
    }

    /** Payload size of a search request for a name of {@code nameLength} bytes (NUL and padding included). */
    public static int searchRequestPayload(int nameLength) {
        return CaProtocol.padded(nameLength + 1);
    }

    /**
     * A UDP search reply: data type = the server's TCP port, count 0, parameter 1 = the server's IPv4 address
     * ({@link CaProtocol#ADDRESS_FROM_SOURCE} for "the reply's source"), parameter 2 = the request's search id;
     * payload = u16 server minor version and 6 zero bytes.
     */
    public static long writeSearchReply(MemorySegment m, long offset, int serverPort, int serverIpv4, int searchId,
            int minorVersion) {
        long p = writeHeader(m, offset, CaProtocol.SEARCH, CaProtocol.SEARCH_REPLY_PAYLOAD_LENGTH, serverPort, 0,
                serverIpv4, searchId);
        m.set(CaMessageFlyweight.U16, p, (short) minorVersion);
        SegmentZeros.write(m, p + 2, 6);
        return p + CaProtocol.SEARCH_REPLY_PAYLOAD_LENGTH;
    }

    /**
     * A beacon ({@code CA_PROTO_RSRV_IS_UP}): data type = protocol minor version, count = the server's TCP port,
     * parameter 1 = beacon id, parameter 2 = the server's IPv4 address or 0 (the repeater fills in the source).
     */
    public static long writeBeacon(MemorySegment m, long offset, int minorVersion, int serverPort, int beaconId,
            int serverIpv4) {
        return writeHeader(m, offset, CaProtocol.RSRV_IS_UP, 0, minorVersion, serverPort, beaconId, serverIpv4);
    }

    /** {@code CA_REPEATER_REGISTER}: parameter 2 = the client's IPv4 address. */
    public static long writeRepeaterRegister(MemorySegment m, long offset, int clientIpv4) {
        return writeHeader(m, offset, CaProtocol.REPEATER_REGISTER, 0, 0, 0, 0, clientIpv4);
    }

    /** {@code CA_REPEATER_CONFIRM}: parameter 2 = the registered client's IPv4 address. */
    public static long writeRepeaterConfirm(MemorySegment m, long offset, int clientIpv4) {
        return writeHeader(m, offset, CaProtocol.REPEATER_CONFIRM, 0, 0, 0, 0, clientIpv4);
    }
}
