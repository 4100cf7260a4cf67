package io.meshwire.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/** Noise DH functions (§12.1, §12.2) on the JDK's XDH provider. */
enum NoiseDh {
    X25519("25519", NamedParameterSpec.X25519, 32),
    X448("448", NamedParameterSpec.X448, 56);

    final String noiseName;
    final NamedParameterSpec spec;
    final int dhLength;

    NoiseDh(String noiseName, NamedParameterSpec spec, int dhLength) {
        this.noiseName = noiseName;
        this.spec = spec;
        this.dhLength = dhLength;
    }

    static NoiseDh named(String name) {
        for (NoiseDh dh : values()) {
            if (dh.noiseName.equals(name)) {
                return dh;
            }
        }
        throw new IllegalArgumentException("unsupported Noise DH function: " + name + " (supported: 25519, 448)");
    }

    NoiseKeyPair generate(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("XDH");
            generator.initialize(spec, random);
            var pair = generator.generateKeyPair();
            byte[] scalar = ((XECPrivateKey) pair.getPrivate()).getScalar().orElseThrow();
            return new NoiseKeyPair(scalar, encodeU(((XECPublicKey) pair.getPublic()).getU()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's XDH provider is unavailable", e);
        }
    }

    NoiseKeyPair fromPrivate(byte[] privateKey) {
        byte[] basePoint = new byte[dhLength];
        basePoint[0] = (byte) (this == X25519 ? 9 : 5);
        byte[] publicKey = new byte[dhLength];
        if (!dh(privateKey, basePoint, publicKey)) {
            throw new IllegalArgumentException("invalid " + noiseName + " private key");
        }
        return new NoiseKeyPair(privateKey, publicKey);
    }

    /**
     * DH(private, public) into {@code out}.
     *
     * @return {@code false} for an invalid public key, e.g. one of small order whose result is all zeros
     */
    boolean dh(byte[] privateKey, byte[] publicKey, byte[] out) {
        if (privateKey.length != dhLength || publicKey.length != dhLength) {
            return false;
        }
        try {
            KeyFactory factory = KeyFactory.getInstance("XDH");
            PrivateKey priv = factory.generatePrivate(new XECPrivateKeySpec(spec, privateKey));
            PublicKey pub = factory.generatePublic(new XECPublicKeySpec(spec, decodeU(publicKey)));
            KeyAgreement agreement = KeyAgreement.getInstance("XDH");
            agreement.init(priv);
            agreement.doPhase(pub, true);
            // The JDK rejects an all-zero result (small-order point) with InvalidKeyException (RFC 7748 §6.1).
            byte[] secret = agreement.generateSecret();
            System.arraycopy(secret, 0, out, 0, dhLength);
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private BigInteger decodeU(byte[] littleEndian) {
        byte[] bigEndian = new byte[dhLength];
        for (int i = 0; i < dhLength; i++) {
            bigEndian[i] = littleEndian[dhLength - 1 - i];
        }
        if (this == X25519) {
            // RFC 7748 §5: X25519 implementations mask the most significant bit of the final byte.
            bigEndian[0] &= 0x7F;
        }
        return new BigInteger(1, bigEndian);
    }

    private byte[] encodeU(BigInteger u) {
        byte[] bigEndian = u.toByteArray();
        byte[] out = new byte[dhLength];
        for (int i = 0; i < dhLength && i < bigEndian.length; i++) {
            out[i] = bigEndian[bigEndian.length - 1 - i];
        }
        return out;
    }
}
