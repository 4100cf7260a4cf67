package io.meshwire.crypto;

/** Which ChaCha20-Poly1305 (RFC 8439) implementation seals and opens packets. Both produce identical bytes. */
public enum AeadBackend {
    /**
     * RFC 8439 in plain Java ({@code ChaCha20Stream}, {@code Poly1305Mac}): no allocation and no exception per
     * packet, the tag checked before anything is decrypted.
     */
    JAVA,
    /**
     * The JDK's {@code ChaCha20-Poly1305} cipher (SunJCE, with HotSpot's ChaCha20 and Poly1305 intrinsics). Fast,
     * but every {@code Cipher.init} allocates (key copy, parameter spec, engine objects) and a forged tag costs an
     * {@code AEADBadTagException}.
     */
    JDK,
    /**
     * RFC 8439's construction composed here from BouncyCastle's {@code ChaCha7539Engine} and {@code Poly1305} with
     * reused parameter objects: no allocation per packet and no exception on a forged tag (the tag is checked
     * before anything is decrypted). Pure Java, so slower on large packets.
     */
    BOUNCY_CASTLE;

    /**
     * The backend {@link PacketProtector#PacketProtector(SessionKeys, io.meshwire.wire.DropCounters)} uses: {@link #JDK}, which was
     * 5–10× faster than {@link #BOUNCY_CASTLE} (and than BouncyCastle's own ChaCha20Poly1305 class) in the same JMH
     * run on this project's machine (BENCHMARKS.md). Choose {@link #BOUNCY_CASTLE} where zero allocation per packet
     * matters more than throughput.
     */
    public static final AeadBackend DEFAULT = JDK;
}
