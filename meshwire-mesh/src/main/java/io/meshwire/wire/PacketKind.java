package io.meshwire.wire;

/** What {@link NetPacketParser} found a datagram to be. */
public enum PacketKind {
    /** Encrypted event data (or a control message): 68 + payload_len + 16 bytes. */
    DATA,
    /** Heartbeat: flag 0x20, 68 + 16 bytes. */
    HEARTBEAT,
    /** Handshake: flag 0x10, 68 + payload_len bytes of raw Noise message. */
    HANDSHAKE,
    /** Dropped; the reason was counted. */
    DROPPED
}
