package io.meshwire.crypto;

/**
 * ChaCha20-Poly1305 over one fixed key, sealing and opening in place in a heap array. Not thread-safe.
 */
interface PacketAead {
    /** Nonce length. */
    int NONCE_LENGTH = 12;
    /** Tag length. */
    int TAG_LENGTH = 16;

    /**
     * Encrypts {@code buf[off, off+len)} in place and writes the tag at {@code off+len}.
     */
    void seal(byte[] nonce, byte[] aad, int aadLength, byte[] buf, int off, int len);

    /**
     * Verifies the tag at {@code off+len} and decrypts {@code buf[off, off+len)} in place.
     *
     * @return {@code false} if the tag does not verify (the plaintext is then not released)
     */
    boolean open(byte[] nonce, byte[] aad, int aadLength, byte[] buf, int off, int len);

    static PacketAead create(AeadBackend backend, byte[] key) {
        return switch (backend) {
            case JAVA -> new JavaPacketAead(key);
            case JDK -> new JdkPacketAead(key);
            case BOUNCY_CASTLE -> new BcPacketAead(key);
        };
    }
}
