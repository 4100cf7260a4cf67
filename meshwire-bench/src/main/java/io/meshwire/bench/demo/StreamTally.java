package io.meshwire.bench.demo;

import io.meshwire.bench.transport.ArrivalCounters;
import io.meshwire.mesh.MeshEvent;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;

/**
 * What one receiver saw on one inbound stream of {@link EventBatch} events: events, bytes, order, missing
 * sequence numbers, and the send-to-delivery latency (receiver's {@link System#nanoTime()} minus the stamp in the
 * payload; both ends must share the clock, i.e. run on one host). One thread delivers ({@link #onEvent}); any
 * thread may read the counters, and one reader at a time takes latency intervals ({@link #sampleLatency}), which
 * also accumulate into {@link #totalLatency()}. Events and arrival times are {@link ArrivalCounters}. Allocation
 * free per event.
 */
public final class StreamTally extends ArrivalCounters {

    private static final long MAX_LATENCY_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final VarHandle BYTES;
    private static final VarHandle OUT_OF_ORDER;
    private static final VarHandle MISSING;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            BYTES = lookup.findVarHandle(StreamTally.class, "bytes", long.class);
            OUT_OF_ORDER = lookup.findVarHandle(StreamTally.class, "outOfOrder", long.class);
            MISSING = lookup.findVarHandle(StreamTally.class, "missing", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long peerNodeId;
    private final long streamId;
    private final SingleWriterRecorder recorder = new SingleWriterRecorder(1, MAX_LATENCY_NANOS, 3);
    private final Histogram total = new Histogram(1, MAX_LATENCY_NANOS, 3);
    private Histogram interval;
    @SuppressWarnings("unused") // through BYTES
    private long bytes;
    @SuppressWarnings("unused") // through OUT_OF_ORDER
    private long outOfOrder;
    @SuppressWarnings("unused") // through MISSING
    private long missing;
    private long expected;
    private volatile String firstDisorder;

    /**
     * @param peerNodeId the sender
     * @param streamId   the stream
     */
    public StreamTally(long peerNodeId, long streamId) {
        this.peerNodeId = peerNodeId;
        this.streamId = streamId;
    }

    /** The sender's node id. */
    public long peerNodeId() {
        return peerNodeId;
    }

    /** The stream id. */
    public long streamId() {
        return streamId;
    }

    /**
     * One delivered event: counts it, records its latency, and checks its sequence number against the one
     * expected. A higher one counts the skipped numbers as missing (loss on a fire-and-forget stream); a lower
     * one, or any skip on a stream that must be complete, counts as out of order.
     */
    public void onEvent(MeshEvent event) {
        long now = System.nanoTime();
        int length = event.length();
        if (length >= EventBatch.MIN_SIZE) {
            long latency = now - event.getLongLE(EventBatch.STAMP_OFFSET);
            recorder.recordValue(Math.clamp(latency, 1, MAX_LATENCY_NANOS));
            long sequence = event.getLongLE(EventBatch.SEQUENCE_OFFSET);
            if (sequence != expected) {
                if (sequence > expected && !event.reliable()) {
                    MISSING.setOpaque(this, (long) MISSING.getOpaque(this) + (sequence - expected));
                } else {
                    if (firstDisorder == null) {
                        firstDisorder = "expected sequence " + expected + ", got " + sequence;
                    }
                    OUT_OF_ORDER.setOpaque(this, (long) OUT_OF_ORDER.getOpaque(this) + 1);
                }
            }
            expected = Math.max(expected, sequence + 1);
        }
        BYTES.setOpaque(this, (long) BYTES.getOpaque(this) + length);
        arrived(1, now);
    }

    /** Events delivered. */
    public long events() {
        return count();
    }

    /** Payload bytes delivered. */
    public long bytes() {
        return (long) BYTES.getOpaque(this);
    }

    /** Events whose sequence number was not the next one where no gap was allowed (reliable), or went backwards. */
    public long outOfOrder() {
        return (long) OUT_OF_ORDER.getOpaque(this);
    }

    /** Sequence numbers skipped on a fire-and-forget stream: events lost on the way. */
    public long missing() {
        return (long) MISSING.getOpaque(this);
    }

    /** Seconds from the first delivered event to the last (0 before two events). */
    public double activeSeconds() {
        return (lastNanos() - firstNanos()) / 1e9;
    }

    /** The first order violation, or {@code null}. */
    public String firstDisorder() {
        return firstDisorder;
    }

    /** The latency recorded since the previous call (the returned histogram is reused by the next call). */
    public synchronized Histogram sampleLatency() {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        return interval;
    }

    /** Every latency sampled so far (call {@link #sampleLatency} once more after the last event). */
    public synchronized Histogram totalLatency() {
        return total;
    }
}
