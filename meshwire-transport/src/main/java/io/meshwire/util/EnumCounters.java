package io.meshwire.util;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts events (typically dropped input) by an enum reason. Safe to share between threads; counting allocates
 * nothing once the adders have warmed up. Modules give it a named subclass for their own reason enum.
 *
 * @param <E> the reason enum
 */
public class EnumCounters<E extends Enum<E>> {

    private final Class<E> type;
    private final E[] reasons;
    private final LongAdder[] counters;

    /** Creates a counter per constant of {@code type}, all zero. */
    protected EnumCounters(Class<E> type) {
        this.type = type;
        this.reasons = type.getEnumConstants();
        this.counters = new LongAdder[reasons.length];
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
    public final boolean drop(E reason) {
        counters[reason.ordinal()].increment();
        return false;
    }

    /** @return drops counted for {@code reason} */
    public final long count(E reason) {
        return counters[reason.ordinal()].sum();
    }

    /** @return drops counted for all reasons */
    public final long total() {
        long total = 0;
        for (LongAdder counter : counters) {
            total += counter.sum();
        }
        return total;
    }

    /** @return a snapshot of the non-zero counts */
    public final Map<E, Long> snapshot() {
        Map<E, Long> snapshot = new EnumMap<>(type);
        for (E reason : reasons) {
            long count = count(reason);
            if (count != 0) {
                snapshot.put(reason, count);
            }
        }
        return snapshot;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + snapshot();
    }
}
