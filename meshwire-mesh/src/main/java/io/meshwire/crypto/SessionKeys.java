package io.meshwire.crypto;

import java.util.Arrays;

/**
 * The keys of one net-mesh session, as {@link NetMeshHandshake} derives them (spec §2.2 step 4).
 *
 * @param sessionId u64 LE of the handshake hash's first 8 bytes; the same on both sides
 * @param txKey 32-byte ChaCha20-Poly1305 key for packets this side sends
 * @param rxKey 32-byte key for packets this side receives
 */
public record SessionKeys(long sessionId, byte[] txKey, byte[] rxKey) {
    /** Validates and copies. */
    public SessionKeys {
        if (txKey.length != 32 || rxKey.length != 32) {
            throw new IllegalArgumentException("session keys are 32 bytes");
        }
        txKey = txKey.clone();
        rxKey = rxKey.clone();
    }

    @Override
    public byte[] txKey() {
        return txKey.clone();
    }

    @Override
    public byte[] rxKey() {
        return rxKey.clone();
    }

    /**
     * The 4-byte nonce prefix (spec §2.3): {@code (u32) sid ^ (u32)(sid >> 32)}, written little-endian into nonce
     * bytes 0–3.
     *
     * @return the prefix as a LE u32 (raw bits)
     */
    public int noncePrefix() {
        return (int) sessionId ^ (int) (sessionId >>> 32);
    }

    /** @return the same keys seen from the peer: tx and rx swapped */
    public SessionKeys peerView() {
        return new SessionKeys(sessionId, rxKey, txKey);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionKeys other && sessionId == other.sessionId
                && Arrays.equals(txKey, other.txKey) && Arrays.equals(rxKey, other.rxKey);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(sessionId);
    }

    @Override
    public String toString() {
        return "SessionKeys(sessionId=" + Long.toUnsignedString(sessionId, 16) + ", keys=<redacted>)";
    }
}
