package io.meshwire.transport;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Receive-side counters. Written only by the receiver (the receive thread, or the consumer in inline mode: one
 * writer at a time, plain read + release store, no atomic read-modify-write), read by anyone. When
 * instrumentation is off the hot path skips the instrumented ones entirely. {@link #KERNEL_DROPS} is not written
 * here: {@link DatagramEndpoint#stats()} asks the socket.
 */
final class ReceiveCounters {
    static final int PACKETS = 0;
    static final int BYTES = 1;
    static final int SYSCALLS = 2;
    static final int MAX_BATCH = 3;
    static final int QUEUE_FULL = 4;
    static final int BUFFER_WAITS = 5;
    static final int KERNEL_DROPS = 6;
    static final int TRUNCATED = 7;
    static final int ERRORS = 8;
    private static final int HISTOGRAM = 9;

    final boolean instrumented;
    final int buckets;
    private final AtomicLongArray values;
    ReceiveCounters(boolean instrumented, int batchCap) {
        this.instrumented = instrumented;
        // one power-of-two band per reachable batch size: floor(log2(cap)) + 1 buckets
        this.buckets = 32 - Integer.numberOfLeadingZeros(batchCap);
        this.values = new AtomicLongArray(HISTOGRAM + buckets);
    }

    void add(int index, long delta) {
        values.setRelease(index, values.getPlain(index) + delta);
    }

    /** Records one receive call that returned {@code messages} messages carrying {@code packets} datagrams. */
    void recordBatch(int messages, int packets, long bytes) {
        add(SYSCALLS, 1);
        add(PACKETS, packets);
        add(BYTES, bytes);
        int bucket = Math.min(31 - Integer.numberOfLeadingZeros(messages), buckets - 1);
        add(HISTOGRAM + bucket, 1);
        if (messages > values.getPlain(MAX_BATCH)) {
            values.setRelease(MAX_BATCH, messages);
        }
    }

    long get(int index) {
        return values.getAcquire(index);
    }

    long[] histogram() {
        long[] h = new long[buckets];
        for (int i = 0; i < buckets; i++) {
            h[i] = values.getAcquire(HISTOGRAM + i);
        }
        return h;
    }
}
