package io.meshwire.bench.transport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What {@link PeerMain#supervise} samples of a receiver's counters while it runs, and prints when it is done: items
 * (datagrams, events) received and the first and latest arrival times. Written by the one receiving thread through
 * {@link #arrived}, sampled by the supervising thread; opaque and release stores, so no fences on the hot path on x86
 * and nothing hoisted out of the receive loop.
 */
public abstract class ReceiverCounters {

    private static final VarHandle COUNT;
    private static final VarHandle FIRST_NANOS;
    private static final VarHandle LAST_NANOS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            COUNT = lookup.findVarHandle(ReceiverCounters.class, "count", long.class);
            FIRST_NANOS = lookup.findVarHandle(ReceiverCounters.class, "firstNanos", long.class);
            LAST_NANOS = lookup.findVarHandle(ReceiverCounters.class, "lastNanos", long.class);
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

    /** Counts {@code items} arrived now; returns now ({@link System#nanoTime()}). Receiving thread only. */
    protected final long arrived(int items) {
        long now = System.nanoTime();
        arrivedAt(items, now);
        return now;
    }

    /**
     * Counts {@code items} arrived at {@code now}, a {@link System#nanoTime()} the caller read already (once per
     * receive batch, say, rather than once per item). Receiving thread only.
     */
    protected final void arrivedAt(int items, long now) {
        if (!started) {
            started = true;
            FIRST_NANOS.setOpaque(this, now);
        }
        LAST_NANOS.setOpaque(this, now);
        // Release: a reader that sees the new count (acquire) also sees the timestamps stored before it.
        COUNT.setRelease(this, (long) COUNT.getOpaque(this) + items);
    }

    /** Items received so far; an acquire read, so the timestamps read after it are current. */
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

    /** The RESULT line, read once the receiving thread has finished. */
    public abstract String resultLine();
}
