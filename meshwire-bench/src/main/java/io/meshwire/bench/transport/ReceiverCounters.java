package io.meshwire.bench.transport;

/** What {@link PeerMain#supervise} samples of a receiver's counters while it runs, and prints when it is done. */
public interface ReceiverCounters {

    /** Items (datagrams, events) received so far; an acquire read, so the timestamps read after it are current. */
    long count();

    /** {@link System#nanoTime()} of the first item. */
    long firstNanos();

    /** {@link System#nanoTime()} of the latest item. */
    long lastNanos();

    /** The RESULT line, read once the receiving thread has finished. */
    String resultLine();
}
