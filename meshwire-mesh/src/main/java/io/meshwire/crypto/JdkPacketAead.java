package io.meshwire.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@link PacketAead} on the JDK's ChaCha20-Poly1305; one reused {@link Cipher}, re-initialized per packet (a new
 * nonce needs a new {@code init}, and each allocates). Seal and open both run in place on the array: with no
 * earlier {@code update}, SunJCE's decrypt {@code doFinal} reads the ciphertext straight from the input array
 * (no internal buffering) and checks the tag before it decrypts.
 */
final class JdkPacketAead implements PacketAead {
    private final Cipher cipher;
    private final SecretKeySpec key;

    JdkPacketAead(byte[] key) {
        try {
            this.cipher = Cipher.getInstance("ChaCha20-Poly1305");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no ChaCha20-Poly1305 cipher", e);
        }
        this.key = new SecretKeySpec(key, "ChaCha20");
    }

    @Override
    public void seal(byte[] nonce, byte[] aad, int aadLength, byte[] buf, int off, int len) {
        try {
            // The JDK refuses a second encryption under the same key and nonce; counters never repeat (spec §2.3).
            cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(nonce));
            cipher.updateAAD(aad, 0, aadLength);
            cipher.doFinal(buf, off, len, buf, off);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 seal failed", e);
        }
    }

    @Override
    public boolean open(byte[] nonce, byte[] aad, int aadLength, byte[] buf, int off, int len) {
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(nonce));
            cipher.updateAAD(aad, 0, aadLength);
            cipher.doFinal(buf, off, len + TAG_LENGTH, buf, off);
            return true;
        } catch (AEADBadTagException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 open failed", e);
        }
    }
}
