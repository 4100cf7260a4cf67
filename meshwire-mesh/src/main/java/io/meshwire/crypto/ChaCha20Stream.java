package io.meshwire.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * ChaCha20 (RFC 8439 §2.3–§2.4) under one 256-bit key: XORs the keystream of (key, nonce, block counter) into a
 * heap array in place. Allocates nothing per call. Not thread-safe.
 *
 * <p>Two code paths produce the same keystream. The scalar path computes one 64-byte block at a time in 16 int
 * locals. The lane path computes {@link #LANES} consecutive blocks at once in a lane-major array ({@code x[row +
 * word*LANES + block]}) so that each loop below applies one quarter-round to all lanes of four words; HotSpot's C2
 * compiles such loops to SIMD instructions (SuperWord auto-vectorization: {@code vpaddd}, {@code vpxord},
 * {@code vprold} on AVX-512 or AVX2) without the incubating Vector API. C2 picks the vector width from the loop's
 * trip count (about trip/16 lanes), so every lane loop runs over 4 × 64 = 256 ints to get 16-lane (512-bit)
 * vectors. Without SIMD the lane path is still correct, only slower.
 */
final class ChaCha20Stream {
    /** Keystream block length in bytes. */
    static final int BLOCK_LENGTH = 64;
    /** Blocks per lane pass. */
    static final int LANES = 64;
    /**
     * Fewest remaining blocks for which a lane pass (always {@link #LANES} blocks of work) is used instead of
     * scalar blocks: on the AVX-512 machine of BENCHMARKS.md one pass cost about as much as 11–12 scalar blocks.
     */
    static final int LANE_THRESHOLD = 12;

    // "expand 32-byte k" (RFC 8439 §2.3).
    private static final int SIGMA0 = 0x61707865;
    private static final int SIGMA1 = 0x3320646e;
    private static final int SIGMA2 = 0x79622d32;
    private static final int SIGMA3 = 0x6b206574;

    // Lane-array rows. Row a holds words 0–3; rows b, c and d hold words 4–7, 8–11 and 12–15 followed by copies
    // of their first 1, 2 and 3 words. Then the diagonal round (§2.2: QR(0,5,10,15), QR(1,6,11,12), ...) reads
    // rows b, c, d at offsets of 1, 2, 3 words as one contiguous run, the same loop shape as the column round.
    private static final int N = LANES;
    private static final int ROW_B = 4 * N;
    private static final int ROW_C = ROW_B + 5 * N;
    private static final int ROW_D = ROW_C + 6 * N;
    private static final int LANE_STATE_LENGTH = ROW_D + 7 * N;

    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final int k0, k1, k2, k3, k4, k5, k6, k7;
    private int n0, n1, n2;
    // Allocated on the first large message (5.5 KiB): sessions that only send small packets never pay for it.
    private int[] lanes;
    private final int[] partial = new int[16];

