package io.meshwire.crypto;

import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;

/** Noise cipher functions (§12.3, §12.4) on the JDK's providers. Both append a 16-byte tag. */
enum NoiseCipher {
    CHACHA_POLY("ChaChaPoly", "ChaCha20-Poly1305"),
    AES_GCM("AESGCM", "AES/GCM/NoPadding");

    final String noiseName;
    final String jdkName;

    NoiseCipher(String noiseName, String jdkName) {
        this.noiseName = noiseName;
        this.jdkName = jdkName;
    }

    static NoiseCipher named(String name) {
        for (NoiseCipher cipher : values()) {
            if (cipher.noiseName.equals(name)) {
                return cipher;
            }
        }
        throw new IllegalArgumentException("unsupported Noise cipher: " + name + " (supported: ChaChaPoly, AESGCM)");
    }

    javax.crypto.Cipher newCipher() {
        try {
            return javax.crypto.Cipher.getInstance(jdkName);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no " + jdkName, e);
        }
    }

    String keyAlgorithm() {
        return this == CHACHA_POLY ? "ChaCha20" : "AES";
    }

    /** The 96-bit nonce: 32 zero bits, then n as 64 bits, little-endian for ChaChaPoly and big-endian for AESGCM. */
    AlgorithmParameterSpec parameters(long n) {
        byte[] nonce = new byte[12];
        for (int i = 0; i < 8; i++) {
            int shift = this == CHACHA_POLY ? 8 * i : 8 * (7 - i);
            nonce[4 + i] = (byte) (n >>> shift);
        }
        return this == CHACHA_POLY ? new IvParameterSpec(nonce) : new GCMParameterSpec(128, nonce);
    }
}
