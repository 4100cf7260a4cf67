package io.meshwire.crypto;

/**
 * {@link PacketAead} as RFC 8439 §2.8 builds it, in plain Java: the Poly1305 key is the first 32 bytes of ChaCha20
 * block 0, the payload is encrypted from block 1, and the tag covers aad ‖ pad16 ‖ ciphertext ‖ pad16 ‖ len(aad)
 * ‖ len(ciphertext) (u64 LE each). Opening checks the tag before decrypting anything, so a forged packet is left
 * as it arrived and costs no exception. Allocates nothing per packet.
 */
final class JavaPacketAead implements PacketAead {
    private final ChaCha20Stream chacha;
    private final Poly1305Mac poly = new Poly1305Mac();
    private final int[] oneTimeKey = new int[16];

    JavaPacketAead(byte[] key) {
        this.chacha = new ChaCha20Stream(key);
    }

    private void start(byte[] nonce, byte[] aad, int aadLength) {
        chacha.nonce(nonce);
        chacha.block(0, oneTimeKey);
        poly.init(oneTimeKey);
        // Block 0's words are the one-time Poly1305 key: do not leave them behind.
        java.util.Arrays.fill(oneTimeKey, 0);
        poly.padded(aad, 0, aadLength);
    }

    @Override
    public void seal(byte[] nonce, byte[] aad, int aadLength, byte[] buf, int off, int len) {
        start(nonce, aad, aadLength);
        chacha.xor(1, buf, off, len);
        poly.padded(buf, off, len);
        poly.lengths(aadLength, len);
        poly.tag(buf, off + len);
    }

    @Override
    public boolean open(byte[] nonce, byte[] aad, int aadLength, byte[] buf, int off, int len) {
        start(nonce, aad, aadLength);
        poly.padded(buf, off, len);
        poly.lengths(aadLength, len);
        if (!poly.verify(buf, off + len)) {
            return false;
        }
        chacha.xor(1, buf, off, len);
        return true;
    }
}
