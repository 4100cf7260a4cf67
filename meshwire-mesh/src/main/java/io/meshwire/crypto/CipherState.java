package io.meshwire.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * A Noise CipherState (§5.1): a key and a 64-bit nonce. Used during the handshake and for Noise transport messages
 * after {@link HandshakeState#split()}. net-mesh discards the split states and derives its own keys
 * ({@link NetMeshHandshake}). Not thread-safe.
 */
public final class CipherState {
    /** Tag length of both Noise AEADs. */
    public static final int TAG_LENGTH = 16;
    /** The nonce 2^64 − 1 is reserved (§5.1). */
    private static final long MAX_NONCE = -1L;

    private final NoiseCipher cipher;
    private final Cipher jdk;
    private SecretKeySpec key;
    private long nonce;

    CipherState(NoiseCipher cipher) {
        this.cipher = cipher;
        this.jdk = cipher.newCipher();
    }

    void initializeKey(byte[] key) {
        this.key = key == null ? null : new SecretKeySpec(key, 0, 32, cipher.keyAlgorithm());
        this.nonce = 0;
    }

    /** @return whether a key is set */
    public boolean hasKey() {
        return key != null;
    }

    /** @return the next nonce to be used */
    public long nonce() {
        return nonce;
    }

    /**
     * EncryptWithAd (§5.1); with no key, returns the plaintext unchanged.
     *
     * @param ad associated data
     * @param plaintext plaintext
     * @return ciphertext with its 16-byte tag
     * @throws IllegalStateException when the nonce is exhausted
     */
    public byte[] encryptWithAd(byte[] ad, byte[] plaintext) {
        if (key == null) {
            return plaintext.clone();
        }
        if (nonce == MAX_NONCE) {
            throw new IllegalStateException("Noise nonce exhausted; rekey or start a new handshake");
        }
        try {
            jdk.init(Cipher.ENCRYPT_MODE, key, cipher.parameters(nonce));
            jdk.updateAAD(ad);
            byte[] out = jdk.doFinal(plaintext);
            nonce++;
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AEAD encryption failed", e);
        }
    }

    /**
     * DecryptWithAd (§5.1); with no key, returns the ciphertext unchanged. Never throws on bad input.
     *
     * @param ad associated data
     * @param ciphertext ciphertext with tag
     * @return the plaintext, or {@code null} if authentication failed (the nonce is then not advanced)
     */
    public byte[] decryptWithAd(byte[] ad, byte[] ciphertext) {
        if (key == null) {
            return ciphertext.clone();
        }
        if (nonce == MAX_NONCE || ciphertext.length < TAG_LENGTH) {
            return null;
        }
        try {
            jdk.init(Cipher.DECRYPT_MODE, key, cipher.parameters(nonce));
            jdk.updateAAD(ad);
            byte[] out = jdk.doFinal(ciphertext);
            nonce++;
            return out;
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    /** Rekey (§4.2): the new key is ENCRYPT(k, 2^64 − 1, empty, 32 zero bytes), first 32 bytes. */
    public void rekey() {
        if (key == null) {
            return;
        }
        try {
            jdk.init(Cipher.ENCRYPT_MODE, key, cipher.parameters(MAX_NONCE));
            byte[] out = jdk.doFinal(new byte[32]);
            key = new SecretKeySpec(Arrays.copyOf(out, 32), cipher.keyAlgorithm());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AEAD rekey failed", e);
        }
    }
}
