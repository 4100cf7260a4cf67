package io.meshwire.wire;

/** The header's flags byte (offset 3), net-mesh {@code PacketFlags} (spec §1.2). Bits 0x40 and 0x80 are undefined. */
public final class PacketFlags {
    /** No flag. */
    public static final int NONE = 0x00;
    /** Packet of a reliable stream. */
    public static final int RELIABLE = 0x01;
    /** Defined by net-mesh but unused (NACKs travel as subprotocol 0x0B01). */
    public static final int NACK = 0x02;
    /** Defined by net-mesh but unused. */
    public static final int PRIORITY = 0x04;
    /** Defined by net-mesh but unused. */
    public static final int FIN = 0x08;
    /** Handshake packet: raw Noise message, no tag. */
    public static final int HANDSHAKE = 0x10;
    /** Heartbeat packet: empty plaintext, 16-byte tag. */
    public static final int HEARTBEAT = 0x20;

    private PacketFlags() {
    }

    /** @return whether {@code flags} has every bit of {@code flag} */
    public static boolean isSet(int flags, int flag) {
        return (flags & flag) == flag;
    }
}
