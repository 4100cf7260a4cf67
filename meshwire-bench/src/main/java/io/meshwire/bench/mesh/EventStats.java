package io.meshwire.bench.mesh;

import io.meshwire.bench.transport.ReceiverCounters;
import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;

/**
 * Counters of one subscriber, written by the one thread that delivers events and sampled once a second by
 * {@link EventPeerMain}: events, bytes, first/last delivery time, and the publish-to-delivery latency in an
 * HdrHistogram (allocation-free once built). The sampled fields use opaque/release stores, no fences on x86.
 */
public final class EventStats extends ReceiverCounters {

    private static final long MAX_LATENCY_NANOS = TimeUnit.SECONDS.toNanos(60);
    private long bytes;
    private final Histogram latency = new Histogram(MAX_LATENCY_NANOS, 3);

    /** One event of {@code size} bytes delivered, stamped {@code publishNanos} by the publisher. */
    public void onEvent(int size, long publishNanos) {
        long now = arrived(1);
        bytes += size;
        latency.recordValue(Math.clamp(now - publishNanos, 0, MAX_LATENCY_NANOS));
    }

    @Override
    public String resultLine() {
        long count = count();
        return "RESULT received=" + count + " bytes=" + bytes
                + " elapsed_ns=" + (count == 0 ? 0 : lastNanos() - firstNanos())
                + " p50_ns=" + latency.getValueAtPercentile(50)
                + " p99_ns=" + latency.getValueAtPercentile(99)
                + " p999_ns=" + latency.getValueAtPercentile(99.9)
                + " max_ns=" + latency.getMaxValue();
    }

    /** Counters of one publisher, written by its one publishing thread and read once it has returned. */
    public static final class Published {
        private long events;
        private long bytes;
        private long backpressured;

        /** One event of {@code size} bytes accepted by the system. */
        public void onPublished(int size) {
            events++;
            bytes += size;
        }

        /** One attempt the system refused for lack of space or credit; the publisher retries. */
        public void onBackpressure() {
            backpressured++;
        }

        String resultLine() {
            return "SENT sent=" + events + " bytes=" + bytes + " backpressured=" + backpressured;
        }
    }
}
