package io.meshwire.bench.transport;

/**
 * What {@link PeerMain#supervise} samples of a receiver's counters while it runs, and prints when it is done: items
 * (datagrams, events) received and the first and latest arrival times ({@link ArrivalCounters}), and the RESULT
 * line.
 */
public abstract class ReceiverCounters extends ArrivalCounters {

    /** The RESULT line, read once the receiving thread has finished. */
    public abstract String resultLine();
}
