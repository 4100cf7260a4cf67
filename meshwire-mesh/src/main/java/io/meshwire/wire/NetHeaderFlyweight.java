package io.meshwire.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The net-mesh 0.27 packet header: 68 bytes, little-endian, as a flyweight over a caller-owned buffer
 * (spec §1.2). Wrap once and re-wrap per packet; nothing is allocated per packet. Every access is little-endian
 * whatever the buffer's own byte order. Not thread-safe.
 *
 * <p>Unsigned wire fields are returned widened ({@code int} for u8/u16) or as raw bits ({@code long} for u64,
 * {@code int} for u32).
 */
public final class NetHeaderFlyweight {
    /** u16 LE magic 0x4E45; the wire bytes are {@code 45 4E}. */
    public static final int MAGIC = 0x4E45;
    /** Protocol version; it stayed 1 when the header grew from 64 to 68 bytes (spec §1.2). */
    public static final int VERSION = 1;
    /** Header length on the wire. */
    public static final int HEADER_LENGTH = 68;
    /** Poly1305 tag length. */
    public static final int TAG_LENGTH = 16;
    /** AEAD nonce length. */
    public static final int NONCE_LENGTH = 12;
    /** Largest datagram net-mesh sends. */
    public static final int MAX_PACKET_LENGTH = 8192;
    /** Largest plaintext payload: 8192 − 68 − 16. */
    public static final int MAX_PAYLOAD_LENGTH = MAX_PACKET_LENGTH - HEADER_LENGTH - TAG_LENGTH;
    /** Largest event count: 8108 / 4 (every frame has a 4-byte length). */
    public static final int MAX_EVENTS_PER_PACKET = MAX_PAYLOAD_LENGTH / 4;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 2;
    public static final int FLAGS_OFFSET = 3;
    public static final int PRIORITY_OFFSET = 4;
    public static final int HOP_TTL_OFFSET = 5;
    public static final int HOP_COUNT_OFFSET = 6;
    public static final int FRAG_FLAGS_OFFSET = 7;
    public static final int SUBPROTOCOL_ID_OFFSET = 8;
    public static final int CHANNEL_HASH_OFFSET = 10;
    public static final int NONCE_OFFSET = 12;
    /** Nonce bytes 12–15: the 4-byte session prefix. */
    public static final int NONCE_PREFIX_OFFSET = 12;
    /** Nonce bytes 16–23: the u64 LE AEAD counter. */
    public static final int NONCE_COUNTER_OFFSET = 16;
    public static final int SESSION_ID_OFFSET = 24;
    public static final int STREAM_ID_OFFSET = 32;
    public static final int SEQUENCE_OFFSET = 40;
    public static final int ORIGIN_HASH_OFFSET = 48;
    public static final int SUBNET_ID_OFFSET = 56;
    public static final int FRAGMENT_ID_OFFSET = 60;
    public static final int FRAGMENT_OFFSET_OFFSET = 62;
    public static final int PAYLOAD_LEN_OFFSET = 64;
    public static final int EVENT_COUNT_OFFSET = 66;

    static final VarHandle SHORT_LE = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle INT_LE = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle LONG_LE = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private ByteBuffer buffer;
    private int offset;

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public NetHeaderFlyweight() {
    }

