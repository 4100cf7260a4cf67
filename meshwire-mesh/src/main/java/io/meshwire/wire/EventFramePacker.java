package io.meshwire.wire;

import static io.meshwire.wire.NetHeaderFlyweight.MAX_PAYLOAD_LENGTH;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Packs events into one packet's plaintext as net-mesh frames, {@code [u32 LE length][bytes]} (spec §1.3):
 * greedily, adding events until the next frame would push the plaintext past 8108 bytes. Not thread-safe.
 *
 * <p>An event that cannot fit even in an empty packet (more than {@link #MAX_EVENT_LENGTH} bytes) is refused with
 * an {@link IllegalArgumentException}; net-mesh has no fragmentation, so such an event must be chunked by the
 * caller.
 */
public final class EventFramePacker {
    /** Frame length prefix size. */
    public static final int FRAME_LENGTH_LENGTH = 4;
    /** Largest single event: 8108 − 4 = 8104 bytes. */
    public static final int MAX_EVENT_LENGTH = MAX_PAYLOAD_LENGTH - FRAME_LENGTH_LENGTH;

    private ByteBuffer buffer;
    private int start;
    private int position;
    private int limit;
    private int eventCount;

    /** Creates an unwrapped packer; call {@link #wrap} before use. */
    public EventFramePacker() {
    }

    /**
     * Starts a new packet plaintext.
     *
     * @param buffer where the plaintext goes, normally just after a 68-byte header
     * @param offset absolute offset of the first plaintext byte
     * @param capacity room available; packing stops at {@code min(capacity, 8108)}
     * @return this
     */
    public EventFramePacker wrap(ByteBuffer buffer, int offset, int capacity) {
        this.buffer = buffer;
        this.start = offset;
        this.position = offset;
        this.limit = offset + Math.min(capacity, MAX_PAYLOAD_LENGTH);
        this.eventCount = 0;
        return this;
    }

    /**
     * Appends one event if its frame fits in what is left of this packet.
     *
     * @param event bytes from {@code position()} to {@code limit()}; the event's position is not changed
     * @return {@code true} if added; {@code false} if the packet is full (send it and start another)
     * @throws IllegalArgumentException if the event is larger than {@link #MAX_EVENT_LENGTH}
     */
    public boolean tryAdd(ByteBuffer event) {
        int length = event.remaining();
        checkEventLength(length);
        if (FRAME_LENGTH_LENGTH + length > limit - position) {
            return false;
        }
        NetHeaderFlyweight.INT_LE.set(buffer, position, length);
        buffer.put(position + FRAME_LENGTH_LENGTH, event, event.position(), length);
        position += FRAME_LENGTH_LENGTH + length;
        eventCount++;
        return true;
    }

    /**
     * Appends one event if its frame fits.
     *
     * @param event source array
     * @param offset first byte
     * @param length event length
     * @return {@code true} if added; {@code false} if the packet is full
     * @throws IllegalArgumentException if the event is larger than {@link #MAX_EVENT_LENGTH}
     */
    public boolean tryAdd(byte[] event, int offset, int length) {
        checkEventLength(length);
        if (FRAME_LENGTH_LENGTH + length > limit - position) {
            return false;
        }
        NetHeaderFlyweight.INT_LE.set(buffer, position, length);
        buffer.put(position + FRAME_LENGTH_LENGTH, event, offset, length);
        position += FRAME_LENGTH_LENGTH + length;
        eventCount++;
        return true;
    }

    /**
     * Greedy packing: adds events from {@code fromIndex} on until the next one does not fit.
     *
     * @param events the events
     * @param fromIndex first event to add
     * @return how many events were added (0 only if this packet was already full)
     * @throws IllegalArgumentException if an event it reaches is larger than {@link #MAX_EVENT_LENGTH}
     */
    public int packGreedy(List<ByteBuffer> events, int fromIndex) {
        int added = 0;
        for (int i = fromIndex; i < events.size(); i++) {
            if (!tryAdd(events.get(i))) {
                break;
            }
            added++;
        }
        return added;
    }

    /** @return plaintext bytes written so far: the header's payload_len */
    public int payloadLength() {
        return position - start;
    }

    /** @return events written so far: the header's event_count */
    public int eventCount() {
        return eventCount;
    }

    /** @return whether no event has been added */
    public boolean isEmpty() {
        return eventCount == 0;
    }

    private static void checkEventLength(int length) {
        if (length > MAX_EVENT_LENGTH) {
            throw new IllegalArgumentException("event of " + length + " bytes exceeds the largest net-mesh event, "
                    + MAX_EVENT_LENGTH + " bytes (8108-byte payload minus the 4-byte frame length); net-mesh does not "
                    + "fragment, so split it into chunks of at most " + MAX_EVENT_LENGTH + " bytes");
        }
    }

}
