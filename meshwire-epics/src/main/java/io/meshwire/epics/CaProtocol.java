package io.meshwire.epics;

/**
 * Channel Access UDP constants: command codes, ports, header layout and limits (CA protocol specification,
 * epics-docs {@code internal/ca_protocol.rst}). Every field on the wire is big-endian.
 */
public final class CaProtocol {
    /** {@code CA_PROTO_VERSION}: starts every datagram that carries searches. */
    public static final int VERSION = 0;
    /** {@code CA_PROTO_SEARCH}: a name search (request) or its answer (reply). */
    public static final int SEARCH = 6;
    /** {@code CA_PROTO_RSRV_IS_UP}: a server beacon. */
    public static final int RSRV_IS_UP = 13;
    /** {@code CA_PROTO_NOT_FOUND}: only ever sent over TCP; never valid in UDP. */
    public static final int NOT_FOUND = 14;
    /** {@code CA_REPEATER_CONFIRM}: the repeater's answer to a registration. */
    public static final int REPEATER_CONFIRM = 17;
    /** {@code CA_REPEATER_REGISTER}: a local client registering with the repeater. */
    public static final int REPEATER_REGISTER = 24;

    /** Search request flag: the server should answer over TCP with NOT_FOUND when it lacks the name. */
    public static final int DO_REPLY = 10;
    /** Search request flag: no answer when the name is unknown (what UDP searches use). */
    public static final int DONT_REPLY = 5;

    /** The protocol minor version this implementation speaks (CA 4.13). */
    public static final int MINOR_VERSION = 13;
    /** Default UDP search port and TCP server port ({@code EPICS_CA_SERVER_PORT}). */
    public static final int DEFAULT_SERVER_PORT = 5064;
    /** Default beacon / repeater port ({@code EPICS_CA_REPEATER_PORT}). */
    public static final int DEFAULT_REPEATER_PORT = 5065;
    /** Search reply parameter 1 meaning "the server is at the reply's source address". */
    public static final int ADDRESS_FROM_SOURCE = 0xFFFFFFFF;

    /** Header length in bytes. */
    public static final int HEADER_LENGTH = 16;
    /** Offset of the u16 command. */
    public static final int COMMAND_OFFSET = 0;
    /** Offset of the u16 payload size. */
    public static final int PAYLOAD_SIZE_OFFSET = 2;
    /** Offset of the u16 data type. */
    public static final int DATA_TYPE_OFFSET = 4;
    /** Offset of the u16 data count. */
    public static final int DATA_COUNT_OFFSET = 6;
    /** Offset of the u32 parameter 1. */
    public static final int PARAMETER1_OFFSET = 8;
    /** Offset of the u32 parameter 2. */
    public static final int PARAMETER2_OFFSET = 12;
    /** Payload length of a UDP search reply: u16 server minor version and 6 pad bytes. */
    public static final int SEARCH_REPLY_PAYLOAD_LENGTH = 8;
    /** Length of a search reply message (header and payload). */
    public static final int SEARCH_REPLY_LENGTH = HEADER_LENGTH + SEARCH_REPLY_PAYLOAD_LENGTH;
    /** libca's {@code MAX_UDP_SEND}: the largest datagram a client or server builds. */
    public static final int MAX_UDP_SEND = 1024;
    /** Largest name (without its NUL) the encoders accept: fits one {@link #MAX_UDP_SEND} datagram. */
    public static final int MAX_NAME_LENGTH = MAX_UDP_SEND - 2 * HEADER_LENGTH - 8;

    private CaProtocol() {
    }

    /** Pads {@code length} up to the next multiple of 8, as CA payloads are. */
    public static int padded(int length) {
        return (length + 7) & ~7;
    }
}
