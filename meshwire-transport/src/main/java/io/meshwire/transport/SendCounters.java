package io.meshwire.transport;

import java.util.concurrent.atomic.LongAdder;

/** Send-side counters; senders may be several threads, so these are adders. */
final class SendCounters {
    final LongAdder packets = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final LongAdder syscalls = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder gsoSends = new LongAdder();

    void record(long datagrams, long byteCount) {
        syscalls.increment();
        packets.add(datagrams);
        bytes.add(byteCount);
    }
}
