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

    /** Offset of magic. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of version. */
    public static final int VERSION_OFFSET = 2;
    /** Offset of flags. */
    public static final int FLAGS_OFFSET = 3;
    /** Offset of priority. */
    public static final int PRIORITY_OFFSET = 4;
    /** Offset of hop_ttl. */
    public static final int HOP_TTL_OFFSET = 5;
    /** Offset of hop_count. */
    public static final int HOP_COUNT_OFFSET = 6;
    /** Offset of frag_flags. */
    public static final int FRAG_FLAGS_OFFSET = 7;
    /** Offset of subprotocol_id. */
    public static final int SUBPROTOCOL_ID_OFFSET = 8;
    /** Offset of channel_hash. */
    public static final int CHANNEL_HASH_OFFSET = 10;
    /** Offset of nonce. */
    public static final int NONCE_OFFSET = 12;
    /** Nonce bytes 12–15: the 4-byte session prefix. */
    public static final int NONCE_PREFIX_OFFSET = 12;
    /** Nonce bytes 16–23: the u64 LE AEAD counter. */
    public static final int NONCE_COUNTER_OFFSET = 16;
    /** Offset of session_id. */
    public static final int SESSION_ID_OFFSET = 24;
    /** Offset of stream_id. */
    public static final int STREAM_ID_OFFSET = 32;
    /** Offset of sequence. */
    public static final int SEQUENCE_OFFSET = 40;
    /** Offset of origin_hash. */
    public static final int ORIGIN_HASH_OFFSET = 48;
    /** Offset of subnet_id. */
    public static final int SUBNET_ID_OFFSET = 56;
    /** Offset of fragment_id. */
    public static final int FRAGMENT_ID_OFFSET = 60;
    /** Offset of fragment_offset. */
    public static final int FRAGMENT_OFFSET_OFFSET = 62;
    /** Offset of payload_len. */
    public static final int PAYLOAD_LEN_OFFSET = 64;
    /** Offset of event_count. */
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

    /** @return the magic field */
    public int magic() {
        return Short.toUnsignedInt((short) SHORT_LE.get(buffer, offset + MAGIC_OFFSET));
    }

    /** Sets the magic field. @return this */
    public NetHeaderFlyweight magic(int magic) {
        SHORT_LE.set(buffer, offset + MAGIC_OFFSET, (short) magic);
        return this;
    }

    /** @return the version field */
    public int version() {
        return Byte.toUnsignedInt(buffer.get(offset + VERSION_OFFSET));
    }

    /** Sets the version field. @return this */
    public NetHeaderFlyweight version(int version) {
        buffer.put(offset + VERSION_OFFSET, (byte) version);
        return this;
    }

    /** @return the {@link PacketFlags} byte */
    public int flags() {
        return Byte.toUnsignedInt(buffer.get(offset + FLAGS_OFFSET));
    }

    /** Sets the flags field. @return this */
    public NetHeaderFlyweight flags(int flags) {
        buffer.put(offset + FLAGS_OFFSET, (byte) flags);
        return this;
    }

    /** @return the priority field */
    public int priority() {
        return Byte.toUnsignedInt(buffer.get(offset + PRIORITY_OFFSET));
    }

    /** Sets the priority field. @return this */
    public NetHeaderFlyweight priority(int priority) {
        buffer.put(offset + PRIORITY_OFFSET, (byte) priority);
        return this;
    }

    /** @return the hop_ttl field */
    public int hopTtl() {
        return Byte.toUnsignedInt(buffer.get(offset + HOP_TTL_OFFSET));
    }

    /** Sets the hop_ttl field. @return this */
    public NetHeaderFlyweight hopTtl(int hopTtl) {
        buffer.put(offset + HOP_TTL_OFFSET, (byte) hopTtl);
        return this;
    }

    /** @return hop_count, mutable in transit and therefore left out of the AAD */
    public int hopCount() {
        return Byte.toUnsignedInt(buffer.get(offset + HOP_COUNT_OFFSET));
    }

    /** Sets the hop_count field. @return this */
    public NetHeaderFlyweight hopCount(int hopCount) {
        buffer.put(offset + HOP_COUNT_OFFSET, (byte) hopCount);
        return this;
    }

    /** @return the frag_flags field */
    public int fragFlags() {
        return Byte.toUnsignedInt(buffer.get(offset + FRAG_FLAGS_OFFSET));
    }

    /** Sets the frag_flags field. @return this */
    public NetHeaderFlyweight fragFlags(int fragFlags) {
        buffer.put(offset + FRAG_FLAGS_OFFSET, (byte) fragFlags);
        return this;
    }

    /** @return the subprotocol_id field */
    public int subprotocolId() {
        return Short.toUnsignedInt((short) SHORT_LE.get(buffer, offset + SUBPROTOCOL_ID_OFFSET));
    }

    /** Sets the subprotocol_id field. @return this */
    public NetHeaderFlyweight subprotocolId(int subprotocolId) {
        SHORT_LE.set(buffer, offset + SUBPROTOCOL_ID_OFFSET, (short) subprotocolId);
        return this;
    }

    /** @return the channel_hash field */
    public int channelHash() {
        return Short.toUnsignedInt((short) SHORT_LE.get(buffer, offset + CHANNEL_HASH_OFFSET));
    }

    /** Sets the channel_hash field. @return this */
    public NetHeaderFlyweight channelHash(int channelHash) {
        SHORT_LE.set(buffer, offset + CHANNEL_HASH_OFFSET, (short) channelHash);
        return this;
    }

    /** @return nonce bytes 12–15, the session prefix, as a LE u32 (raw bits) */
    public int noncePrefix() {
        return (int) INT_LE.get(buffer, offset + NONCE_PREFIX_OFFSET);
    }

    /** Sets the nonce_prefix field. @return this */
    public NetHeaderFlyweight noncePrefix(int prefix) {
        INT_LE.set(buffer, offset + NONCE_PREFIX_OFFSET, prefix);
        return this;
    }

    /** @return nonce bytes 16–23, the AEAD counter, as a LE u64 (raw bits) */
    public long nonceCounter() {
        return (long) LONG_LE.get(buffer, offset + NONCE_COUNTER_OFFSET);
    }

    /** Sets the nonce_counter field. @return this */
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

    /** @return the session_id field */
    public long sessionId() {
        return (long) LONG_LE.get(buffer, offset + SESSION_ID_OFFSET);
    }

    /** Sets the session_id field. @return this */
    public NetHeaderFlyweight sessionId(long sessionId) {
        LONG_LE.set(buffer, offset + SESSION_ID_OFFSET, sessionId);
        return this;
    }

    /** @return the stream_id field */
    public long streamId() {
        return (long) LONG_LE.get(buffer, offset + STREAM_ID_OFFSET);
    }

    /** Sets the stream_id field. @return this */
    public NetHeaderFlyweight streamId(long streamId) {
        LONG_LE.set(buffer, offset + STREAM_ID_OFFSET, streamId);
        return this;
    }

    /** @return the sequence field */
    public long sequence() {
        return (long) LONG_LE.get(buffer, offset + SEQUENCE_OFFSET);
    }

    /** Sets the sequence field. @return this */
    public NetHeaderFlyweight sequence(long sequence) {
        LONG_LE.set(buffer, offset + SEQUENCE_OFFSET, sequence);
        return this;
    }

    /** @return the origin_hash field */
    public long originHash() {
        return (long) LONG_LE.get(buffer, offset + ORIGIN_HASH_OFFSET);
    }

    /** Sets the origin_hash field. @return this */
    public NetHeaderFlyweight originHash(long originHash) {
        LONG_LE.set(buffer, offset + ORIGIN_HASH_OFFSET, originHash);
        return this;
    }

    /** @return subnet_id as a LE u32 (raw bits) */
    public int subnetId() {
        return (int) INT_LE.get(buffer, offset + SUBNET_ID_OFFSET);
    }

    /** Sets the subnet_id field. @return this */
    public NetHeaderFlyweight subnetId(int subnetId) {
        INT_LE.set(buffer, offset + SUBNET_ID_OFFSET, subnetId);
        return this;
    }

    /** @return the fragment_id field */
    public int fragmentId() {
        return Short.toUnsignedInt((short) SHORT_LE.get(buffer, offset + FRAGMENT_ID_OFFSET));
    }

    /** Sets the fragment_id field. @return this */
    public NetHeaderFlyweight fragmentId(int fragmentId) {
        SHORT_LE.set(buffer, offset + FRAGMENT_ID_OFFSET, (short) fragmentId);
        return this;
    }

    /** @return the fragment_offset field */
    public int fragmentOffset() {
        return Short.toUnsignedInt((short) SHORT_LE.get(buffer, offset + FRAGMENT_OFFSET_OFFSET));
    }

    /** Sets the fragment_offset field. @return this */
    public NetHeaderFlyweight fragmentOffset(int fragmentOffset) {
        SHORT_LE.set(buffer, offset + FRAGMENT_OFFSET_OFFSET, (short) fragmentOffset);
        return this;
    }

    /** @return payload_len: the plaintext length, i.e. the ciphertext length without the tag */
    public int payloadLength() {
        return Short.toUnsignedInt((short) SHORT_LE.get(buffer, offset + PAYLOAD_LEN_OFFSET));
    }

    /** Sets the payload_length field. @return this */
    public NetHeaderFlyweight payloadLength(int payloadLength) {
        SHORT_LE.set(buffer, offset + PAYLOAD_LEN_OFFSET, (short) payloadLength);
        return this;
    }

    /** @return the event_count field */
    public int eventCount() {
        return Short.toUnsignedInt((short) SHORT_LE.get(buffer, offset + EVENT_COUNT_OFFSET));
    }

    /** Sets the event_count field. @return this */
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
