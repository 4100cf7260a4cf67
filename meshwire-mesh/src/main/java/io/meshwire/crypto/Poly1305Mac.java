package io.meshwire.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Poly1305 (RFC 8439 §2.5) with a one-time key, in radix 2^26: the accumulator and r are five 26-bit limbs in
 * longs, so every product and sum fits in 64 bits with room to spare and no carry flag is ever needed; the code has
 * no data-dependent branch, so its time does not depend on the key or the data. Blocks go two at a time as
 * h = (h + m1)·r^2 + m2·r: the same 25 multiplications per block as one at a time, but the m2·r half does not wait
 * for h, which roughly halves the dependency chain that otherwise bounds the speed. Allocates nothing. Not
 * thread-safe.
 */
final class Poly1305Mac {
    /** Tag length in bytes. */
    static final int TAG_LENGTH = 16;

    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final long MASK26 = 0x3FF_FFFF;

    // r, 5·r, r^2, 5·r^2 in radix 2^26 (the 5× limbs multiply the products that wrap past 2^130 ≡ 5).
    private long r0, r1, r2, r3, r4, s1, s2, s3, s4;
    private long u0, u1, u2, u3, u4, v1, v2, v3, v4;
    private long pad0, pad1;
    private long h0, h1, h2, h3, h4;
    private final byte[] last = new byte[16];

    /**
     * Starts a new MAC under the 32-byte one-time key given as 8 little-endian words (r = words 0–3, s = words
     * 4–7), as ChaCha20 block 0 produces it (§2.6).
     */
    void init(int[] key) {
        // Clamp r (§2.5.1): clear the top 4 bits of bytes 3, 7, 11, 15 and the bottom 2 bits of bytes 4, 8, 12.
        long lo = ((key[0] & 0xFFFF_FFFFL) | ((long) key[1] << 32)) & 0x0FFF_FFFC_0FFF_FFFFL;
        long hi = ((key[2] & 0xFFFF_FFFFL) | ((long) key[3] << 32)) & 0x0FFF_FFFC_0FFF_FFFCL;
        r0 = lo & MASK26;
        r1 = (lo >>> 26) & MASK26;
        r2 = ((lo >>> 52) | (hi << 12)) & MASK26;
        r3 = (hi >>> 14) & MASK26;
        r4 = hi >>> 40;
        s1 = r1 * 5;
        s2 = r2 * 5;
        s3 = r3 * 5;
        s4 = r4 * 5;
        // r^2 mod p, fully carried so every limb is below 2^26 + 2^10.
        long d0 = r0 * r0 + r1 * s4 + r2 * s3 + r3 * s2 + r4 * s1;
        long d1 = r0 * r1 + r1 * r0 + r2 * s4 + r3 * s3 + r4 * s2;
        long d2 = r0 * r2 + r1 * r1 + r2 * r0 + r3 * s4 + r4 * s3;
        long d3 = r0 * r3 + r1 * r2 + r2 * r1 + r3 * r0 + r4 * s4;
        long d4 = r0 * r4 + r1 * r3 + r2 * r2 + r3 * r1 + r4 * r0;
        d1 += d0 >>> 26;
        d2 += d1 >>> 26;
        d3 += d2 >>> 26;
        d4 += d3 >>> 26;
        long t0 = (d0 & MASK26) + (d4 >>> 26) * 5;
        u0 = t0 & MASK26;
        u1 = (d1 & MASK26) + (t0 >>> 26);
        u2 = d2 & MASK26;
        u3 = d3 & MASK26;
        u4 = d4 & MASK26;
        v1 = u1 * 5;
        v2 = u2 * 5;
        v3 = u3 * 5;
        v4 = u4 * 5;
        pad0 = (key[4] & 0xFFFF_FFFFL) | ((long) key[5] << 32);
        pad1 = (key[6] & 0xFFFF_FFFFL) | ((long) key[7] << 32);
        h0 = 0;
        h1 = 0;
        h2 = 0;
        h3 = 0;
        h4 = 0;
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
        LONG_LE.set(out, off, pad0);
        LONG_LE.set(out, off + 8, pad1);
    }

