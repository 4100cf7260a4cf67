package io.meshwire.bench.transport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Items that arrived (datagrams, events) and the first and latest arrival times. Written by one thread through
 * {@link #arrived}, read by any; opaque and release stores, so no fences on the hot path on x86 and nothing hoisted
 * out of the receive loop. A reader that sees a count ({@link #count()}, an acquire read) also sees the timestamps
 * and whatever else the writer stored before it.
 */
public abstract class ArrivalCounters {

    private static final VarHandle COUNT;
    private static final VarHandle FIRST_NANOS;
    private static final VarHandle LAST_NANOS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            COUNT = lookup.findVarHandle(ArrivalCounters.class, "count", long.class);
            FIRST_NANOS = lookup.findVarHandle(ArrivalCounters.class, "firstNanos", long.class);
            LAST_NANOS = lookup.findVarHandle(ArrivalCounters.class, "lastNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through COUNT
    private long count;
    @SuppressWarnings("unused") // through FIRST_NANOS
    private long firstNanos;
    @SuppressWarnings("unused") // through LAST_NANOS
    private long lastNanos;
    private boolean started;

    /** Counts {@code items} arrived now; returns now ({@link System#nanoTime()}). Writing thread only. */
    protected final long arrived(int items) {
        long now = System.nanoTime();
        arrived(items, now);
        return now;
    }

    /** Counts {@code items} arrived at {@code nowNanos} ({@link System#nanoTime()}). Writing thread only. */
    protected final void arrived(int items, long nowNanos) {
        if (!started) {
            started = true;
            FIRST_NANOS.setOpaque(this, nowNanos);
        }
        LAST_NANOS.setOpaque(this, nowNanos);
        // Release: a reader that sees the new count (acquire) also sees what was stored before it.
        COUNT.setRelease(this, (long) COUNT.getOpaque(this) + items);
    }

    /** Items arrived so far; an acquire read, so the timestamps read after it are current. */
    public final long count() {
        return (long) COUNT.getAcquire(this);
    }

    /** {@link System#nanoTime()} of the first item. */
    public final long firstNanos() {
        return (long) FIRST_NANOS.getOpaque(this);
    }

    /** {@link System#nanoTime()} of the latest item. */
    public final long lastNanos() {
        return (long) LAST_NANOS.getOpaque(this);
    }
}
