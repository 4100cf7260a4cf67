package io.meshwire.wire;

/**
 * Why a received packet, frame or handshake message was dropped. Parsers never throw on bad input: they count
 * one of these in a {@link DropCounters} and return a failure status.
 */
public enum DropReason {
    /** Fewer bytes than the structure needs (header, frame, routing header, Noise message). */
    TRUNCATED,
    /** More bytes than the structure allows (datagram over 8192 B, trailing bytes after the frames). */
    OVERSIZED,
    /** Header magic is not 0x4E45 (or routing magic not 0x5452). */
    BAD_MAGIC,
    /** Header version is not 1. */
    BAD_VERSION,
    /** payload_len over 8108 or event_count over 2027 ({@code validate()} rules 3 and 4). */
    BAD_LIMITS,
    /** Datagram length disagrees with payload_len (data: 68 + payload_len + 16; heartbeat: 84; handshake: 68 + payload_len). */
    BAD_LENGTH,
    /** An event frame's u32 length runs past the end of the payload. */
    FRAME_TRUNCATED,
    /** An event frame's u32 length is larger than any frame a packet can hold. */
    FRAME_OVERLONG,
    /** The payload holds fewer or more frames than event_count, or bytes after the last frame. */
    FRAME_COUNT_MISMATCH,
    /** The Poly1305 tag did not verify: forged, corrupted, or sealed under another key. */
    AUTH_FAILED,
    /** The AEAD counter was already seen or is older than the 1024-counter window. */
    REPLAYED,
    /** The AEAD counter jumps more than 1024 ahead of the highest seen, or is u64::MAX. */
    COUNTER_OUT_OF_RANGE,
    /** The packet's session id is not the one this session was keyed for. */
    WRONG_SESSION,
    /** A Noise handshake message failed: wrong length, bad tag, invalid public key, or wrong state. */
    HANDSHAKE_FAILED,
    /** The session id names no session of this node: never established, already evicted, or made up. */
    UNKNOWN_SESSION,
    /** A stream sequence already received: a retransmission that crossed its NACK, or a late fire-and-forget packet. */
    DUPLICATE,
    /** A reliable stream's sequence beyond the 64-packet reorder window; the sender retransmits it later. */
    OUT_OF_WINDOW,
    /** The stream's inbound buffer is full: the sender ignored its credit window, or ran without one. */
    INBOUND_FULL,
    /** A control message (window, NACK, reset, membership) with the wrong length or invalid fields. */
    MALFORMED_CONTROL,
    /** A datagram this node does not implement: routed packets, pingwaves, unknown subprotocols. */
    UNSUPPORTED,
    /** More inbound streams than the node keeps; the packet's stream was not created. */
    STREAM_LIMIT,
    /** Dropped on purpose by the test-only loss injection. */
    INJECTED_LOSS
}
