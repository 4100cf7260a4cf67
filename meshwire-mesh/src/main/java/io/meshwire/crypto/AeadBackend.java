package io.meshwire.crypto;

/** Which ChaCha20-Poly1305 (RFC 8439) implementation seals and opens packets. All produce identical bytes. */
public enum AeadBackend {
    /**
     * RFC 8439 in plain Java ({@code ChaCha20Stream}, {@code Poly1305Mac}): no allocation and no exception per
     * packet, the tag checked before anything is decrypted, no data-dependent branches. ChaCha20 runs 64 blocks at
     * a time in a layout that HotSpot auto-vectorizes (AVX-512/AVX2); Poly1305 is scalar. No per-packet set-up
     * cost, so it beats {@link #JDK} on small packets; on large ones the JDK's intrinsics win (BENCHMARKS.md).
     */
    JAVA,
    /**
     * The JDK's {@code ChaCha20-Poly1305} cipher (SunJCE, with HotSpot's ChaCha20 and Poly1305 intrinsics): the
     * fastest per byte, but every packet needs a {@code Cipher.init}, which allocates about 2.2 KB (key copy,
     * parameter spec, engine objects, 1 KiB of keystream for the Poly1305 key) and costs about 1–2 µs, and a forged
     * tag costs an {@code AEADBadTagException} (about 3 KB more).
     */
    JDK,
    /**
     * RFC 8439's construction composed here from BouncyCastle's {@code ChaCha7539Engine} and {@code Poly1305} with
     * reused parameter objects: no allocation per packet and no exception on a forged tag, but 5–30× slower than
     * {@link #JAVA}. Kept as a second independent implementation.
     */
    BOUNCY_CASTLE;

    /**
     * The backend {@link PacketProtector#PacketProtector(SessionKeys, io.meshwire.wire.DropCounters)} uses:
     * {@link #JAVA}, the fastest backend that allocates nothing per packet (the project's rule for hot paths) and
     * the fastest of all for small packets. Choose {@link #JDK} for bulk throughput of large packets where about
     * 2.2 KB of garbage per packet is acceptable (BENCHMARKS.md has the crossover and the ratios).
     */
    public static final AeadBackend DEFAULT = JAVA;
}
