package io.meshwire.epics;

import org.slf4j.Logger;

/** Logs a WARN at most once per period and says how many were suppressed in between. */
final class WarnLimiter {
    private final Logger log;
    private final long periodNanos;
    private long last = Long.MIN_VALUE;
    private long suppressed;

    WarnLimiter(Logger log, long periodMillis) {
        this.log = log;
        this.periodNanos = periodMillis * 1_000_000L;
    }

    synchronized void warn(String format, Object a, Object b) {
        long now = System.nanoTime();
        if (last != Long.MIN_VALUE && now - last < periodNanos) {
            suppressed++;
            return;
        }
        if (suppressed > 0) {
            log.warn(format + " ({} similar suppressed)", a, b, suppressed);
        } else {
            log.warn(format, a, b);
        }
        suppressed = 0;
        last = now;
    }
}
