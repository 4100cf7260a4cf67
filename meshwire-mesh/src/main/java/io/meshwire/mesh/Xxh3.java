package io.meshwire.mesh;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * XXH3-64 with seed 0 and the default secret (xxHash 0.8), the hash net-mesh uses for channel names
 * ({@code channel/name.rs}: {@code xxh3_64(name)}) and {@code stream_id_from_key}. Scalar code, allocation free.
 */
final class Xxh3 {
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private static final long PRIME32_1 = 0x9E3779B1L;
    private static final long PRIME32_2 = 0x85EBCA77L;
    private static final long PRIME32_3 = 0xC2B2AE3DL;
    private static final long PRIME64_1 = 0x9E3779B185EBCA87L;
    private static final long PRIME64_2 = 0xC2B2AE3D27D4EB4FL;
    private static final long PRIME64_3 = 0x165667B19E3779F9L;
    private static final long PRIME64_4 = 0x85EBCA77C2B2AE63L;
    private static final long PRIME64_5 = 0x27D4EB2F165667C5L;
    private static final long PRIME_MX1 = 0x165667919E3779F9L;
    private static final long PRIME_MX2 = 0x9FB21C651E98DF25L;

    private static final int STRIPE_LENGTH = 64;
    private static final int SECRET_LENGTH = 192;
    // The 129..240 tail is indexed from the minimum secret size, not the default secret's length (xxhash.h).
    private static final int SECRET_SIZE_MIN = 136;
    private static final int STRIPES_PER_BLOCK = (SECRET_LENGTH - STRIPE_LENGTH) / 8;
    private static final int BLOCK_LENGTH = STRIPE_LENGTH * STRIPES_PER_BLOCK;

    private static final byte[] SECRET = {
            (byte) 0xb8, (byte) 0xfe, (byte) 0x6c, (byte) 0x39, (byte) 0x23, (byte) 0xa4, (byte) 0x4b, (byte) 0xbe,
            (byte) 0x7c, (byte) 0x01, (byte) 0x81, (byte) 0x2c, (byte) 0xf7, (byte) 0x21, (byte) 0xad, (byte) 0x1c,
            (byte) 0xde, (byte) 0xd4, (byte) 0x6d, (byte) 0xe9, (byte) 0x83, (byte) 0x90, (byte) 0x97, (byte) 0xdb,
            (byte) 0x72, (byte) 0x40, (byte) 0xa4, (byte) 0xa4, (byte) 0xb7, (byte) 0xb3, (byte) 0x67, (byte) 0x1f,
            (byte) 0xcb, (byte) 0x79, (byte) 0xe6, (byte) 0x4e, (byte) 0xcc, (byte) 0xc0, (byte) 0xe5, (byte) 0x78,
            (byte) 0x82, (byte) 0x5a, (byte) 0xd0, (byte) 0x7d, (byte) 0xcc, (byte) 0xff, (byte) 0x72, (byte) 0x21,
            (byte) 0xb8, (byte) 0x08, (byte) 0x46, (byte) 0x74, (byte) 0xf7, (byte) 0x43, (byte) 0x24, (byte) 0x8e,
            (byte) 0xe0, (byte) 0x35, (byte) 0x90, (byte) 0xe6, (byte) 0x81, (byte) 0x3a, (byte) 0x26, (byte) 0x4c,
            (byte) 0x3c, (byte) 0x28, (byte) 0x52, (byte) 0xbb, (byte) 0x91, (byte) 0xc3, (byte) 0x00, (byte) 0xcb,
            (byte) 0x88, (byte) 0xd0, (byte) 0x65, (byte) 0x8b, (byte) 0x1b, (byte) 0x53, (byte) 0x2e, (byte) 0xa3,
            (byte) 0x71, (byte) 0x64, (byte) 0x48, (byte) 0x97, (byte) 0xa2, (byte) 0x0d, (byte) 0xf9, (byte) 0x4e,
            (byte) 0x38, (byte) 0x19, (byte) 0xef, (byte) 0x46, (byte) 0xa9, (byte) 0xde, (byte) 0xac, (byte) 0xd8,
            (byte) 0xa8, (byte) 0xfa, (byte) 0x76, (byte) 0x3f, (byte) 0xe3, (byte) 0x9c, (byte) 0x34, (byte) 0x3f,
            (byte) 0xf9, (byte) 0xdc, (byte) 0xbb, (byte) 0xc7, (byte) 0xc7, (byte) 0x0b, (byte) 0x4f, (byte) 0x1d,
            (byte) 0x8a, (byte) 0x51, (byte) 0xe0, (byte) 0x4b, (byte) 0xcd, (byte) 0xb4, (byte) 0x59, (byte) 0x31,
            (byte) 0xc8, (byte) 0x9f, (byte) 0x7e, (byte) 0xc9, (byte) 0xd9, (byte) 0x78, (byte) 0x73, (byte) 0x64,
            (byte) 0xea, (byte) 0xc5, (byte) 0xac, (byte) 0x83, (byte) 0x34, (byte) 0xd3, (byte) 0xeb, (byte) 0xc3,
            (byte) 0xc5, (byte) 0x81, (byte) 0xa0, (byte) 0xff, (byte) 0xfa, (byte) 0x13, (byte) 0x63, (byte) 0xeb,
            (byte) 0x17, (byte) 0x0d, (byte) 0xdd, (byte) 0x51, (byte) 0xb7, (byte) 0xf0, (byte) 0xda, (byte) 0x49,
            (byte) 0xd3, (byte) 0x16, (byte) 0x55, (byte) 0x26, (byte) 0x29, (byte) 0xd4, (byte) 0x68, (byte) 0x9e,
            (byte) 0x2b, (byte) 0x16, (byte) 0xbe, (byte) 0x58, (byte) 0x7d, (byte) 0x47, (byte) 0xa1, (byte) 0xfc,
            (byte) 0x8f, (byte) 0xf8, (byte) 0xb8, (byte) 0xd1, (byte) 0x7a, (byte) 0xd0, (byte) 0x31, (byte) 0xce,
            (byte) 0x45, (byte) 0xcb, (byte) 0x3a, (byte) 0x8f, (byte) 0x95, (byte) 0x16, (byte) 0x04, (byte) 0x28,
            (byte) 0xaf, (byte) 0xd7, (byte) 0xfb, (byte) 0xca, (byte) 0xbb, (byte) 0x4b, (byte) 0x40, (byte) 0x7e,
    };

