package io.meshwire.epics;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * PVAccess UDP constants: header layout, flags, commands, ports and limits (epics-docs
 * {@code pv-access/Protocol-Messages.md}, pvxs {@code pvaproto.h}). Unlike CA, every message says its own byte
 * order (flag bit 7), and receivers must honour it.
 */
public final class PvaProtocol {
    /** Header magic byte. */
    public static final int MAGIC = 0xCA;
    /** Protocol version these tools send (pvxs sends 2; phoebus 5.0.5 sends 3; receivers accept any but 0). */
    public static final int VERSION = 2;
    /** Header length in bytes. */
    public static final int HEADER_LENGTH = 8;
    /** Offset of the u8 magic. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the u8 version. */
    public static final int VERSION_OFFSET = 1;
    /** Offset of the u8 flags. */
    public static final int FLAGS_OFFSET = 2;
    /** Offset of the u8 command. */
    public static final int COMMAND_OFFSET = 3;
    /** Offset of the i32 payload size (in the message's byte order). */
    public static final int PAYLOAD_SIZE_OFFSET = 4;

    /** Flag bit 0: control message (never valid in UDP). */
    public static final int FLAG_CONTROL = 0x01;
    /** Flag bits 4-5: segmentation (never valid in UDP). */
    public static final int FLAG_SEGMENT_MASK = 0x30;
    /** Flag bit 6: sent by a server. */
    public static final int FLAG_FROM_SERVER = 0x40;
    /** Flag bit 7: the payload is big-endian. */
    public static final int FLAG_BIG_ENDIAN = 0x80;

    /** {@code CMD_BEACON}. */
    public static final int BEACON = 0x00;
    /** {@code CMD_SEARCH}. */
    public static final int SEARCH = 0x03;
    /** {@code CMD_SEARCH_RESPONSE}. */
    public static final int SEARCH_RESPONSE = 0x04;
    /** {@code CMD_ORIGIN_TAG} (pvxs: the original receiver of a forwarded search). */
    public static final int ORIGIN_TAG = 0x16;

    /** Search flag bit 0: reply even when no name is found. */
    public static final int SEARCH_MUST_REPLY = 0x01;
    /** Search flag bit 7: the search was sent unicast. */
    public static final int SEARCH_UNICAST = 0x80;

    /** Default UDP search and beacon port ({@code EPICS_PVA_BROADCAST_PORT}). */
    public static final int DEFAULT_BROADCAST_PORT = 5076;
    /** Default TCP server port ({@code EPICS_PVA_SERVER_PORT}). */
    public static final int DEFAULT_SERVER_PORT = 5075;
    /** GUID length in search responses and beacons. */
    public static final int GUID_LENGTH = 12;
    /** Length of an address field (IPv6, or IPv4-mapped). */
    public static final int ADDRESS_LENGTH = 16;
    /** Largest datagram the encoders build (phoebus splits searches at 1390 bytes; below any Ethernet MTU). */
    public static final int MAX_UDP_SEND = 1400;
    /** The only transport protocol the tools search for and announce. */
    public static final String TCP = "tcp";

    private static final ValueLayout.OfShort BE_U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort LE_U16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt BE_I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt LE_I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private PvaProtocol() {
    }

    /** The unaligned u16 layout in a message's byte order, for the codecs. */
    static ValueLayout.OfShort u16Layout(boolean bigEndian) {
        return bigEndian ? BE_U16 : LE_U16;
    }

    /** The unaligned i32 layout in a message's byte order, for the codecs. */
    static ValueLayout.OfInt i32Layout(boolean bigEndian) {
        return bigEndian ? BE_I32 : LE_I32;
    }
}
