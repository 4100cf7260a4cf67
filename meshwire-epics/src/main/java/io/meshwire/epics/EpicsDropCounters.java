package io.meshwire.epics;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts dropped EPICS input by {@link EpicsDropReason}. Safe to share between threads; counting allocates nothing
 * once the adders have warmed up.
 */
public final class EpicsDropCounters {
    private static final EpicsDropReason[] REASONS = EpicsDropReason.values();
    private final LongAdder[] counters = new LongAdder[REASONS.length];

    /** Creates a set of counters, all zero. */
    public EpicsDropCounters() {
        for (int i = 0; i < counters.length; i++) {
            counters[i] = new LongAdder();
        }
    }

    /**
     * Counts one drop.
     *
     * @param reason why
     * @return always {@code false}, so parsers can {@code return drops.drop(REASON);}
     */
    public boolean drop(EpicsDropReason reason) {
        counters[reason.ordinal()].increment();
        return false;
    }

    /** Drops counted for {@code reason}. */
    public long count(EpicsDropReason reason) {
        return counters[reason.ordinal()].sum();
    }

    /** Drops counted for all reasons. */
    public long total() {
        long total = 0;
        for (LongAdder counter : counters) {
            total += counter.sum();
        }
        return total;
    }

    /** A snapshot of the non-zero counts. */
    public Map<EpicsDropReason, Long> snapshot() {
        Map<EpicsDropReason, Long> snapshot = new EnumMap<>(EpicsDropReason.class);
        for (EpicsDropReason reason : REASONS) {
            long count = count(reason);
            if (count != 0) {
                snapshot.put(reason, count);
            }
        }
        return snapshot;
    }

    @Override
    public String toString() {
        return "EpicsDropCounters" + snapshot();
    }
}
