package io.meshwire.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

/**
 * The plain-Java ChaCha20-Poly1305 against RFC 8439's test vectors and, on random inputs, against the JDK's
 * cipher and BouncyCastle's Poly1305 (two independent implementations).
 */
class JavaPacketAeadTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] SUNSCREEN = ("Ladies and Gentlemen of the class of '99: If I could offer you only one"
            + " tip for the future, sunscreen would be it.").getBytes(StandardCharsets.US_ASCII);

    static byte[] hex(String spaced) {
        return HEX.parseHex(spaced.replaceAll("[\\s:]", ""));
    }

    static byte[] range(int from, int count) {
        byte[] b = new byte[count];
        for (int i = 0; i < count; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    static int[] words(byte[] bytes) {
        int[] w = new int[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(w);
        return w;
    }

    static byte[] bytes(int[] words) {
        ByteBuffer b = ByteBuffer.allocate(words.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(words);
        return b.array();
    }

    @Test
    void shouldMatchRfcBlockWhenComputingBlockFunction() {
        // RFC 8439 §2.3.2
        ChaCha20Stream chacha = new ChaCha20Stream(range(0, 32));
        chacha.nonce(hex("00 00 00 09 00 00 00 4a 00 00 00 00"));
        int[] out = new int[16];
        chacha.block(1, out);
        assertThat(bytes(out)).isEqualTo(hex("""
                10 f1 e7 e4 d1 3b 59 15 50 0f dd 1f a3 20 71 c4 c7 d1 f4 c7 33 c0 68 03 04 22 aa 9a c3 d4 6c 4e
                d2 82 64 46 07 9f aa 09 14 c2 d7 05 d9 8b 02 a2 b5 12 9c d1 de 16 4e b9 cb d0 83 e8 a2 50 3c 4e"""));
    }

    @Test
    void shouldMatchRfcCiphertextWhenEncryptingWithEitherPath() {
        // RFC 8439 §2.4.2
        byte[] expected = hex("""
                6e 2e 35 9a 25 68 f9 80 41 ba 07 28 dd 0d 69 81 e9 7e 7a ec 1d 43 60 c2 0a 27 af cc fd 9f ae 0b
                f9 1b 65 c5 52 47 33 ab 8f 59 3d ab cd 62 b3 57 16 39 d6 24 e6 51 52 ab 8f 53 0c 35 9f 08 61 d8
                07 ca 0d bf 50 0d 6a 61 56 a3 8e 08 8a 22 b6 5e 52 bc 51 4d 16 cc f8 06 81 8c e9 1a b7 79 37 36
                5a f9 0b bf 74 a3 5b e6 b4 0b 8e ed f2 78 5e 42 87 4d""");
        ChaCha20Stream chacha = new ChaCha20Stream(range(0, 32));
        chacha.nonce(hex("00 00 00 00 00 00 00 4a 00 00 00 00"));
        byte[] scalar = SUNSCREEN.clone();
        chacha.xorScalar(1, scalar, 0, scalar.length);
        byte[] lanes = SUNSCREEN.clone();
        chacha.xorLanes(1, lanes, 0, lanes.length);
        assertThat(scalar).isEqualTo(expected);
        assertThat(lanes).isEqualTo(expected);
    }

    @Test
    void shouldMatchRfcTagWhenMacingMessage() {
        // RFC 8439 §2.5.2
        Poly1305Mac mac = new Poly1305Mac();
        mac.init(words(hex("85:d6:be:78:57:55:6d:33:7f:44:52:fe:42:d5:06:a8:01:03:80:8a:fb:0d:b2:fd:4a:bf:f6:af:41:49:f5:1b")));
        byte[] message = "Cryptographic Forum Research Group".getBytes(StandardCharsets.US_ASCII);
        mac.message(message, 0, message.length);
        byte[] tag = new byte[16];
        mac.tag(tag, 0);
        assertThat(tag).isEqualTo(hex("a8:06:1d:c1:30:51:36:c6:c2:2b:8b:af:0c:01:27:a9"));
    }

    @Test
    void shouldMatchRfcEdgeCaseTagsWhenAccumulatorWrapsAroundPrime() {
        // RFC 8439 Appendix A.3, test vectors #5–#9: carries through every limb and the final reduction mod p.
        String r2 = "02" + "00".repeat(15);
        String r1 = "01" + "00".repeat(15);
        String zero = "00".repeat(16);
        String ff = "ff".repeat(16);
        assertPolyTag(r2 + zero, ff, "03" + "00".repeat(15));
        assertPolyTag(r2 + ff, "02" + "00".repeat(15), "03" + "00".repeat(15));
        assertPolyTag(r1 + zero, ff + "f0" + "ff".repeat(15) + "11" + "00".repeat(15), "05" + "00".repeat(15));
        assertPolyTag(r1 + zero, ff + "fb" + "fe".repeat(15) + "01".repeat(16), zero);
        assertPolyTag(r2 + zero, "fd" + "ff".repeat(15), "fa" + "ff".repeat(15));
    }

    private static void assertPolyTag(String key, String message, String tag) {
        Poly1305Mac mac = new Poly1305Mac();
        mac.init(words(hex(key)));
        byte[] m = hex(message);
        mac.message(m, 0, m.length);
        byte[] out = new byte[16];
        mac.tag(out, 0);
        assertThat(HEX.formatHex(out)).isEqualTo(tag);
    }

    @Test
    void shouldMatchRfcOneTimeKeyWhenGeneratingPolyKey() {
        // RFC 8439 §2.6.2
        ChaCha20Stream chacha = new ChaCha20Stream(range(0x80, 32));
        chacha.nonce(hex("00 00 00 00 00 01 02 03 04 05 06 07"));
        int[] out = new int[16];
        chacha.block(0, out);
        assertThat(Arrays.copyOf(bytes(out), 32)).isEqualTo(hex("""
                8a d5 a0 8b 90 5f 81 cc 81 50 40 27 4a b2 94 71 a8 33 b6 37 e3 fd 0d a5 08 db b8 e2 fd d1 a6 46"""));
    }

    @Test
    void shouldMatchRfcAeadVectorWhenSealingAndOpening() {
        // RFC 8439 §2.8.2
        byte[] key = range(0x80, 32);
        byte[] nonce = hex("07 00 00 00 40 41 42 43 44 45 46 47");
        byte[] aad = hex("50 51 52 53 c0 c1 c2 c3 c4 c5 c6 c7");
        byte[] expected = hex("""
                d3 1a 8d 34 64 8e 60 db 7b 86 af bc 53 ef 7e c2 a4 ad ed 51 29 6e 08 fe a9 e2 b5 a7 36 ee 62 d6
                3d be a4 5e 8c a9 67 12 82 fa fb 69 da 92 72 8b 1a 71 de 0a 9e 06 0b 29 05 d6 a5 b6 7e cd 3b 36
                92 dd bd 7f 2d 77 8b 8c 98 03 ae e3 28 09 1b 58 fa b3 24 e4 fa d6 75 94 55 85 80 8b 48 31 d7 bc
                3f f4 de f0 8e 4b 7a 9d e5 76 d2 65 86 ce c6 4b 61 16
                1a:e1:0b:59:4f:09:e2:6a:7e:90:2e:cb:d0:60:06:91""");
        byte[] buf = Arrays.copyOf(SUNSCREEN, SUNSCREEN.length + 16);
        JavaPacketAead aead = new JavaPacketAead(key);
        aead.seal(nonce, aad, aad.length, buf, 0, SUNSCREEN.length);
        assertThat(buf).isEqualTo(expected);
        assertThat(aead.open(nonce, aad, aad.length, buf, 0, SUNSCREEN.length)).isTrue();
        assertThat(Arrays.copyOf(buf, SUNSCREEN.length)).isEqualTo(SUNSCREEN);
    }

    /** Sizes around every path boundary: partial blocks, the lane threshold, whole lane passes, net-mesh's max. */
    static final int[] SIZES = {0, 1, 15, 16, 17, 63, 64, 65, 127, 128, 1000, 1024,
        ChaCha20Stream.LANE_THRESHOLD * 64 - 65, ChaCha20Stream.LANE_THRESHOLD * 64 - 64,
        ChaCha20Stream.LANE_THRESHOLD * 64 - 63, 4031, 4032, 4033, 4095, 4096, 4097, 8107, 8108, 8109, 8192, 12_000};

    @Test
    void shouldEqualJdkCipherWhenSealingRandomInputs() throws Exception {
        SplittableRandom random = new SplittableRandom(8439);
        Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
        for (int trial = 0; trial < 400; trial++) {
            int size = trial < SIZES.length ? SIZES[trial] : random.nextInt(9000);
            byte[] key = bytes(random, 32);
            byte[] nonce = bytes(random, 12);
            byte[] aad = bytes(random, random.nextInt(3) == 0 ? 56 : random.nextInt(80));
            byte[] plaintext = bytes(random, size);
            int off = random.nextInt(8);

            byte[] ours = new byte[off + size + 16 + 3];
            System.arraycopy(plaintext, 0, ours, off, size);
            JavaPacketAead aead = new JavaPacketAead(key);
            aead.seal(nonce, aad, aad.length, ours, off, size);

            jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
            jdk.updateAAD(aad);
            byte[] theirs = jdk.doFinal(plaintext);
            assertThat(Arrays.copyOfRange(ours, off, off + size + 16)).as("size %d", size).isEqualTo(theirs);

            assertThat(aead.open(nonce, aad, aad.length, ours, off, size)).as("size %d", size).isTrue();
            assertThat(Arrays.copyOfRange(ours, off, off + size)).as("size %d", size).isEqualTo(plaintext);
        }
    }

    @Test
    void shouldRejectAndLeaveBufferUntouchedWhenAnyByteIsForged() throws Exception {
        SplittableRandom random = new SplittableRandom(7539);
        for (int trial = 0; trial < 300; trial++) {
            int size = trial < SIZES.length ? SIZES[trial] : random.nextInt(9000);
            byte[] key = bytes(random, 32);
            byte[] nonce = bytes(random, 12);
            byte[] aad = bytes(random, 56);
            byte[] buf = bytes(random, size + 16);
            JavaPacketAead aead = new JavaPacketAead(key);
            aead.seal(nonce, aad, aad.length, buf, 0, size);
            byte[] sealed = buf.clone();

            // One flipped bit anywhere in ciphertext, tag, AAD or nonce must fail, and must not decrypt anything.
            int target = random.nextInt(size + 16 + 56 + 12);
            int bit = 1 << random.nextInt(8);
            byte[] field = target < size + 16 ? buf : target < size + 16 + 56 ? aad : nonce;
            int index = target < size + 16 ? target : target < size + 16 + 56 ? target - size - 16 : target - size - 72;
            field[index] ^= (byte) bit;
            byte[] forged = buf.clone();
            assertThat(aead.open(nonce, aad, aad.length, buf, 0, size)).as("size %d, byte %d", size, target).isFalse();
            assertThat(buf).as("a forged packet stays as it arrived").isEqualTo(forged);
            field[index] ^= (byte) bit;

            // A different key fails too, and the untouched packet still opens.
            assertThat(new JavaPacketAead(bytes(random, 32)).open(nonce, aad, aad.length, buf, 0, size)).isFalse();
            assertThat(buf).isEqualTo(sealed);
            assertThat(aead.open(nonce, aad, aad.length, buf, 0, size)).isTrue();
        }
    }

    @Test
    void shouldEqualJdkKeystreamWhenUsingLanesOrScalarBlocks() throws Exception {
        SplittableRandom random = new SplittableRandom(20);
        Cipher jdk = Cipher.getInstance("ChaCha20");
        for (int trial = 0; trial < 200; trial++) {
            byte[] key = bytes(random, 32);
            byte[] nonce = bytes(random, 12);
            int counter = random.nextInt(1 << 20);
            int size = 1 + random.nextInt(ChaCha20Stream.LANES * 64);
            ChaCha20Stream chacha = new ChaCha20Stream(key);
            chacha.nonce(nonce);
            byte[] scalar = new byte[size];
            chacha.xorScalar(counter, scalar, 0, size);
            byte[] lanes = new byte[size + 5];
            chacha.xorLanes(counter, lanes, 5, size);

            jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new ChaCha20ParameterSpec(nonce, counter));
            byte[] expected = jdk.doFinal(new byte[size]);
            assertThat(scalar).as("scalar, size %d", size).isEqualTo(expected);
            assertThat(Arrays.copyOfRange(lanes, 5, size + 5)).as("lanes, size %d", size).isEqualTo(expected);
            assertThat(Arrays.copyOf(lanes, 5)).as("bytes before the range").containsOnly(0);
        }
    }

    @Test
    void shouldEqualBouncyCastleWhenMacingRandomAndExtremeInputs() {
        SplittableRandom random = new SplittableRandom(1305);
        Poly1305 bc = new Poly1305();
        Poly1305Mac ours = new Poly1305Mac();
        for (int trial = 0; trial < 2000; trial++) {
            byte[] key = bytes(random, 32);
            byte[] message = bytes(random, random.nextInt(300));
            switch (trial % 4) {
                case 1 -> Arrays.fill(message, (byte) 0xFF); // every addition carries
                case 2 -> Arrays.fill(key, 0, 16, (byte) 0xFF); // r at its clamped maximum
                case 3 -> {
                    Arrays.fill(key, (byte) 0xFF);
                    Arrays.fill(message, (byte) 0xFF);
                }
                default -> { }
            }
            ours.init(words(key));
            ours.message(message, 0, message.length);
            byte[] tag = new byte[16];
            ours.tag(tag, 0);

            bc.init(new KeyParameter(key));
            bc.update(message, 0, message.length);
            byte[] expected = new byte[16];
            bc.doFinal(expected, 0);
            assertThat(tag).as("trial %d, %d bytes", trial, message.length).isEqualTo(expected);
        }
    }

    static byte[] bytes(SplittableRandom random, int length) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        return b;
    }
}