    /**
     * Compares the tag with {@code expected[off, off+16)} in constant time.
     *
     * @return {@code true} if equal
     */
    boolean verify(byte[] expected, int off) {
        finish();
        long diff = (pad0 ^ (long) LONG_LE.get(expected, off)) | (pad1 ^ (long) LONG_LE.get(expected, off + 8));
        return diff == 0;
    }

    /**
     * h = (h + m_i + hibit·2^128)·r mod 2^130 - 5 (partially reduced) for each 16-byte block m_i of
     * {@code m[off, off+len)}, {@code len} a multiple of 16. One method with the state in locals: C2 does not
     * inline a per-block method this large, and a call per block would cost more than the block.
     *
     * <p>Bounds: limbs enter below 2^26 + 2^10, so after adding a message limb (below 2^26) they are below 2^27.01;
     * r and r^2 limbs are below 2^26.01 and their 5× multiples below 2^28.33; each product is below 2^55.4 and a
     * column of ten below 2^59, far from 2^63.
     */
    private void blocks(byte[] m, int off, int len, long hibit) {
        final long r0 = this.r0, r1 = this.r1, r2 = this.r2, r3 = this.r3, r4 = this.r4;
        final long s1 = this.s1, s2 = this.s2, s3 = this.s3, s4 = this.s4;
        final long u0 = this.u0, u1 = this.u1, u2 = this.u2, u3 = this.u3, u4 = this.u4;
        final long v1 = this.v1, v2 = this.v2, v3 = this.v3, v4 = this.v4;
        final long top = hibit << 24;
        long h0 = this.h0, h1 = this.h1, h2 = this.h2, h3 = this.h3, h4 = this.h4;
        int end = off + len;
        for (; off + 32 <= end; off += 32) {
            // h = (h + m1)·r^2 + m2·r
            long lo = (long) LONG_LE.get(m, off);
            long hi = (long) LONG_LE.get(m, off + 8);
            long a0 = h0 + (lo & MASK26);
            long a1 = h1 + ((lo >>> 26) & MASK26);
            long a2 = h2 + (((lo >>> 52) | (hi << 12)) & MASK26);
            long a3 = h3 + ((hi >>> 14) & MASK26);
            long a4 = h4 + ((hi >>> 40) | top);
            lo = (long) LONG_LE.get(m, off + 16);
            hi = (long) LONG_LE.get(m, off + 24);
            long b0 = lo & MASK26;
            long b1 = (lo >>> 26) & MASK26;
            long b2 = ((lo >>> 52) | (hi << 12)) & MASK26;
            long b3 = (hi >>> 14) & MASK26;
            long b4 = (hi >>> 40) | top;
            long d0 = a0 * u0 + a1 * v4 + a2 * v3 + a3 * v2 + a4 * v1 + b0 * r0 + b1 * s4 + b2 * s3 + b3 * s2 + b4 * s1;
            long d1 = a0 * u1 + a1 * u0 + a2 * v4 + a3 * v3 + a4 * v2 + b0 * r1 + b1 * r0 + b2 * s4 + b3 * s3 + b4 * s2;
            long d2 = a0 * u2 + a1 * u1 + a2 * u0 + a3 * v4 + a4 * v3 + b0 * r2 + b1 * r1 + b2 * r0 + b3 * s4 + b4 * s3;
            long d3 = a0 * u3 + a1 * u2 + a2 * u1 + a3 * u0 + a4 * v4 + b0 * r3 + b1 * r2 + b2 * r1 + b3 * r0 + b4 * s4;
            long d4 = a0 * u4 + a1 * u3 + a2 * u2 + a3 * u1 + a4 * u0 + b0 * r4 + b1 * r3 + b2 * r2 + b3 * r1 + b4 * r0;
            // Two interleaved carry chains (d0 → d1 → d2 → h3 → h4 and d3 → d4 → h0 → h1), not one of six.
            d1 += d0 >>> 26;
            d4 += d3 >>> 26;
            h0 = (d0 & MASK26) + (d4 >>> 26) * 5;
            d2 += d1 >>> 26;
            h4 = d4 & MASK26;
            h1 = (d1 & MASK26) + (h0 >>> 26);
            h0 &= MASK26;
            h3 = (d3 & MASK26) + (d2 >>> 26);
            h2 = d2 & MASK26;
            h4 += h3 >>> 26;
            h3 &= MASK26;
        }
        for (; off < end; off += 16) {
            // h = (h + m)·r
            long lo = (long) LONG_LE.get(m, off);
            long hi = (long) LONG_LE.get(m, off + 8);
            long a0 = h0 + (lo & MASK26);
            long a1 = h1 + ((lo >>> 26) & MASK26);
            long a2 = h2 + (((lo >>> 52) | (hi << 12)) & MASK26);
            long a3 = h3 + ((hi >>> 14) & MASK26);
            long a4 = h4 + ((hi >>> 40) | top);
            long d0 = a0 * r0 + a1 * s4 + a2 * s3 + a3 * s2 + a4 * s1;
            long d1 = a0 * r1 + a1 * r0 + a2 * s4 + a3 * s3 + a4 * s2;
            long d2 = a0 * r2 + a1 * r1 + a2 * r0 + a3 * s4 + a4 * s3;
            long d3 = a0 * r3 + a1 * r2 + a2 * r1 + a3 * r0 + a4 * s4;
            long d4 = a0 * r4 + a1 * r3 + a2 * r2 + a3 * r1 + a4 * r0;
            d1 += d0 >>> 26;
            d4 += d3 >>> 26;
            h0 = (d0 & MASK26) + (d4 >>> 26) * 5;
            d2 += d1 >>> 26;
            h4 = d4 & MASK26;
            h1 = (d1 & MASK26) + (h0 >>> 26);
            h0 &= MASK26;
            h3 = (d3 & MASK26) + (d2 >>> 26);
            h2 = d2 & MASK26;
            h4 += h3 >>> 26;
            h3 &= MASK26;
        }
        this.h0 = h0;
        this.h1 = h1;
        this.h2 = h2;
        this.h3 = h3;
        this.h4 = h4;
    }

