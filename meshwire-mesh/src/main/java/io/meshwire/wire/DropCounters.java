package io.meshwire.wire;

import io.meshwire.util.EnumCounters;

/**
 * Counts dropped input by {@link DropReason}. Safe to share between threads; counting allocates nothing once the counters have
 * warmed up.
 */
public final class DropCounters extends EnumCounters<DropReason> {

    /** Creates a set of counters, all zero. */
    public DropCounters() {
        super(DropReason.class);
    }
}