    /**
     * Points this flyweight at a header.
     *
     * @param buffer the packet buffer (heap or direct)
     * @param offset the header's first byte, absolute
     * @return this
     */
    public NetHeaderFlyweight wrap(ByteBuffer buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /** @return the wrapped buffer */
    public ByteBuffer buffer() {
        return buffer;
    }

    /** @return the header's absolute offset in {@link #buffer()} */
    public int offset() {
        return offset;
    }

    /** @return the absolute offset of the first payload byte */
    public int payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    /**
     * net-mesh's {@code NetHeader::validate()}: exactly its four rules (spec §1.2). Flags and reserved fields are
     * not checked, as in net-mesh.
     *
     * @return whether magic is 0x4E45, version 1, payload_len ≤ 8108 and event_count ≤ 2027
     */
    public boolean validate() {
        return magic() == MAGIC && version() == VERSION
                && payloadLength() <= MAX_PAYLOAD_LENGTH && eventCount() <= MAX_EVENTS_PER_PACKET;
    }

    /**
     * Writes a new header: magic, version 1 and every other field zero.
     *
     * @return this
     */
    public NetHeaderFlyweight initialize() {
        for (int i = 0; i < HEADER_LENGTH; i += 4) {
            INT_LE.set(buffer, offset + i, 0);
        }
        return magic(MAGIC).version(VERSION);
    }

    /**
     * Writes a handshake header (spec §1.5): flags 0x10, all ids, nonce and counts zero, payload_len = the Noise
     * message length.
     *
     * @param noiseMessageLength the raw Noise message length that follows the header
     * @return this
     */
    public NetHeaderFlyweight initializeHandshake(int noiseMessageLength) {
        return initialize().flags(PacketFlags.HANDSHAKE).payloadLength(noiseMessageLength);
    }

    /**
     * Writes a heartbeat header (spec §1.5): flags 0x20, session id set, stream/sequence 0, payload_len 0. Seal it
     * to append the 16-byte tag.
     *
     * @param sessionId the session
     * @return this
     */
    public NetHeaderFlyweight initializeHeartbeat(long sessionId) {
        return initialize().flags(PacketFlags.HEARTBEAT).sessionId(sessionId);
    }

    public int magic() {
        return Short.toUnsignedInt((short) SHORT_LE.get(buffer, offset + MAGIC_OFFSET));
    }

    public NetHeaderFlyweight magic(int magic) {
        SHORT_LE.set(buffer, offset + MAGIC_OFFSET, (short) magic);
        return this;
    }

    public int version() {
        return Byte.toUnsignedInt(buffer.get(offset + VERSION_OFFSET));
    }

    public NetHeaderFlyweight version(int version) {
        buffer.put(offset + VERSION_OFFSET, (byte) version);
        return this;
    }

    /** @return the {@link PacketFlags} byte */
    public int flags() {
        return Byte.toUnsignedInt(buffer.get(offset + FLAGS_OFFSET));
    }

    public NetHeaderFlyweight flags(int flags) {
        buffer.put(offset + FLAGS_OFFSET, (byte) flags);
        return this;
    }

    public int priority() {
        return Byte.toUnsignedInt(buffer.get(offset + PRIORITY_OFFSET));
    }

    public NetHeaderFlyweight priority(int priority) {
        buffer.put(offset + PRIORITY_OFFSET, (byte) priority);
        return this;
    }

    public int hopTtl() {
        return Byte.toUnsignedInt(buffer.get(offset + HOP_TTL_OFFSET));
    }

    public NetHeaderFlyweight hopTtl(int hopTtl) {
        buffer.put(offset + HOP_TTL_OFFSET, (byte) hopTtl);
        return this;
    }

    /** @return hop_count, mutable in transit and therefore left out of the AAD */
    public int hopCount() {
        return Byte.toUnsignedInt(buffer.get(offset + HOP_COUNT_OFFSET));
    }

    public NetHeaderFlyweight hopCount(int hopCount) {
        buffer.put(offset + HOP_COUNT_OFFSET, (byte) hopCount);
        return this;
    }

    public int fragFlags() {
        return Byte.toUnsignedInt(buffer.get(offset + FRAG_FLAGS_OFFSET));
    }

    public NetHeaderFlyweight fragFlags(int fragFlags) {
        buffer.put(offset + FRAG_FLAGS_OFFSET, (byte) fragFlags);
        return this;
    }

    public int subprotocolId() {
        return Short.toUnsignedInt((short) SHORT_LE.get(buffer, offset + SUBPROTOCOL_ID_OFFSET));
    }

    public NetHeaderFlyweight subprotocolId(int subprotocolId) {
        SHORT_LE.set(buffer, offset + SUBPROTOCOL_ID_OFFSET, (short) subprotocolId);
        return this;
    }

    public int channelHash() {
        return Short.toUnsignedInt((short) SHORT_LE.get(buffer, offset + CHANNEL_HASH_OFFSET));
    }

    public NetHeaderFlyweight channelHash(int channelHash) {
        SHORT_LE.set(buffer, offset + CHANNEL_HASH_OFFSET, (short) channelHash);
        return this;
    }

    /** @return nonce bytes 12–15, the session prefix, as a LE u32 (raw bits) */
    public int noncePrefix() {
        return (int) INT_LE.get(buffer, offset + NONCE_PREFIX_OFFSET);
    }

    public NetHeaderFlyweight noncePrefix(int prefix) {
        INT_LE.set(buffer, offset + NONCE_PREFIX_OFFSET, prefix);
        return this;
    }

    /** @return nonce bytes 16–23, the AEAD counter, as a LE u64 (raw bits) */
    public long nonceCounter() {
        return (long) LONG_LE.get(buffer, offset + NONCE_COUNTER_OFFSET);
    }

    public NetHeaderFlyweight nonceCounter(long counter) {
        LONG_LE.set(buffer, offset + NONCE_COUNTER_OFFSET, counter);
        return this;
    }

    /**
     * Copies the 12 nonce bytes.
     *
     * @param dst destination
     * @param dstOffset where in {@code dst}
     */
    public void getNonce(byte[] dst, int dstOffset) {
        buffer.get(offset + NONCE_OFFSET, dst, dstOffset, NONCE_LENGTH);
    }

    /**
     * Sets the 12 nonce bytes.
     *
     * @param src source
     * @param srcOffset where in {@code src}
     * @return this
     */
    public NetHeaderFlyweight putNonce(byte[] src, int srcOffset) {
        buffer.put(offset + NONCE_OFFSET, src, srcOffset, NONCE_LENGTH);
        return this;
    }

    public long sessionId() {
        return (long) LONG_LE.get(buffer, offset + SESSION_ID_OFFSET);
    }

    public NetHeaderFlyweight sessionId(long sessionId) {
        LONG_LE.set(buffer, offset + SESSION_ID_OFFSET, sessionId);
        return this;
    }

    public long streamId() {
        return (long) LONG_LE.get(buffer, offset + STREAM_ID_OFFSET);
    }

    public NetHeaderFlyweight streamId(long streamId) {
        LONG_LE.set(buffer, offset + STREAM_ID_OFFSET, streamId);
        return this;
    }

    public long sequence() {
        return (long) LONG_LE.get(buffer, offset + SEQUENCE_OFFSET);
    }

    public NetHeaderFlyweight sequence(long sequence) {
        LONG_LE.set(buffer, offset + SEQUENCE_OFFSET, sequence);
        return this;
    }

    public long originHash() {
        return (long) LONG_LE.get(buffer, offset + ORIGIN_HASH_OFFSET);
    }

    public NetHeaderFlyweight originHash(long originHash) {
        LONG_LE.set(buffer, offset + ORIGIN_HASH_OFFSET, originHash);
        return this;
    }

    /** @return subnet_id as a LE u32 (raw bits) */
    public int subnetId() {
        return (int) INT_LE.get(buffer, offset + SUBNET_ID_OFFSET);
    }

    public NetHeaderFlyweight subnetId(int subnetId) {
        INT_LE.set(buffer, offset + SUBNET_ID_OFFSET, subnetId);
        return this;
    }

    public int fragmentId() {
        return Short.toUnsignedInt((short) SHORT_LE.get(buffer, offset + FRAGMENT_ID_OFFSET));
    }

    public NetHeaderFlyweight fragmentId(int fragmentId) {
        SHORT_LE.set(buffer, offset + FRAGMENT_ID_OFFSET, (short) fragmentId);
        return this;
    }

    public int fragmentOffset() {
        return Short.toUnsignedInt((short) SHORT_LE.get(buffer, offset + FRAGMENT_OFFSET_OFFSET));
    }

    public NetHeaderFlyweight fragmentOffset(int fragmentOffset) {
        SHORT_LE.set(buffer, offset + FRAGMENT_OFFSET_OFFSET, (short) fragmentOffset);
        return this;
    }

    /** @return payload_len: the plaintext length, i.e. the ciphertext length without the tag */
    public int payloadLength() {
        return Short.toUnsignedInt((short) SHORT_LE.get(buffer, offset + PAYLOAD_LEN_OFFSET));
    }

    public NetHeaderFlyweight payloadLength(int payloadLength) {
        SHORT_LE.set(buffer, offset + PAYLOAD_LEN_OFFSET, (short) payloadLength);
        return this;
    }

    public int eventCount() {
        return Short.toUnsignedInt((short) SHORT_LE.get(buffer, offset + EVENT_COUNT_OFFSET));
    }

    public NetHeaderFlyweight eventCount(int eventCount) {
        SHORT_LE.set(buffer, offset + EVENT_COUNT_OFFSET, (short) eventCount);
        return this;
    }

    @Override
    public String toString() {
        if (buffer == null) {
            return "NetHeader(unwrapped)";
        }
        return "NetHeader(magic=0x" + Integer.toHexString(magic()) + ", version=" + version()
                + ", flags=0x" + Integer.toHexString(flags()) + ", subprotocol=0x" + Integer.toHexString(subprotocolId())
                + ", session=" + Long.toUnsignedString(sessionId(), 16) + ", stream=" + Long.toUnsignedString(streamId())
                + ", seq=" + Long.toUnsignedString(sequence()) + ", counter=" + Long.toUnsignedString(nonceCounter())
                + ", payloadLen=" + payloadLength() + ", events=" + eventCount() + ")";
    }
}
