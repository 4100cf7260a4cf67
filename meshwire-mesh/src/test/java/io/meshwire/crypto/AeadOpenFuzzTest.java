package io.meshwire.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided differential fuzzing of the plain-Java AEAD ({@link AeadBackend#JAVA}) against the JDK's cipher,
 * on messages of every size up to past net-mesh's 8108 B (so both the scalar and the 64-block lane path run):
 * sealing must give the JDK's bytes, and opening a mutated message (ciphertext, tag, AAD or nonce) must give the
 * JDK's verdict, never throw, and leave a rejected message exactly as it arrived.
 */
public class AeadOpenFuzzTest {
    private static final byte[] KEY = PacketProtectorTest.filled(32, 0x5A);
    private static final JavaPacketAead AEAD = new JavaPacketAead(KEY);
    /*
     * Two JDK ciphers, not one: the JDK refuses an encrypting init whose key and nonce equal the previous init's,
     * whatever that init's mode. Opening with a mutated nonce can leave exactly the next counter's nonce behind
     * (counter XOR mask == counter + 1), so a shared instance made the next seal throw. The sealing instance only
     * ever sees strictly increasing nonces.
     */
    private static final Cipher JDK_SEAL = jdkCipher();
    private static final Cipher JDK_OPEN = jdkCipher();

    private static long nonceCounter;

    @Test
    void shouldKeepSealingWhenAMutatedNonceEqualsTheNextOne() {
        long next = nonceCounter + 1;
        long mask = next ^ (next + 1);
        byte[] nonceMutation = new byte[12];
        nonceMutation[2] = (byte) (4 << 2 | 3); // target 3 (nonce), offset 4: the counter's first byte
        for (int i = 0; i < 8; i++) {
            nonceMutation[4 + i] = (byte) (mask >>> (8 * i));
        }
        fuzzerTestOneInput(nonceMutation);
        fuzzerTestOneInput(new byte[] {16, 0, 0, 0});
        assertThat(nonceCounter).isEqualTo(next + 1);
    }

    @FuzzTest(maxDuration = "6s")
    void shouldMatchJdkAndRejectEveryChangeWhenOpeningMutatedMessage(byte[] data) {
        fuzzerTestOneInput(data);
    }

    /**
     * Entry point for Jazzer's standalone driver as well. Bytes 0–1: message length (u16 mod 8300); byte 2: bits
     * 0–1 pick what the rest is XORed onto (0–1 ciphertext‖tag, 2 AAD, 3 nonce), bits 2–7 and byte 3 the offset.
     * The rest is the XOR mask.
     */
    public static void fuzzerTestOneInput(byte[] data) {
        if (data.length < 4) {
            return;
        }
        int length = ((data[0] & 0xFF) | (data[1] & 0xFF) << 8) % 8300;
        int target = data[2] & 3;
        int offset = ((data[2] & 0xFF) >>> 2) | (data[3] & 0xFF) << 6;
        byte[] nonce = new byte[12];
        long counter = ++nonceCounter;
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (counter >>> (8 * i));
        }
        byte[] aad = new byte[NetAad.AAD_LENGTH];
        Arrays.fill(aad, (byte) length);
        byte[] plaintext = new byte[length];
        for (int i = 0; i < length; i++) {
            plaintext[i] = (byte) (i * 31 + 7);
        }

        byte[] message = Arrays.copyOf(plaintext, length + PacketAead.TAG_LENGTH);
        AEAD.seal(nonce, aad, aad.length, message, 0, length);
        byte[] expected = jdkSeal(nonce, aad, plaintext);
        if (!Arrays.equals(message, expected)) {
            throw new AssertionError("seal differs from the JDK at length " + length);
        }

        byte[] mutated = switch (target) {
            case 2 -> aad;
            case 3 -> nonce;
            default -> message;
        };
        boolean changed = false;
        for (int i = 4; i < data.length; i++) {
            int at = offset + i - 4;
            if (at < mutated.length && data[i] != 0) {
                mutated[at] ^= data[i];
                changed = true;
            }
        }
        byte[] arrived = message.clone();
        boolean jdkOpens = jdkOpens(nonce, aad, message);
        boolean opened = AEAD.open(nonce, aad, aad.length, message, 0, length);
        if (opened != jdkOpens) {
            throw new AssertionError("open says " + opened + ", the JDK " + jdkOpens + " at length " + length);
        }
        if (opened == changed) {
            throw new AssertionError(changed ? "a changed message was accepted" : "an intact message was rejected");
        }
        if (opened && !Arrays.equals(Arrays.copyOf(message, length), plaintext)) {
            throw new AssertionError("an authentic message decrypted wrongly at length " + length);
        }
        if (!opened && !Arrays.equals(message, arrived)) {
            throw new AssertionError("a rejected message was modified");
        }
    }

    private static byte[] jdkSeal(byte[] nonce, byte[] aad, byte[] plaintext) {
        try {
            JDK_SEAL.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(KEY, "ChaCha20"), new IvParameterSpec(nonce));
            JDK_SEAL.updateAAD(aad);
            return JDK_SEAL.doFinal(plaintext);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Cipher jdkCipher() {
        try {
            return Cipher.getInstance("ChaCha20-Poly1305");
        } catch (java.security.GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static boolean jdkOpens(byte[] nonce, byte[] aad, byte[] message) {
        try {
            JDK_OPEN.init(Cipher.DECRYPT_MODE, new SecretKeySpec(KEY, "ChaCha20"), new IvParameterSpec(nonce));
            JDK_OPEN.updateAAD(aad);
            JDK_OPEN.doFinal(message);
            return true;
        } catch (AEADBadTagException e) {
            return false;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
