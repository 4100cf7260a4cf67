package io.meshwire.crypto;

import io.meshwire.wire.NetHeaderFlyweight;

/**
 * net-mesh's 56-byte AAD, built from a header (spec §2.4): every header field in order, little-endian, except the
 * nonce (it is the IV) and with hop_count forced to 0 (relays change it in transit).
 */
public final class NetAad {
    /** AAD length. */
    public static final int AAD_LENGTH = 56;

    private NetAad() {
    }

    /**
     * Writes the AAD of {@code header} into {@code dst[offset, offset+56)}. Allocates nothing.
     *
     * @param header a wrapped header
     * @param dst destination
     * @param offset where in {@code dst}
     */
    public static void write(NetHeaderFlyweight header, byte[] dst, int offset) {
        var buffer = header.buffer();
        int h = header.offset();
        // AAD bytes 0–5 = header bytes 0–5 (magic, version, flags, priority, hop_ttl).
        buffer.get(h, dst, offset, 6);
        // Byte 6 is hop_count, mutable in transit, so always 0 in the AAD.
        dst[offset + 6] = 0;
        // Bytes 7–11 = header bytes 7–11 (frag_flags, subprotocol_id, channel_hash).
        buffer.get(h + 7, dst, offset + 7, 5);
        // Bytes 12–55 = header bytes 24–67 (session_id … event_count); the nonce at 12–23 is skipped.
        buffer.get(h + NetHeaderFlyweight.SESSION_ID_OFFSET, dst, offset + 12, AAD_LENGTH - 12);
    }
}