    /**
     * @param key 32 bytes
     */
    ChaCha20Stream(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("ChaCha20 key must be 32 bytes, got " + key.length);
        }
        k0 = (int) INT_LE.get(key, 0);
        k1 = (int) INT_LE.get(key, 4);
        k2 = (int) INT_LE.get(key, 8);
        k3 = (int) INT_LE.get(key, 12);
        k4 = (int) INT_LE.get(key, 16);
        k5 = (int) INT_LE.get(key, 20);
        k6 = (int) INT_LE.get(key, 24);
        k7 = (int) INT_LE.get(key, 28);
    }

    /** Sets the 96-bit nonce (§2.3: three little-endian words) for the following calls. */
    void nonce(byte[] nonce) {
        n0 = (int) INT_LE.get(nonce, 0);
        n1 = (int) INT_LE.get(nonce, 4);
        n2 = (int) INT_LE.get(nonce, 8);
    }

    /** Writes the 16 words of keystream block {@code counter} into {@code out[0, 16)}. */
    void block(int counter, int[] out) {
        int x0 = SIGMA0, x1 = SIGMA1, x2 = SIGMA2, x3 = SIGMA3;
        int x4 = k0, x5 = k1, x6 = k2, x7 = k3, x8 = k4, x9 = k5, x10 = k6, x11 = k7;
        int x12 = counter, x13 = n0, x14 = n1, x15 = n2;
        for (int round = 0; round < 10; round++) {
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 16); x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 12);
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 8); x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 7);
            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 16); x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 12);
            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 8); x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 7);
            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 16); x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 12);
            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 8); x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 7);
            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 16); x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 12);
            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 8); x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 7);

            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 16); x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 12);
            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 8); x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 7);
            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 16); x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 12);
            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 8); x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 7);
            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 16); x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 12);
            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 8); x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 7);
            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 16); x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 12);
            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 8); x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 7);
        }
        out[0] = x0 + SIGMA0;
        out[1] = x1 + SIGMA1;
        out[2] = x2 + SIGMA2;
        out[3] = x3 + SIGMA3;
        out[4] = x4 + k0;
        out[5] = x5 + k1;
        out[6] = x6 + k2;
        out[7] = x7 + k3;
        out[8] = x8 + k4;
        out[9] = x9 + k5;
        out[10] = x10 + k6;
        out[11] = x11 + k7;
        out[12] = x12 + counter;
        out[13] = x13 + n0;
        out[14] = x14 + n1;
        out[15] = x15 + n2;
    }

    /**
     * XORs the keystream from block {@code counter} on into {@code buf[off, off+len)}: encryption and decryption
     * (§2.4). The caller keeps {@code counter + blocks} below 2^32 (a net-mesh packet needs at most 128 blocks).
     */
    void xor(int counter, byte[] buf, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        while (len > 0) {
            int blocks = (len + BLOCK_LENGTH - 1) / BLOCK_LENGTH;
            if (blocks < LANE_THRESHOLD) {
                xorScalar(counter, buf, off, len);
                return;
            }
            int n = Math.min(len, LANES * BLOCK_LENGTH);
            xorLanes(counter, buf, off, n);
            counter += LANES;
            off += n;
            len -= n;
        }
    }

    /** The scalar path for the whole range (package-private for tests that compare the two paths). */
    void xorScalar(int counter, byte[] buf, int off, int len) {
        int[] ks = partial;
        for (; len >= BLOCK_LENGTH; counter++, off += BLOCK_LENGTH, len -= BLOCK_LENGTH) {
            block(counter, ks);
            for (int w = 0; w < 16; w += 2) {
                int p = off + 4 * w;
                LONG_LE.set(buf, p, (long) LONG_LE.get(buf, p) ^ pack(ks[w], ks[w + 1]));
            }
        }
        if (len > 0) {
            block(counter, ks);
            xorPartial(ks, buf, off, len);
        }
    }

    /**
     * One lane pass: keystream blocks {@code counter .. counter+LANES-1}, XORed into {@code buf[off, off+len)}
     * with {@code len <= LANES * 64} (package-private for tests that compare the two paths).
     */
    void xorLanes(int counter, byte[] buf, int off, int len) {
        int[] x = lanes;
        if (x == null) {
            x = lanes = new int[LANE_STATE_LENGTH];
        }
        fill(x, 0, SIGMA0);
        fill(x, N, SIGMA1);
        fill(x, 2 * N, SIGMA2);
        fill(x, 3 * N, SIGMA3);
        fill(x, ROW_B, k0);
        fill(x, ROW_B + N, k1);
        fill(x, ROW_B + 2 * N, k2);
        fill(x, ROW_B + 3 * N, k3);
        fill(x, ROW_C, k4);
        fill(x, ROW_C + N, k5);
        fill(x, ROW_C + 2 * N, k6);
        fill(x, ROW_C + 3 * N, k7);
        for (int i = 0; i < N; i++) {
            x[ROW_D + i] = counter + i;
        }
        fill(x, ROW_D + N, n0);
        fill(x, ROW_D + 2 * N, n1);
        fill(x, ROW_D + 3 * N, n2);
        for (int round = 0; round < 10; round++) {
            columnRound(x);
            // Refresh the copies the diagonal round reads past the end of rows b, c, d ...
            System.arraycopy(x, ROW_B, x, ROW_B + 4 * N, N);
            System.arraycopy(x, ROW_C, x, ROW_C + 4 * N, 2 * N);
            System.arraycopy(x, ROW_D, x, ROW_D + 4 * N, 3 * N);
            diagonalRound(x);
            // ... and move the words the diagonal round wrote there back to their places.
            System.arraycopy(x, ROW_B + 4 * N, x, ROW_B, N);
            System.arraycopy(x, ROW_C + 4 * N, x, ROW_C, 2 * N);
            System.arraycopy(x, ROW_D + 4 * N, x, ROW_D, 3 * N);
        }
        int full = len / BLOCK_LENGTH;
        for (int i = 0; i < full; i++) {
            int p = off + i * BLOCK_LENGTH;
            xorLong(buf, p, x[i] + SIGMA0, x[N + i] + SIGMA1);
            xorLong(buf, p + 8, x[2 * N + i] + SIGMA2, x[3 * N + i] + SIGMA3);
            xorLong(buf, p + 16, x[ROW_B + i] + k0, x[ROW_B + N + i] + k1);
            xorLong(buf, p + 24, x[ROW_B + 2 * N + i] + k2, x[ROW_B + 3 * N + i] + k3);
            xorLong(buf, p + 32, x[ROW_C + i] + k4, x[ROW_C + N + i] + k5);
            xorLong(buf, p + 40, x[ROW_C + 2 * N + i] + k6, x[ROW_C + 3 * N + i] + k7);
            xorLong(buf, p + 48, x[ROW_D + i] + counter + i, x[ROW_D + N + i] + n0);
            xorLong(buf, p + 56, x[ROW_D + 2 * N + i] + n1, x[ROW_D + 3 * N + i] + n2);
        }
        int rest = len - full * BLOCK_LENGTH;
        if (rest > 0) {
            int i = full;
            int[] ks = partial;
            ks[0] = x[i] + SIGMA0;
            ks[1] = x[N + i] + SIGMA1;
            ks[2] = x[2 * N + i] + SIGMA2;
            ks[3] = x[3 * N + i] + SIGMA3;
            ks[4] = x[ROW_B + i] + k0;
            ks[5] = x[ROW_B + N + i] + k1;
            ks[6] = x[ROW_B + 2 * N + i] + k2;
            ks[7] = x[ROW_B + 3 * N + i] + k3;
            ks[8] = x[ROW_C + i] + k4;
            ks[9] = x[ROW_C + N + i] + k5;
            ks[10] = x[ROW_C + 2 * N + i] + k6;
            ks[11] = x[ROW_C + 3 * N + i] + k7;
            ks[12] = x[ROW_D + i] + counter + i;
            ks[13] = x[ROW_D + N + i] + n0;
            ks[14] = x[ROW_D + 2 * N + i] + n1;
            ks[15] = x[ROW_D + 3 * N + i] + n2;
            xorPartial(ks, buf, off + full * BLOCK_LENGTH, rest);
        }
    }

    /**
     * The column round on all lanes: QR(j, 4+j, 8+j, 12+j) for j = 0..3 is one loop over the 4N ints of row a
     * against the first 4N of rows b, c, d. The row offsets are constants in the loop itself (not parameters):
     * SuperWord must see that the four streams cannot overlap, whether or not this method is inlined.
     */
    private static void columnRound(int[] x) {
        for (int i = 0; i < 4 * N; i++) {
            int va = x[i];
            int vb = x[ROW_B + i];
            int vc = x[ROW_C + i];
            int vd = x[ROW_D + i];
            va += vb; vd = Integer.rotateLeft(vd ^ va, 16);
            vc += vd; vb = Integer.rotateLeft(vb ^ vc, 12);
            va += vb; vd = Integer.rotateLeft(vd ^ va, 8);
            vc += vd; vb = Integer.rotateLeft(vb ^ vc, 7);
            x[i] = va;
            x[ROW_B + i] = vb;
            x[ROW_C + i] = vc;
            x[ROW_D + i] = vd;
        }
    }

    /**
     * The diagonal round on all lanes: QR(0,5,10,15), QR(1,6,11,12), QR(2,7,8,13), QR(3,4,9,14) is the column
     * loop with rows b, c, d read 1, 2, 3 words further on, through the copies at their ends.
     */
    private static void diagonalRound(int[] x) {
        for (int i = 0; i < 4 * N; i++) {
            int va = x[i];
            int vb = x[ROW_B + N + i];
            int vc = x[ROW_C + 2 * N + i];
            int vd = x[ROW_D + 3 * N + i];
            va += vb; vd = Integer.rotateLeft(vd ^ va, 16);
            vc += vd; vb = Integer.rotateLeft(vb ^ vc, 12);
            va += vb; vd = Integer.rotateLeft(vd ^ va, 8);
            vc += vd; vb = Integer.rotateLeft(vb ^ vc, 7);
            x[i] = va;
            x[ROW_B + N + i] = vb;
            x[ROW_C + 2 * N + i] = vc;
            x[ROW_D + 3 * N + i] = vd;
        }
    }

    private static void fill(int[] x, int from, int value) {
        for (int i = 0; i < N; i++) {
            x[from + i] = value;
        }
    }

    private static void xorLong(byte[] buf, int p, int lo, int hi) {
        LONG_LE.set(buf, p, (long) LONG_LE.get(buf, p) ^ pack(lo, hi));
    }

    private static long pack(int lo, int hi) {
        return (lo & 0xFFFF_FFFFL) | ((long) hi << 32);
    }

    private static void xorPartial(int[] ks, byte[] buf, int off, int len) {
        for (int j = 0; j < len; j++) {
            buf[off + j] ^= (byte) (ks[j >>> 2] >>> ((j & 3) << 3));
        }
    }
}
