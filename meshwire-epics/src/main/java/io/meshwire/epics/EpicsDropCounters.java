package io.meshwire.epics;

import io.meshwire.util.EnumCounters;

/**
 * Counts dropped EPICS input by {@link EpicsDropReason}. Safe to share between threads; counting allocates nothing once the counters have
 * warmed up.
 */
public final class EpicsDropCounters extends EnumCounters<EpicsDropReason> {

    /** Creates a set of counters, all zero. */
    public EpicsDropCounters() {
        super(EpicsDropReason.class);
    }
}
