package io.meshwire.crypto;

import io.meshwire.wire.DropCounters;
import io.meshwire.wire.DropReason;
import io.meshwire.wire.NetHeaderFlyweight;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.bouncycastle.crypto.digests.Blake2sDigest;

/**
 * net-mesh 0.27's session handshake (spec §2.2): {@code Noise_NKpsk0_25519_ChaChaPoly_BLAKE2s} with net-mesh's
 * prologue, then net-mesh's own key schedule on the handshake hash (Noise's split() is not used). Two messages:
 * the initiator writes msg1 ({@code psk, e, es} + payload), the responder reads it and writes msg2
 * ({@code e, ee} + payload), and the initiator reads msg2. Then {@link #sessionKeys()} gives both sides the same
 * session id and mirrored keys. Reading never throws on hostile input. Not thread-safe.
 */
public final class NetMeshHandshake {
    /** The prologue's label, 16 ASCII bytes. */
    public static final String PROLOGUE_LABEL = "net-handshake-v1";
    /** Prologue length: label ‖ src routing id u64 LE ‖ dst routing id u64 LE. */
    public static final int PROLOGUE_LENGTH = 32;
    /** PSK length; the whole mesh shares one. */
    public static final int PSK_LENGTH = 32;
    /** Largest Noise message a handshake packet can carry. */
    public static final int MAX_MESSAGE_LENGTH = NetHeaderFlyweight.MAX_PACKET_LENGTH - NetHeaderFlyweight.HEADER_LENGTH;

    private static final NoiseProtocol PROTOCOL = NoiseProtocol.parse(NoiseProtocol.NET_MESH);
    private static final byte[] KDF_LABEL = ascii("net-kdf-v1");
    private static final byte[] INITIATOR_TX = ascii("initiator-tx");
    private static final byte[] INITIATOR_RX = ascii("initiator-rx");

    private final boolean initiator;
    private final HandshakeState noise;
    private final DropCounters drops;

    private NetMeshHandshake(boolean initiator, HandshakeState noise, DropCounters drops) {
        this.initiator = initiator;
        this.noise = noise;
        this.drops = drops;
    }

    /**
     * The initiator's side ({@code connect}).
     *
     * @param psk the mesh's 32-byte PSK
     * @param responderStaticPublicKey the responder's X25519 public key, learned out of band
     * @param localNodeId this node's id
     * @param peerNodeId the responder's node id
     * @param random source of the ephemeral key
     * @param drops where to count rejected messages
     * @return the handshake, ready for {@link #writeMessage}
     */
    public static NetMeshHandshake initiator(byte[] psk, byte[] responderStaticPublicKey, long localNodeId,
                                             long peerNodeId, SecureRandom random, DropCounters drops) {
        HandshakeState noise = HandshakeState.builder(PROTOCOL, true)
                .prologue(prologue(localNodeId, peerNodeId))
                .remoteStatic(checkLength(responderStaticPublicKey, 32, "responder static public key"))
                .psk(checkLength(psk, PSK_LENGTH, "PSK"))
                .random(random)
                .build();
        return new NetMeshHandshake(true, noise, drops);
    }

    /**
     * The responder's side ({@code accept}).
     *
     * @param psk the mesh's 32-byte PSK
     * @param staticKeyPair this node's X25519 static key pair
     * @param localNodeId this node's id
     * @param peerNodeId the initiator's node id
     * @param random source of the ephemeral key
     * @param drops where to count rejected messages
     * @return the handshake, ready for {@link #readMessage}
     */
    public static NetMeshHandshake responder(byte[] psk, NoiseKeyPair staticKeyPair, long localNodeId,
                                             long peerNodeId, SecureRandom random, DropCounters drops) {
        // The responder mixes prologue(peer, self): the initiator is always "src" (spec §2.2 step 2).
        HandshakeState noise = HandshakeState.builder(PROTOCOL, false)
                .prologue(prologue(peerNodeId, localNodeId))
                .localStatic(staticKeyPair)
                .psk(checkLength(psk, PSK_LENGTH, "PSK"))
                .random(random)
                .build();
        return new NetMeshHandshake(false, noise, drops);
    }

