package io.meshwire.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Noise SymmetricState (§5.2): the chaining key, the handshake hash and a CipherState. */
final class SymmetricState {
    private final NoiseProtocol protocol;
    private final CipherState cipherState;
    private byte[] chainingKey;
    private byte[] handshakeHash;

    SymmetricState(NoiseProtocol protocol) {
        this.protocol = protocol;
        this.cipherState = new CipherState(protocol.cipher());
        byte[] name = protocol.name().getBytes(StandardCharsets.US_ASCII);
        int hashLength = protocol.hash().hashLength;
        handshakeHash = name.length <= hashLength ? Arrays.copyOf(name, hashLength) : protocol.hash().hash(name);
        chainingKey = handshakeHash.clone();
        cipherState.initializeKey(null);
    }

    void mixKey(byte[] inputKeyMaterial) {
        byte[][] out = protocol.hash().hkdf(chainingKey, inputKeyMaterial, 2);
        chainingKey = out[0];
        // §5.2: with a 64-byte hash, the cipher key is the first 32 bytes.
        cipherState.initializeKey(Arrays.copyOf(out[1], 32));
    }

    void mixHash(byte[] data) {
        handshakeHash = protocol.hash().hash(handshakeHash, data);
    }

    void mixKeyAndHash(byte[] inputKeyMaterial) {
        byte[][] out = protocol.hash().hkdf(chainingKey, inputKeyMaterial, 3);
        chainingKey = out[0];
        mixHash(out[1]);
        cipherState.initializeKey(Arrays.copyOf(out[2], 32));
    }

    boolean hasKey() {
        return cipherState.hasKey();
    }

    byte[] encryptAndHash(byte[] plaintext) {
        byte[] ciphertext = cipherState.encryptWithAd(handshakeHash, plaintext);
        mixHash(ciphertext);
        return ciphertext;
    }

    /** @return the plaintext, or {@code null} if authentication failed */
    byte[] decryptAndHash(byte[] ciphertext) {
        byte[] plaintext = cipherState.decryptWithAd(handshakeHash, ciphertext);
        if (plaintext != null) {
            mixHash(ciphertext);
        }
        return plaintext;
    }

    CipherState[] split() {
        byte[][] out = protocol.hash().hkdf(chainingKey, new byte[0], 2);
        CipherState c1 = new CipherState(protocol.cipher());
        CipherState c2 = new CipherState(protocol.cipher());
        c1.initializeKey(Arrays.copyOf(out[0], 32));
        c2.initializeKey(Arrays.copyOf(out[1], 32));
        return new CipherState[] {c1, c2};
    }

    byte[] handshakeHash() {
        return handshakeHash.clone();
    }
}