    private Xxh3() {
    }

    /**
     * @param input bytes to hash
     * @return XXH3-64 of all of {@code input}, seed 0
     */
    static long hash64(byte[] input) {
        return hash64(input, 0, input.length);
    }

    /**
     * @param input the array
     * @param off first byte
     * @param len byte count
     * @return XXH3-64 of {@code input[off, off+len)}, seed 0
     */
    static long hash64(byte[] input, int off, int len) {
        if (len <= 16) {
            return len0to16(input, off, len);
        }
        if (len <= 128) {
            return len17to128(input, off, len);
        }
        if (len <= 240) {
            return len129to240(input, off, len);
        }
        return hashLong(input, off, len);
    }

    private static long len0to16(byte[] in, int off, int len) {
        if (len > 8) {
            long bitflip1 = readLong(SECRET, 24) ^ readLong(SECRET, 32);
            long bitflip2 = readLong(SECRET, 40) ^ readLong(SECRET, 48);
            long lo = readLong(in, off) ^ bitflip1;
            long hi = readLong(in, off + len - 8) ^ bitflip2;
            long acc = len + Long.reverseBytes(lo) + hi + mul128Fold64(lo, hi);
            return avalanche(acc);
        }
        if (len >= 4) {
            long in1 = readInt(in, off) & 0xFFFF_FFFFL;
            long in2 = readInt(in, off + len - 4) & 0xFFFF_FFFFL;
            long bitflip = readLong(SECRET, 8) ^ readLong(SECRET, 16);
            long keyed = (in2 + (in1 << 32)) ^ bitflip;
            return rrmxmx(keyed, len);
        }
        if (len > 0) {
            int c1 = in[off] & 0xFF;
            int c2 = in[off + (len >> 1)] & 0xFF;
            int c3 = in[off + len - 1] & 0xFF;
            long combined = ((c1 << 16) | (c2 << 24) | c3 | (len << 8)) & 0xFFFF_FFFFL;
            long bitflip = (readInt(SECRET, 0) ^ readInt(SECRET, 4)) & 0xFFFF_FFFFL;
            return xxh64Avalanche(combined ^ bitflip);
        }
        return xxh64Avalanche(readLong(SECRET, 56) ^ readLong(SECRET, 64));
    }

    private static long len17to128(byte[] in, int off, int len) {
        long acc = len * PRIME64_1;
        if (len > 32) {
            if (len > 64) {
                if (len > 96) {
                    acc += mix16(in, off + 48, 96);
                    acc += mix16(in, off + len - 64, 112);
                }
                acc += mix16(in, off + 32, 64);
                acc += mix16(in, off + len - 48, 80);
            }
            acc += mix16(in, off + 16, 32);
            acc += mix16(in, off + len - 32, 48);
        }
        acc += mix16(in, off, 0);
        acc += mix16(in, off + len - 16, 16);
        return avalanche(acc);
    }