    /**
     * @param random randomness for the key
     * @return a new X25519 static key pair (net-mesh makes one per process)
     */
    public static NoiseKeyPair generateStaticKeyPair(SecureRandom random) {
        return NoiseDh.X25519.generate(random);
    }

    /**
     * @param privateKey a 32-byte X25519 private scalar (RFC 7748 encoding)
     * @return the key pair with its public key computed
     * @throws IllegalArgumentException if the key is not 32 bytes
     */
    public static NoiseKeyPair staticKeyPairFromPrivate(byte[] privateKey) {
        return NoiseDh.X25519.fromPrivate(checkLength(privateKey, 32, "X25519 private key"));
    }

    /**
     * BLAKE2s-256 with BLAKE2s's own key parameter (not HMAC), as net-mesh uses it for its KDF and for node ids.
     *
     * @param key 1 to 32 bytes
     * @param message the message
     * @return 32 bytes
     */
    public static byte[] keyedBlake2s256(byte[] key, byte[] message) {
        return keyedBlake2s(key, message);
    }

    /**
     * net-mesh's prologue (spec §2.2 step 1): "net-handshake-v1" ‖ src routing id ‖ dst routing id, each u64 LE,
     * where a routing id is the low 32 bits of a node id.
     *
     * @param srcNodeId the initiator's node id
     * @param dstNodeId the responder's node id
     * @return 32 bytes
     */
    public static byte[] prologue(long srcNodeId, long dstNodeId) {
        ByteBuffer prologue = ByteBuffer.allocate(PROLOGUE_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        prologue.put(ascii(PROLOGUE_LABEL));
        prologue.putLong(srcNodeId & 0xFFFF_FFFFL);
        prologue.putLong(dstNodeId & 0xFFFF_FFFFL);
        return prologue.array();
    }

    /**
     * Writes this side's next message: msg1 for the initiator, msg2 for the responder.
     *
     * @param payload the payload (empty for a direct connect; the initiator's 8-byte node id, LE, when relayed)
     * @return the raw Noise message, to be sent in a handshake packet
     * @throws IllegalStateException if it is not this side's turn
     */
    public byte[] writeMessage(byte[] payload) {
        return noise.writeMessage(payload);
    }

    /**
     * Reads the peer's message. Never throws on bad input.
     *
     * @param message the handshake packet's payload
     * @param offset where it starts
     * @param length its length
     * @return the decrypted payload, or {@code null} (reason {@link DropReason#HANDSHAKE_FAILED} counted; this
     *     handshake is then dead and a new one must start)
     */
    public byte[] readMessage(byte[] message, int offset, int length) {
        if (message == null || offset < 0 || length < 0 || length > message.length - offset
                || length > MAX_MESSAGE_LENGTH) {
            drops.drop(DropReason.HANDSHAKE_FAILED);
            return null;
        }
        byte[] payload = noise.readMessage(java.util.Arrays.copyOfRange(message, offset, offset + length));
        if (payload == null) {
            drops.drop(DropReason.HANDSHAKE_FAILED);
        }
        return payload;
    }

    /**
     * Writes this side's next message as a whole handshake packet (spec §1.5): a header with flags 0x10, ids,
     * nonce and event_count zero and payload_len = the message length, then the raw Noise message, with no tag.
     *
     * @param payload the Noise payload (see {@link #writeMessage})
     * @param buffer where the datagram goes
     * @param offset absolute offset of its first byte
     * @return the datagram length, 68 + message length
     * @throws IllegalArgumentException if the buffer is too small
     */
    public int writeHandshakePacket(byte[] payload, ByteBuffer buffer, int offset) {
        byte[] message = writeMessage(payload);
        int length = NetHeaderFlyweight.HEADER_LENGTH + message.length;
        if (offset < 0 || length > buffer.limit() - offset) {
            throw new IllegalArgumentException("buffer too small for a " + length + "-byte handshake packet");
        }
        new NetHeaderFlyweight().wrap(buffer, offset).initializeHandshake(message.length);
        buffer.put(offset + NetHeaderFlyweight.HEADER_LENGTH, message);
        return length;
    }

    /**
     * Reads the peer's message from a handshake packet that {@link io.meshwire.wire.NetPacketParser} classified as
     * {@link io.meshwire.wire.PacketKind#HANDSHAKE}. Never throws on bad input.
     *
     * @param header the parsed packet's header
     * @return the decrypted payload, or {@code null} (counted; see {@link #readMessage})
     */
    public byte[] readHandshakePacket(NetHeaderFlyweight header) {
        ByteBuffer buffer = header.buffer();
        int length = header.payloadLength();
        if ((header.flags() & io.meshwire.wire.PacketFlags.HANDSHAKE) == 0
                || header.payloadOffset() + length > buffer.limit()) {
            drops.drop(DropReason.HANDSHAKE_FAILED);
            return null;
        }
        byte[] message = new byte[length];
        buffer.get(header.payloadOffset(), message);
        return readMessage(message, 0, length);
    }

    /** @return whether both messages have been processed */
    public boolean isComplete() {
        return noise.isComplete() && !noise.isFailed();
    }

    /** @return whether this handshake failed and must be abandoned */
    public boolean isFailed() {
        return noise.isFailed();
    }

    /** @return whether this is the initiator's side */
    public boolean isInitiator() {
        return initiator;
    }

    /** @return the Noise handshake hash h (32 bytes) */
    public byte[] handshakeHash() {
        return noise.handshakeHash();
    }

    /**
     * net-mesh's key schedule (spec §2.2 step 4), on the final handshake hash.
     *
     * @return this side's session keys
     * @throws IllegalStateException if the handshake is not complete
     */
    public SessionKeys sessionKeys() {
        if (!isComplete()) {
            throw new IllegalStateException("handshake not complete");
        }
        return deriveSessionKeys(noise.handshakeHash(), initiator);
    }

    /**
     * net-mesh's KDF: session_id = u64 LE of h[0..8]; PRK = BLAKE2s-keyed(key=h, "net-kdf-v1");
     * K_i2r = BLAKE2s-keyed(key=PRK, "initiator-tx"); K_r2i = BLAKE2s-keyed(key=PRK, "initiator-rx"). "Keyed" is
     * BLAKE2s's own key parameter, not HMAC. The initiator sends with K_i2r; the responder with K_r2i.
     *
     * @param handshakeHash the 32-byte Noise handshake hash
     * @param initiator which side's view to return
     * @return the keys
     */
    public static SessionKeys deriveSessionKeys(byte[] handshakeHash, boolean initiator) {
        long sessionId = ByteBuffer.wrap(handshakeHash, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] prk = keyedBlake2s(handshakeHash, KDF_LABEL);
        byte[] i2r = keyedBlake2s(prk, INITIATOR_TX);
        byte[] r2i = keyedBlake2s(prk, INITIATOR_RX);
        return initiator ? new SessionKeys(sessionId, i2r, r2i) : new SessionKeys(sessionId, r2i, i2r);
    }

    static byte[] keyedBlake2s(byte[] key, byte[] message) {
        Blake2sDigest digest = new Blake2sDigest(key, 32, null, null);
        digest.update(message, 0, message.length);
        byte[] out = new byte[32];
        digest.doFinal(out, 0);
        return out;
    }

    private static byte[] checkLength(byte[] bytes, int length, String what) {
        if (bytes == null || bytes.length != length) {
            throw new IllegalArgumentException(what + " must be " + length + " bytes");
        }
        return bytes;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
