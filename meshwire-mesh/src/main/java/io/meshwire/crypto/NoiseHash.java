package io.meshwire.crypto;

import java.util.function.Supplier;
import org.bouncycastle.crypto.ExtendedDigest;
import org.bouncycastle.crypto.digests.Blake2bDigest;
import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/** Noise hash functions (§12.4–§12.6) with HMAC and HKDF (§4.3). BLAKE2 comes from BouncyCastle: the JDK has none. */
enum NoiseHash {
    SHA256("SHA256", 32, SHA256Digest::new),
    SHA512("SHA512", 64, SHA512Digest::new),
    BLAKE2S("BLAKE2s", 32, () -> new Blake2sDigest(256)),
    BLAKE2B("BLAKE2b", 64, () -> new Blake2bDigest(512));

    final String noiseName;
    final int hashLength;
    private final Supplier<ExtendedDigest> digests;

    NoiseHash(String noiseName, int hashLength, Supplier<ExtendedDigest> digests) {
        this.noiseName = noiseName;
        this.hashLength = hashLength;
        this.digests = digests;
    }

    static NoiseHash named(String name) {
        for (NoiseHash hash : values()) {
            if (hash.noiseName.equals(name)) {
                return hash;
            }
        }
        throw new IllegalArgumentException("unsupported Noise hash: " + name + " (supported: SHA256, SHA512, BLAKE2s, BLAKE2b)");
    }

    byte[] hash(byte[]... parts) {
        ExtendedDigest digest = digests.get();
        for (byte[] part : parts) {
            digest.update(part, 0, part.length);
        }
        byte[] out = new byte[hashLength];
        digest.doFinal(out, 0);
        return out;
    }

    /** HMAC-HASH (RFC 2104) with the hash's own block length, as Noise §4.3 requires (not keyed BLAKE2). */
    byte[] hmac(byte[] key, byte[]... parts) {
        HMac mac = new HMac(digests.get());
        mac.init(new KeyParameter(key));
        for (byte[] part : parts) {
            mac.update(part, 0, part.length);
        }
        byte[] out = new byte[hashLength];
        mac.doFinal(out, 0);
        return out;
    }

    /** Noise HKDF (§4.3): two or three outputs of HASHLEN bytes. */
    byte[][] hkdf(byte[] chainingKey, byte[] inputKeyMaterial, int outputs) {
        byte[] tempKey = hmac(chainingKey, inputKeyMaterial);
        byte[] output1 = hmac(tempKey, new byte[] {1});
        byte[] output2 = hmac(tempKey, output1, new byte[] {2});
        if (outputs == 2) {
            return new byte[][] {output1, output2};
        }
        byte[] output3 = hmac(tempKey, output2, new byte[] {3});
        return new byte[][] {output1, output2, output3};
    }
}