    private static long len129to240(byte[] in, int off, int len) {
        long acc = len * PRIME64_1;
        int rounds = len / 16;
        for (int i = 0; i < 8; i++) {
            acc += mix16(in, off + 16 * i, 16 * i);
        }
        acc = avalanche(acc);
        for (int i = 8; i < rounds; i++) {
            acc += mix16(in, off + 16 * i, 16 * (i - 8) + 3);
        }
        acc += mix16(in, off + len - 16, SECRET_SIZE_MIN - 17);
        return avalanche(acc);
    }

    private static long hashLong(byte[] in, int off, int len) {
        long[] acc = {PRIME32_3, PRIME64_1, PRIME64_2, PRIME64_3, PRIME64_4, PRIME32_2, PRIME64_5, PRIME32_1};
        int blocks = (len - 1) / BLOCK_LENGTH;
        for (int b = 0; b < blocks; b++) {
            int blockOff = off + b * BLOCK_LENGTH;
            for (int s = 0; s < STRIPES_PER_BLOCK; s++) {
                accumulate512(acc, in, blockOff + s * STRIPE_LENGTH, s * 8);
            }
            scramble(acc, SECRET_LENGTH - STRIPE_LENGTH);
        }
        int stripes = ((len - 1) - BLOCK_LENGTH * blocks) / STRIPE_LENGTH;
        int lastBlockOff = off + blocks * BLOCK_LENGTH;
        for (int s = 0; s < stripes; s++) {
            accumulate512(acc, in, lastBlockOff + s * STRIPE_LENGTH, s * 8);
        }
        // the last stripe, which may overlap the previous one (XXH_SECRET_LASTACC_START = 7)
        accumulate512(acc, in, off + len - STRIPE_LENGTH, SECRET_LENGTH - STRIPE_LENGTH - 7);
        // merge (XXH_SECRET_MERGEACCS_START = 11)
        long result = len * PRIME64_1;
        for (int i = 0; i < 4; i++) {
            result += mul128Fold64(acc[2 * i] ^ readLong(SECRET, 11 + 16 * i), acc[2 * i + 1] ^ readLong(SECRET, 11 + 16 * i + 8));
        }
        return avalanche(result);
    }

    private static void accumulate512(long[] acc, byte[] in, int inOff, int secretOff) {
        for (int i = 0; i < 8; i++) {
            long dataVal = readLong(in, inOff + 8 * i);
            long dataKey = dataVal ^ readLong(SECRET, secretOff + 8 * i);
            acc[i ^ 1] += dataVal;
            acc[i] += (dataKey & 0xFFFF_FFFFL) * (dataKey >>> 32);
        }
    }

    private static void scramble(long[] acc, int secretOff) {
        for (int i = 0; i < 8; i++) {
            long a = acc[i];
            a ^= a >>> 47;
            a ^= readLong(SECRET, secretOff + 8 * i);
            acc[i] = a * PRIME32_1;
        }
    }

    private static long mix16(byte[] in, int inOff, int secretOff) {
        return mul128Fold64(readLong(in, inOff) ^ readLong(SECRET, secretOff),
                readLong(in, inOff + 8) ^ readLong(SECRET, secretOff + 8));
    }

    private static long mul128Fold64(long a, long b) {
        return (a * b) ^ Math.unsignedMultiplyHigh(a, b);
    }

    private static long avalanche(long h) {
        h ^= h >>> 37;
        h *= PRIME_MX1;
        return h ^ (h >>> 32);
    }

    private static long rrmxmx(long h, int len) {
        h ^= Long.rotateLeft(h, 49) ^ Long.rotateLeft(h, 24);
        h *= PRIME_MX2;
        h ^= (h >>> 35) + len;
        h *= PRIME_MX2;
        return h ^ (h >>> 28);
    }

    private static long xxh64Avalanche(long h) {
        h ^= h >>> 33;
        h *= PRIME64_2;
        h ^= h >>> 29;
        h *= PRIME64_3;
        return h ^ (h >>> 32);
    }

    private static long readLong(byte[] b, int off) {
        return (long) LONG_LE.get(b, off);
    }

    private static int readInt(byte[] b, int off) {
        return (int) INT_LE.get(b, off);
    }
}
