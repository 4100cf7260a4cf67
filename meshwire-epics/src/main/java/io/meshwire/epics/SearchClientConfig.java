package io.meshwire.epics;

import java.time.Duration;
import java.util.Objects;

/**
 * Validated, immutable retry settings of a {@link SearchClient}. Build one with {@link #builder()}.
 *
 * <p>libca's search timer: the first retry after {@code initialPeriod} (its minimum round-trip estimate, 32 ms),
 * each later one after twice the previous period, capped at {@code maxPeriod} ({@code EPICS_CA_MAX_SEARCH_PERIOD},
 * 300 s by default, at least 60 s in libca; shorter caps are allowed here for tools with a short timeout).
 *
 * @param initialPeriod delay before the first retry
 * @param maxPeriod     the longest delay between two rounds
 */
public record SearchClientConfig(Duration initialPeriod, Duration maxPeriod) {
    /** libca's minimum round-trip estimate. */
    public static final Duration DEFAULT_INITIAL_PERIOD = Duration.ofMillis(32);
    /** libca's default {@code EPICS_CA_MAX_SEARCH_PERIOD}. */
    public static final Duration DEFAULT_MAX_PERIOD = Duration.ofSeconds(300);

    /** Validates the fields. */
    public SearchClientConfig {
        Objects.requireNonNull(initialPeriod, "initialPeriod");
        Objects.requireNonNull(maxPeriod, "maxPeriod");
        if (initialPeriod.toMillis() < 1 || initialPeriod.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new IllegalArgumentException("initialPeriod must be 1 ms..60 s: " + initialPeriod);
        }
        if (maxPeriod.compareTo(initialPeriod) < 0 || maxPeriod.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("maxPeriod must be initialPeriod..1 h: " + maxPeriod);
        }
    }

    /** A builder with libca's defaults (32 ms doubling to 300 s). */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link SearchClientConfig}. */
    public static final class Builder {
        private Duration initialPeriod = DEFAULT_INITIAL_PERIOD;
        private Duration maxPeriod = DEFAULT_MAX_PERIOD;

        private Builder() {
        }

        /** Delay before the first retry. */
        public Builder initialPeriod(Duration v) { this.initialPeriod = v; return this; }

        /** The longest delay between rounds. */
        public Builder maxPeriod(Duration v) { this.maxPeriod = v; return this; }

        /** Validates and builds. */
        public SearchClientConfig build() {
            return new SearchClientConfig(initialPeriod, maxPeriod);
        }
    }
}
