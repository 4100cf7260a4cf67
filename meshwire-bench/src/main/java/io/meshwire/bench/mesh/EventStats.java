package io.meshwire.bench.mesh;

import io.meshwire.bench.transport.ReceiverCounters;
import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;

/**
 * Counters of one subscriber, written by the one thread that delivers events and sampled once a second by
 * {@link EventPeerMain}: events, bytes, first/last delivery time, and the publish-to-delivery latency in an
 * HdrHistogram (allocation-free once built). The sampled fields use opaque/release stores, no fences on x86.
 *
 * <p>Warm-up: events stamped before the first event's stamp plus the warm-up are not counted (the JIT compiles
 * both systems' hot paths meanwhile); the publisher's {@link Published} skips the same stretch by its own clock.
 */
public final class EventStats extends ReceiverCounters {

    private static final long MAX_LATENCY_NANOS = TimeUnit.SECONDS.toNanos(60);
    private long bytes;
    private final Histogram latency = new Histogram(MAX_LATENCY_NANOS, 3);
    private final long warmupNanos;
    private boolean armed;
    private long measureFromNanos;
    private long warmupEvents;

    /** Counters that measure every event. */
    public EventStats() {
        this(0);
    }

    /** @param warmupNanos how long after the first event's stamp events are not measured */
    public EventStats(long warmupNanos) {
        this.warmupNanos = warmupNanos;
    }

    /**
     * One event of {@code size} bytes delivered at {@code deliveredNanos}, stamped {@code publishNanos} by the
     * publisher. The delivery time is read once per receive batch by the system (meshwire: when its node took the
     * packet off the socket; Aeron: before each poll), not per event: a clock read per event cost the subscriber
     * thread about a sixth of its time at 64 B, and measured the harness more than the systems.
     */
    public void onEvent(int size, long publishNanos, long deliveredNanos) {
        if (!armed) {
            armed = true;
            measureFromNanos = publishNanos + warmupNanos;
        }
        if (publishNanos - measureFromNanos < 0) {
            warmupEvents++;
            return;
        }
        arrived(1, deliveredNanos);
        bytes += size;
        latency.recordValue(Math.clamp(deliveredNanos - publishNanos, 0, MAX_LATENCY_NANOS));
    }

    @Override
    public String resultLine() {
        long count = count();
        return "RESULT received=" + count + " bytes=" + bytes
                + " elapsed_ns=" + (count == 0 ? 0 : lastNanos() - firstNanos())
                + " p50_ns=" + latency.getValueAtPercentile(50)
                + " p99_ns=" + latency.getValueAtPercentile(99)
                + " p999_ns=" + latency.getValueAtPercentile(99.9)
                + " max_ns=" + latency.getMaxValue()
                + " warmup_events=" + warmupEvents;
    }

    /**
     * Counters of one publisher, written by its one publishing thread and read once it has returned. Events accepted
     * during the warm-up (from the first accepted event on, checked every 64 events) are not counted.
     */
    public static final class Published {
        private static final int CLOCK_CHECK_MASK = 63;
        private final long warmupNanos;
        private boolean measuring;
        private long measureFromNanos;
        private long warmupEvents;
        private long events;
        private long bytes;
        private long backpressured;

        /** Counters that measure every event. */
        public Published() {
            this(0);
        }

        /** @param warmupNanos how long after the first accepted event events are not counted */
        public Published(long warmupNanos) {
            this.warmupNanos = warmupNanos;
            this.measuring = warmupNanos == 0;
        }

        /** One event of {@code size} bytes accepted by the system. */
        public void onPublished(int size) {
            if (!measuring) {
                if (warmupEvents == 0) {
                    measureFromNanos = System.nanoTime() + warmupNanos;
                } else if ((warmupEvents & CLOCK_CHECK_MASK) == 0 && System.nanoTime() - measureFromNanos >= 0) {
                    measuring = true;
                }
                if (!measuring) {
                    warmupEvents++;
                    return;
                }
            }
            events++;
            bytes += size;
        }

        /** One attempt the system refused for lack of space or credit; the publisher retries. */
        public void onBackpressure() {
            backpressured++;
        }

        String resultLine() {
            return "SENT sent=" + events + " bytes=" + bytes + " backpressured=" + backpressured + " warmup_events="
                    + warmupEvents;
        }
    }
}
