package io.meshwire.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Poly1305 (RFC 8439 §2.5) with a one-time key, in radix 2^64: the accumulator is h0 + h1·2^64 + h2·2^128 with
 * h2 kept small (at most 7), r is two 64-bit limbs and each block costs four 64×64→128-bit products (low half by
 * {@code *}, high half by {@link Math#unsignedMultiplyHigh}, a HotSpot intrinsic) and two 64-bit ones.
 * Carries are computed without branches, so the time does not depend on the data. Allocates nothing. Not
 * thread-safe.
 */
final class Poly1305Mac {
    /** Tag length in bytes. */
    static final int TAG_LENGTH = 16;

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private long r0, r1, s1;
    private long pad0, pad1;
    private long h0, h1, h2;
    private final byte[] last = new byte[16];

    /**
     * Starts a new MAC under the 32-byte one-time key given as 8 little-endian words (r = words 0–3, s = words
     * 4–7), as ChaCha20 block 0 produces it (§2.6).
     */
    void init(int[] key) {
        // Clamp r (§2.5.1): clear the top 4 bits of bytes 3, 7, 11, 15 and the bottom 2 bits of bytes 4, 8, 12.
        r0 = ((key[0] & 0xFFFF_FFFFL) | ((long) key[1] << 32)) & 0x0FFF_FFFC_0FFF_FFFFL;
        r1 = ((key[2] & 0xFFFF_FFFFL) | ((long) key[3] << 32)) & 0x0FFF_FFFC_0FFF_FFFCL;
        // r1 is a multiple of 4, so h·r1·2^128 = h·(r1/4)·2^130 ≡ h·5·(r1/4) (mod 2^130 - 5).
        s1 = r1 + (r1 >>> 2);
        pad0 = (key[4] & 0xFFFF_FFFFL) | ((long) key[5] << 32);
        pad1 = (key[6] & 0xFFFF_FFFFL) | ((long) key[7] << 32);
        h0 = 0;
        h1 = 0;
        h2 = 0;
    }

    /**
     * Absorbs {@code m[off, off+len)} zero-padded to a multiple of 16 bytes, as the AEAD construction feeds the AAD
     * and the ciphertext (§2.8: "padding1", "padding2").
     */
    void padded(byte[] m, int off, int len) {
        int full = len & ~15;
        blocks(m, off, full, 1);
        int rest = len - full;
        if (rest > 0) {
            byte[] b = last;
            System.arraycopy(m, off + full, b, 0, rest);
            java.util.Arrays.fill(b, rest, 16, (byte) 0);
            blocks(b, 0, 16, 1);
        }
    }

    /**
     * Absorbs a whole message the plain-MAC way (§2.5.1): a short last block gets a 0x01 byte after its end
     * instead of the 2^128 bit. Used by the tests for the RFC's Poly1305 vectors.
     */
    void message(byte[] m, int off, int len) {
        int full = len & ~15;
        blocks(m, off, full, 1);
        int rest = len - full;
        if (rest > 0) {
            byte[] b = last;
            System.arraycopy(m, off + full, b, 0, rest);
            b[rest] = 1;
            java.util.Arrays.fill(b, rest + 1, 16, (byte) 0);
            blocks(b, 0, 16, 0);
        }
    }

    /** Absorbs the AEAD's final block: the AAD and ciphertext lengths as u64 LE (§2.8). */
    void lengths(long aadLength, long dataLength) {
        byte[] b = last;
        LONG_LE.set(b, 0, aadLength);
        LONG_LE.set(b, 8, dataLength);
        blocks(b, 0, 16, 1);
    }

    /** Writes the 16-byte tag to {@code out[off, off+16)}. */
    void tag(byte[] out, int off) {
        finish();
        LONG_LE.set(out, off, h0);
        LONG_LE.set(out, off + 8, h1);
    }

    /**
     * Compares the tag with {@code expected[off, off+16)} in constant time.
     *
     * @return {@code true} if equal
     */
    boolean verify(byte[] expected, int off) {
        finish();
        long diff = (h0 ^ (long) LONG_LE.get(expected, off)) | (h1 ^ (long) LONG_LE.get(expected, off + 8));
        return diff == 0;
    }

    /**
     * h = (h + m_i + hibit·2^128) · r, partially reduced mod 2^130 - 5, for each 16-byte block m_i of
     * {@code m[off, off+len)} ({@code len} a multiple of 16). One method with the state in locals: C2 would not
     * inline a separate per-block method this large, and a call per block costs more than the block.
     */
    private void blocks(byte[] m, int off, int len, long hibit) {
        final long r0 = this.r0, r1 = this.r1, s1 = this.s1;
        long h0 = this.h0, h1 = this.h1, h2 = this.h2;
        // One long dependency chain from block to block, so every carry is on the critical path: carryAny for two
        // arbitrary addends, the shorter carrySmall where one addend is below 2^63.
        for (int end = off + len; off < end; off += 16) {
            long m0 = (long) LONG_LE.get(m, off);
            long m1 = (long) LONG_LE.get(m, off + 8);
            long a0 = h0 + m0;
            long c0 = carryAny(h0, m0, a0);
            long a1 = h1 + m1;
            long a2 = h2 + carryAny(h1, m1, a1) + hibit;
            // The carry c0 out of a0 is worth c0·2^64; rather than adding it to a1 before multiplying (a carry
            // chain in front of every product) it enters the products as c0·s1 and c0·r0 on their own.
            long c0s1 = s1 & -c0;
            long c0r0 = r0 & -c0;

            // d0 = a0·r0 + (a1 + c0)·s1; d1 = a0·r1 + (a1 + c0)·r0 + a2·s1 + hi(d0); d2 = a2·r0 + hi(d1).
            // Bounds: a0, a1 < 2^64, a2 <= 6, r0, r1 < 2^60, s1 < 1.25·2^60, so d0, d1 < 2^126, a2·s1 < 2^63
            // and d2 < 2^63.
            long d0lo = a0 * r0;
            long d0hi = Math.unsignedMultiplyHigh(a0, r0);
            long t = a1 * s1;
            long lo = d0lo + t;
            d0hi += Math.unsignedMultiplyHigh(a1, s1) + carryAny(d0lo, t, lo);
            d0lo = lo + c0s1;
            d0hi += carrySmall(lo, d0lo);

            long d1lo = a0 * r1;
            long d1hi = Math.unsignedMultiplyHigh(a0, r1);
            t = a1 * r0;
            lo = d1lo + t;
            d1hi += Math.unsignedMultiplyHigh(a1, r0) + carryAny(d1lo, t, lo);
            d1lo = lo + c0r0;
            d1hi += carrySmall(lo, d1lo);
            lo = d1lo + a2 * s1;
            d1hi += carrySmall(d1lo, lo);
            d1lo = lo;
            lo = d1lo + d0hi;
            d1hi += carrySmall(d1lo, lo);
            d1lo = lo;

            long d2 = a2 * r0 + d1hi;
            // Fold the bits from 2^130 up back in: 2^130 ≡ 5, so add 5·(d2 >> 2) = (d2 & ~3) + (d2 >> 2).
            long fold = (d2 & ~3L) + (d2 >>> 2);
            long n0 = d0lo + fold;
            long c = carryAny(d0lo, fold, n0);
            long n1 = d1lo + c;
            h0 = n0;
            h1 = n1;
            h2 = (d2 & 3) + carrySmall(d1lo, n1);
        }
        this.h0 = h0;
        this.h1 = h1;
        this.h2 = h2;
    }

    /** Fully reduces h mod 2^130 - 5 and adds s mod 2^128 (§2.5.1), leaving the tag in h0, h1. */
    private void finish() {
        long fold = (h2 & ~3L) + (h2 >>> 2);
        long a0 = h0 + fold;
        long c = carrySmall(h0, a0);
        long a1 = h1 + c;
        c = carrySmall(h1, a1);
        long a2 = (h2 & 3) + c;
        // Now h < 2^130 + 5 < 2p, so one conditional subtraction of p = 2^130 - 5 suffices: g = h + 5 reaches
        // 2^130 exactly when h >= p, and then h - p = g - 2^130.
        long g0 = a0 + 5;
        c = carrySmall(a0, g0);
        long g1 = a1 + c;
        c = carrySmall(a1, g1);
        long g2 = a2 + c;
        long useG = -(g2 >>> 2);
        long f0 = (g0 & useG) | (a0 & ~useG);
        long f1 = (g1 & useG) | (a1 & ~useG);
        long t0 = f0 + pad0;
        c = carryAny(f0, pad0, t0);
        h0 = t0;
        h1 = f1 + pad1 + c;
        h2 = 0;
    }

    /** The carry out of the unsigned 64-bit sum {@code a + b = sum}, 0 or 1, without a branch. */
    private static long carryAny(long a, long b, long sum) {
        // (x & ~y) is written (x ^ y) & x: C2 turns ~y into (-1 - y), which costs an extra instruction.
        long either = a | b;
        return ((a & b) | ((either ^ sum) & either)) >>> 63;
    }

    /**
     * The carry out of {@code a + b = sum} when {@code b < 2^63}: the sum wrapped iff a's top bit was set and the
     * sum's is not.
     */
    private static long carrySmall(long a, long sum) {
        return ((a ^ sum) & a) >>> 63;
    }
}
