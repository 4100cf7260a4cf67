package io.meshwire.wire;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts dropped input by {@link DropReason}. Safe to share between threads; counting allocates nothing once the
 * adders have warmed up.
 */
public final class DropCounters {
    private static final DropReason[] REASONS = DropReason.values();
    private final LongAdder[] counters = new LongAdder[REASONS.length];

    /** Creates a set of counters, all zero. */
    public DropCounters() {
        for (int i = 0; i < counters.length; i++) {
            counters[i] = new LongAdder();
        }
    }

    /**
     * Counts one drop.
     *
     * @param reason why
     * @return always {@code false}, so parsers can {@code return counters.drop(REASON);}
     */
    public boolean drop(DropReason reason) {
        counters[reason.ordinal()].increment();
        return false;
    }

    /** @return drops counted for {@code reason} */
    public long count(DropReason reason) {
        return counters[reason.ordinal()].sum();
    }

    /** @return drops counted for all reasons */
    public long total() {
        long total = 0;
        for (LongAdder counter : counters) {
            total += counter.sum();
        }
        return total;
    }

    /** @return a snapshot of the non-zero counts */
    public Map<DropReason, Long> snapshot() {
        Map<DropReason, Long> snapshot = new EnumMap<>(DropReason.class);
        for (DropReason reason : REASONS) {
            long count = count(reason);
            if (count != 0) {
                snapshot.put(reason, count);
            }
        }
        return snapshot;
    }

    @Override
    public String toString() {
        return "DropCounters" + snapshot();
    }
}
