package io.meshwire.mesh;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/** A WARN line at most once a second per instance, so a persistent per-packet problem cannot flood the log. */
final class Warnings {
    private static final long INTERVAL_NANOS = 1_000_000_000L;
    private final Logger log;
    private final AtomicLong next = new AtomicLong(System.nanoTime());

    Warnings(Logger log) {
        this.log = log;
    }

    void warn(String format, Object... args) {
        long now = System.nanoTime();
        long n = next.get();
        if (now - n >= 0 && next.compareAndSet(n, now + INTERVAL_NANOS)) {
            log.warn(format, args);
        }
    }
}