    /** Fully reduces h mod 2^130 - 5 and adds s mod 2^128 (§2.5.1), leaving the tag in pad0, pad1. */
    private void finish() {
        long h0 = this.h0, h1 = this.h1, h2 = this.h2, h3 = this.h3, h4 = this.h4;
        // Carry every limb down to 26 bits (h < 2^130 + small afterwards) ...
        h2 += h1 >>> 26;
        h1 &= MASK26;
        h3 += h2 >>> 26;
        h2 &= MASK26;
        h4 += h3 >>> 26;
        h3 &= MASK26;
        h0 += (h4 >>> 26) * 5;
        h4 &= MASK26;
        h1 += h0 >>> 26;
        h0 &= MASK26;
        // ... and once more from h1 up, so that h0–h3 are below 2^26 (h4 too unless h >= 2^130 > p): the limbs
        // are ORed together below, which needs them not to overlap.
        h2 += h1 >>> 26;
        h1 &= MASK26;
        h3 += h2 >>> 26;
        h2 &= MASK26;
        h4 += h3 >>> 26;
        h3 &= MASK26;
        // Now h < 2p, so one conditional subtraction of p suffices: g = h + 5 - 2^130 is negative iff h < p.
        long g0 = h0 + 5;
        long g1 = h1 + (g0 >>> 26);
        g0 &= MASK26;
        long g2 = h2 + (g1 >>> 26);
        g1 &= MASK26;
        long g3 = h3 + (g2 >>> 26);
        g2 &= MASK26;
        long g4 = h4 + (g3 >>> 26) - (1L << 26);
        g3 &= MASK26;
        long keepH = g4 >> 63;
        h0 = (h0 & keepH) | (g0 & ~keepH);
        h1 = (h1 & keepH) | (g1 & ~keepH);
        h2 = (h2 & keepH) | (g2 & ~keepH);
        h3 = (h3 & keepH) | (g3 & ~keepH);
        h4 = (h4 & keepH) | (g4 & MASK26 & ~keepH);
        long f0 = h0 | (h1 << 26) | (h2 << 52);
        long f1 = (h2 >>> 12) | (h3 << 14) | (h4 << 40);
        long t0 = f0 + pad0;
        long c = ((f0 & pad0) | ((f0 | pad0) & ~t0)) >>> 63;
        pad0 = t0;
        pad1 = f1 + pad1 + c;
    }
}
