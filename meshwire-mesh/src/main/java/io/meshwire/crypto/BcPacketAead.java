package io.meshwire.crypto;

import org.bouncycastle.crypto.engines.ChaCha7539Engine;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * {@link PacketAead} as RFC 8439 §2.8 builds it: the Poly1305 key is the first 32 bytes of ChaCha20 block 0, the
 * payload is encrypted from block 1, and the tag covers aad ‖ pad16 ‖ ciphertext ‖ pad16 ‖ len(aad) ‖
 * len(ciphertext) (both u64 LE). BouncyCastle supplies the ChaCha20 and Poly1305 primitives; the parameter
 * objects are created once and their arrays rewritten per packet (BouncyCastle's {@code getIV()} and
 * {@code getKey()} return the live arrays), so nothing is allocated per packet.
 */
final class BcPacketAead implements PacketAead {
    private static final byte[] ZEROS = new byte[64];

    private final ChaCha7539Engine chacha = new ChaCha7539Engine();
    private final Poly1305 poly = new Poly1305();
    private final ParametersWithIV chachaParameters;
    private final byte[] nonce;
    private final KeyParameter polyKey = new KeyParameter(new byte[32]);
    private final byte[] block0 = new byte[64];
    private final byte[] lengths = new byte[16];
    private final byte[] tag = new byte[TAG_LENGTH];

    BcPacketAead(byte[] key) {
        chachaParameters = new ParametersWithIV(new KeyParameter(key), new byte[NONCE_LENGTH]);
        nonce = chachaParameters.getIV();
    }

    private void start(byte[] packetNonce, byte[] aad, int aadLength) {
        System.arraycopy(packetNonce, 0, nonce, 0, NONCE_LENGTH);
        chacha.init(true, chachaParameters);
        chacha.processBytes(ZEROS, 0, 64, block0, 0);
        System.arraycopy(block0, 0, polyKey.getKey(), 0, 32);
        poly.init(polyKey);
        poly.update(aad, 0, aadLength);
        pad16(aadLength);
    }

    private void finish(int aadLength, int dataLength, byte[] out, int outOff) {
        pad16(dataLength);
        putLongLe(lengths, 0, aadLength);
        putLongLe(lengths, 8, dataLength);
        poly.update(lengths, 0, 16);
        poly.doFinal(out, outOff);
    }

    @Override
    public void seal(byte[] packetNonce, byte[] aad, int aadLength, byte[] buf, int off, int len) {
        start(packetNonce, aad, aadLength);
        chacha.processBytes(buf, off, len, buf, off);
        poly.update(buf, off, len);
        finish(aadLength, len, buf, off + len);
    }

    @Override
    public boolean open(byte[] packetNonce, byte[] aad, int aadLength, byte[] buf, int off, int len) {
        start(packetNonce, aad, aadLength);
        poly.update(buf, off, len);
        finish(aadLength, len, tag, 0);
        // Constant-time compare; decrypt only an authentic packet.
        int diff = 0;
        for (int i = 0; i < TAG_LENGTH; i++) {
            diff |= tag[i] ^ buf[off + len + i];
        }
        if (diff != 0) {
            return false;
        }
        chacha.processBytes(buf, off, len, buf, off);
        return true;
    }

    private void pad16(int length) {
        int partial = length & 15;
        if (partial != 0) {
            poly.update(ZEROS, 0, 16 - partial);
        }
    }

    private static void putLongLe(byte[] dst, int off, long value) {
        for (int i = 0; i < 8; i++) {
            dst[off + i] = (byte) (value >>> (8 * i));
        }
    }
}
