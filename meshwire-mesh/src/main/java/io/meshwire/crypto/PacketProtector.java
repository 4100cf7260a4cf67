package io.meshwire.crypto;

import io.meshwire.wire.DropCounters;
import io.meshwire.wire.DropReason;
import io.meshwire.wire.NetHeaderFlyweight;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Seals and opens net-mesh packets of one session in place (spec §2.3–§2.5): ChaCha20-Poly1305 with the 56-byte AAD,
 * nonce = 4-byte session prefix ‖ u64 LE counter, and the 1024-counter replay window. Nothing is allocated per
 * packet with the default {@link AeadBackend#JAVA} (nor with {@link AeadBackend#BOUNCY_CASTLE});
 * {@link AeadBackend#JDK} allocates about 2.2 KB per {@code Cipher.init}. Packets live in heap {@link ByteBuffer}s
 * (the ciphers work on arrays).
 *
 * <p>One instance per thread: the ciphers are not thread-safe. {@link #forAnotherThread()} gives another thread
 * its own ciphers over the same TX counter, replay window and drop counters.
 */
public final class PacketProtector {
    private static final int TAG_LENGTH = NetHeaderFlyweight.TAG_LENGTH;

    private final SessionKeys keys;
    private final AeadBackend backend;
    private final AtomicLong txCounter;
    private final ReplayWindow replayWindow;
    private final DropCounters drops;
    private final PacketAead sealer;
    private final PacketAead opener;
    private final int noncePrefix;
    private final byte[] nonce = new byte[PacketAead.NONCE_LENGTH];
    private final byte[] aad = new byte[NetAad.AAD_LENGTH];

    /**
     * A protector on {@link AeadBackend#DEFAULT}.
     *
     * @param keys the session's keys
     * @param drops where to count packets that fail to open
     */
    public PacketProtector(SessionKeys keys, DropCounters drops) {
        this(keys, AeadBackend.DEFAULT, drops);
    }

    /**
     * @param keys the session's keys
     * @param backend which ChaCha20-Poly1305 to use
     * @param drops where to count packets that fail to open
     */
    public PacketProtector(SessionKeys keys, AeadBackend backend, DropCounters drops) {
        this(keys, backend, new AtomicLong(), new ReplayWindow(), drops);
    }

    private PacketProtector(SessionKeys keys, AeadBackend backend, AtomicLong txCounter, ReplayWindow window,
                            DropCounters drops) {
        this.keys = keys;
        this.backend = backend;
        this.txCounter = txCounter;
        this.replayWindow = window;
        this.drops = drops;
        this.sealer = PacketAead.create(backend, keys.txKey());
        this.opener = PacketAead.create(backend, keys.rxKey());
        this.noncePrefix = keys.noncePrefix();
        // Nonce bytes 0–3: the session prefix, little-endian (spec §2.3); only bytes 4–11 change per packet.
        for (int i = 0; i < 4; i++) {
            nonce[i] = (byte) (noncePrefix >>> (8 * i));
        }
    }

    /** @return a protector for another thread sharing this one's TX counter, replay window and drop counters */
    public PacketProtector forAnotherThread() {
        return new PacketProtector(keys, backend, txCounter, replayWindow, drops);
    }

    /** @return the session id */
    public long sessionId() {
        return keys.sessionId();
    }

    /** @return the replay window */
    public ReplayWindow replayWindow() {
        return replayWindow;
    }

    /**
     * Seals a data, control or heartbeat packet in place. The header must be complete (session id, payload_len,
     * event_count, ...) with payload_len bytes of plaintext after it and 16 bytes of room for the tag. This writes
     * the nonce (prefix and the next TX counter) into header bytes 12–23, encrypts the payload and appends the tag.
     *
     * @param header the packet's header, over a heap buffer
     * @return the datagram length, 68 + payload_len + 16
     * @throws IllegalStateException when the TX counter is exhausted (a new handshake is needed)
     * @throws IllegalArgumentException if the buffer is not heap-backed or too small
     */
    public int seal(NetHeaderFlyweight header) {
        ByteBuffer buffer = header.buffer();
        int payloadLength = header.payloadLength();
        int payloadOffset = header.payloadOffset();
        checkHeap(buffer, payloadOffset + payloadLength + TAG_LENGTH);
        long counter = txCounter.getAndIncrement();
        if (counter == -1L) {
            // u64::MAX is never accepted by a receiver (spec §2.5); the session is spent.
            throw new IllegalStateException("TX counter exhausted for session " + Long.toUnsignedString(keys.sessionId(), 16));
        }
        header.noncePrefix(noncePrefix).nonceCounter(counter);
        putCounter(counter);
        NetAad.write(header, aad, 0);
        sealer.seal(nonce, aad, NetAad.AAD_LENGTH, buffer.array(), buffer.arrayOffset() + payloadOffset, payloadLength);
        return NetHeaderFlyweight.HEADER_LENGTH + payloadLength + TAG_LENGTH;
    }

    /**
     * Writes and seals a heartbeat (spec §1.5): flags 0x20, this session's id, payload_len 0, and the tag of an
     * empty plaintext. 84 bytes.
     *
     * @param header a header wrapped where the heartbeat goes, over a heap buffer with 84 bytes of room
     * @return 84
     */
    public int sealHeartbeat(NetHeaderFlyweight header) {
        header.initializeHeartbeat(keys.sessionId());
        return seal(header);
    }

    /**
     * Opens a data, control or heartbeat packet in place, after {@link io.meshwire.wire.NetPacketParser} accepted
     * it. Rebuilds the nonce from this side's prefix and the header's counter only (the header's prefix bytes are
     * not checked, as in net-mesh), checks the replay window, verifies the tag, decrypts, and only then records the
     * counter. Never throws on bad input.
     *
     * @param header the packet's header, over a heap buffer
     * @return {@code true} if authentic and fresh (the payload is now plaintext); otherwise {@code false} with the
     *     reason counted and the window unchanged
     */
    public boolean open(NetHeaderFlyweight header) {
        ByteBuffer buffer = header.buffer();
        if (!buffer.hasArray()) {
            throw new IllegalArgumentException("packet buffers must be heap ByteBuffers (ByteBuffer.allocate/wrap)");
        }
        int payloadLength = header.payloadLength();
        int payloadOffset = header.payloadOffset();
        if (payloadOffset + payloadLength + TAG_LENGTH > buffer.limit()) {
            return drops.drop(DropReason.TRUNCATED);
        }
        if (header.sessionId() != keys.sessionId()) {
            return drops.drop(DropReason.WRONG_SESSION);
        }
        long counter = header.nonceCounter();
        DropReason reason = replayWindow.check(counter);
        if (reason != null) {
            return drops.drop(reason);
        }
        putCounter(counter);
        NetAad.write(header, aad, 0);
        if (!opener.open(nonce, aad, NetAad.AAD_LENGTH, buffer.array(), buffer.arrayOffset() + payloadOffset, payloadLength)) {
            return drops.drop(DropReason.AUTH_FAILED);
        }
        reason = replayWindow.tryAdmit(counter);
        if (reason != null) {
            // Another thread admitted the same counter between check and commit.
            return drops.drop(reason);
        }
        return true;
    }

    private void putCounter(long counter) {
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (counter >>> (8 * i));
        }
    }

    private static void checkHeap(ByteBuffer buffer, int end) {
        if (!buffer.hasArray()) {
            throw new IllegalArgumentException("packet buffers must be heap ByteBuffers (ByteBuffer.allocate/wrap)");
        }
        if (end > buffer.limit()) {
            throw new IllegalArgumentException("packet buffer too small: need " + end + " bytes, limit " + buffer.limit());
        }
    }
}
