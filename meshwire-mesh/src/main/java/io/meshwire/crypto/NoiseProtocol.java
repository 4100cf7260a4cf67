package io.meshwire.crypto;

/**
 * A full Noise protocol name, parsed (§8): pattern, DH, cipher and hash.
 *
 * @param name e.g. {@code Noise_NKpsk0_25519_ChaChaPoly_BLAKE2s}
 * @param pattern the handshake pattern with its modifiers applied
 * @param dh DH function
 * @param cipher cipher function
 * @param hash hash function
 */
public record NoiseProtocol(String name, HandshakePattern pattern, NoiseDh dh, NoiseCipher cipher, NoiseHash hash) {

    /** net-mesh 0.27's handshake (spec §2.1). */
    public static final String NET_MESH = "Noise_NKpsk0_25519_ChaChaPoly_BLAKE2s";

    /**
     * Parses a protocol name.
     *
     * @param name {@code Noise_<pattern>_<dh>_<cipher>_<hash>}
     * @return the protocol
     * @throws IllegalArgumentException if any part is unsupported
     */
    public static NoiseProtocol parse(String name) {
        String[] parts = name.split("_");
        if (parts.length != 5 || !parts[0].equals("Noise")) {
            throw new IllegalArgumentException("not a Noise protocol name: " + name);
        }
        return new NoiseProtocol(name, HandshakePattern.named(parts[1]), NoiseDh.named(parts[2]),
                NoiseCipher.named(parts[3]), NoiseHash.named(parts[4]));
    }

    /** @return DHLEN, the public key length */
    public int dhLength() {
        return dh.dhLength;
    }
}
