package io.meshwire.wire;

import java.nio.ByteBuffer;

/**
 * Reads the event frames of one decrypted payload, {@code [u32 LE length][bytes]} × event_count (spec §1.3).
 * Unlike net-mesh's reader, which stops quietly at a truncated frame, this one drops the whole payload with a
 * counted reason: a truncated frame, a frame longer than any packet can hold, or a frame count or trailing bytes
 * that disagree with event_count. Check the payload once with {@link #validate}, then iterate with {@link #next}.
 * Allocates nothing; not thread-safe.
 */
public final class EventFrameReader {
    private final DropCounters drops;
    private ByteBuffer buffer;
    private int position;
    private int limit;
    private int remainingEvents;
    private int eventOffset;
    private int eventLength;

    /** @param drops where to count rejected payloads */
    public EventFrameReader(DropCounters drops) {
        this.drops = drops;
    }

    /**
     * Points the reader at a payload and checks all its frames.
     *
     * @param buffer the buffer
     * @param offset absolute offset of the plaintext
     * @param length payload_len
     * @param eventCount event_count from the header
     * @return {@code true} if the payload is exactly {@code eventCount} whole frames; otherwise {@code false}
     *     with the reason counted, and {@link #next} returns {@code false}
     */
    public boolean validate(ByteBuffer buffer, int offset, int length, int eventCount) {
        this.buffer = buffer;
        this.position = offset;
        this.limit = offset + length;
        this.remainingEvents = 0;
        if (offset < 0 || length < 0 || length > buffer.limit() - offset) {
            return drops.drop(DropReason.TRUNCATED);
        }
        int p = offset;
        for (int i = 0; i < eventCount; i++) {
            if (limit - p < EventFramePacker.FRAME_LENGTH_LENGTH) {
                return drops.drop(DropReason.FRAME_TRUNCATED);
            }
            int frameLength = (int) NetHeaderFlyweight.INT_LE.get(buffer, p);
            p += EventFramePacker.FRAME_LENGTH_LENGTH;
            // u32 on the wire: a negative int is a length of 2 GiB or more.
            if (frameLength < 0 || frameLength > EventFramePacker.MAX_EVENT_LENGTH) {
                return drops.drop(DropReason.FRAME_OVERLONG);
            }
            if (frameLength > limit - p) {
                return drops.drop(DropReason.FRAME_TRUNCATED);
            }
            p += frameLength;
        }
        if (p != limit) {
            return drops.drop(DropReason.FRAME_COUNT_MISMATCH);
        }
        this.remainingEvents = eventCount;
        return true;
    }

    /**
     * Advances to the next event of a payload that passed {@link #validate}.
     *
     * @return whether there was one; then {@link #eventOffset()} and {@link #eventLength()} describe it
     */
    public boolean next() {
        if (remainingEvents == 0) {
            return false;
        }
        eventLength = (int) NetHeaderFlyweight.INT_LE.get(buffer, position);
        eventOffset = position + EventFramePacker.FRAME_LENGTH_LENGTH;
        position = eventOffset + eventLength;
        remainingEvents--;
        return true;
    }

    /** @return absolute offset of the current event's bytes */
    public int eventOffset() {
        return eventOffset;
    }

    /** @return length of the current event */
    public int eventLength() {
        return eventLength;
    }

    /** @return the buffer being read */
    public ByteBuffer buffer() {
        return buffer;
    }
}
