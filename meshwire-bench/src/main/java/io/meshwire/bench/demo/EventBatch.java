package io.meshwire.bench.demo;

import io.meshwire.mesh.ChannelPublisher;
import io.meshwire.mesh.MeshNode;
import io.meshwire.mesh.MeshStream;
import io.meshwire.mesh.PublishReport;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * A reusable batch of outgoing events for one {@link MeshStream}, each laid out as
 * {@code [u64 LE send nanoTime][u64 LE sequence][filler]}: no timestamp travels in the mesh header, so the sender
 * puts its {@link System#nanoTime()} into the payload, and the sequence lets a receiver check order and count
 * what is missing. {@link #pump} stamps the events not yet accepted, offers them with one
 * {@link MeshStream#trySend(java.util.List)} (packed greedily, one batched send), and keeps the rest for the next
 * call, so an event's stamp is taken just before the stream accepts it. Allocates nothing after construction.
 */
public final class EventBatch {

    /** Offset of the send timestamp in every event. */
    public static final int STAMP_OFFSET = 0;
    /** Offset of the sequence number in every event. */
    public static final int SEQUENCE_OFFSET = 8;
    /** The smallest event: timestamp and sequence. */
    public static final int MIN_SIZE = 16;

    private final ByteBuffer[] events;
    private final Window window = new Window();
    private int from;
    private long nextSequence;

    /**
     * @param count events per {@link #pump} call, at least 1
     * @param size  bytes per event, at least {@link #MIN_SIZE}
     */
    public EventBatch(int count, int size) {
        if (count < 1) {
            throw new IllegalArgumentException("batch count must be at least 1: " + count);
        }
        if (size < MIN_SIZE) {
            throw new IllegalArgumentException("event size " + size + " is below " + MIN_SIZE
                    + " bytes (8-byte send timestamp and 8-byte sequence number)");
        }
        events = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
            for (int j = MIN_SIZE; j < size; j++) {
                b.put(j, (byte) j);
            }
            events[i] = b;
        }
    }

    /** The sequence number the next accepted event carries (= events accepted so far). */
    public long nextSequence() {
        return nextSequence;
    }

    /**
     * Offers at most {@code limit} events to {@code stream} without waiting.
     *
     * @return how many the stream accepted (0: backpressure, or the stream ended)
     */
    public int pump(MeshStream stream, int limit) {
        int to = Math.min(events.length, from + Math.max(0, limit));
        if (to <= from) {
            return 0;
        }
        long now = System.nanoTime();
        for (int i = from; i < to; i++) {
            events[i].putLong(STAMP_OFFSET, now).putLong(SEQUENCE_OFFSET, nextSequence + (i - from));
        }
        window.set(from, to);
        int accepted = stream.trySend(window);
        nextSequence += accepted;
        from += accepted;
        if (from == events.length) {
            from = 0;
        }
        return accepted;
    }

    /**
     * Publishes {@code count} events (at most the batch size) to every subscriber of {@code publisher}, waiting for
     * each subscriber's credit up to {@code timeout}; the sequence advances by {@code count} whatever the report
     * says, so a subscriber that missed events sees a gap. Use a batch either for this or for {@link #pump}.
     *
     * @return the delivery report
     */
    public PublishReport publish(MeshNode node, ChannelPublisher publisher, int count, Duration timeout)
            throws InterruptedException {
        int n = Math.min(events.length, count);
        long now = System.nanoTime();
        for (int i = 0; i < n; i++) {
            events[i].putLong(STAMP_OFFSET, now).putLong(SEQUENCE_OFFSET, nextSequence + i);
        }
        window.set(0, n);
        PublishReport report = node.publish(publisher, window, timeout);
        nextSequence += n;
        return report;
    }

    /** Offers every event of the batch that is not yet accepted. */
    public int pump(MeshStream stream) {
        return pump(stream, Integer.MAX_VALUE);
    }

    /** A fixed-size list view over a slice of the batch; reset for each call, so no list is allocated. */
    private final class Window extends AbstractList<ByteBuffer> implements RandomAccess {
        private int start;
        private int size;

        void set(int startIndex, int endIndex) {
            start = startIndex;
            size = endIndex - startIndex;
        }

        @Override
        public ByteBuffer get(int index) {
            return events[start + index];
        }

        @Override
        public int size() {
            return size;
        }
    }
}
