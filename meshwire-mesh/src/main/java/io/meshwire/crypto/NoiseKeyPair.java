package io.meshwire.crypto;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A raw Diffie-Hellman key pair as Noise uses it: the private scalar and public key as little-endian byte strings
 * (RFC 7748 encoding).
 *
 * @param privateKey private scalar, 32 bytes for X25519, 56 for X448
 * @param publicKey public key, same length
 */
public record NoiseKeyPair(byte[] privateKey, byte[] publicKey) {
    /** Defensive copies. */
    public NoiseKeyPair {
        privateKey = privateKey.clone();
        publicKey = publicKey.clone();
    }

    @Override
    public byte[] privateKey() {
        return privateKey.clone();
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoiseKeyPair other && Arrays.equals(privateKey, other.privateKey)
                && Arrays.equals(publicKey, other.publicKey);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(publicKey);
    }

    @Override
    public String toString() {
        return "NoiseKeyPair(public=" + HexFormat.of().formatHex(publicKey) + ")";
    }
}
