package io.meshwire.epics;

import java.time.Duration;
import java.util.Objects;

/**
 * Validated, immutable configuration of a {@link NameServer}. Build one with {@link #builder()}.
 *
 * @param responder    how searches are answered (protocols, rate limit, GUID)
 * @param reloadPeriod how often the directory file is checked for changes
 */
public record NameServerConfig(SearchResponderConfig responder, Duration reloadPeriod) {
    /** Validates the fields. */
    public NameServerConfig {
        Objects.requireNonNull(responder, "responder");
        Objects.requireNonNull(reloadPeriod, "reloadPeriod");
        if (reloadPeriod.toMillis() < 10 || reloadPeriod.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("reloadPeriod must be 10 ms..1 h: " + reloadPeriod);
        }
    }

    /** A builder with the defaults: {@link SearchResponderConfig} defaults, a 1 s reload check. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link NameServerConfig}. */
    public static final class Builder {
        private SearchResponderConfig responder;
        private Duration reloadPeriod = Duration.ofSeconds(1);

        private Builder() {
        }

        /** How searches are answered. */
        public Builder responder(SearchResponderConfig v) { this.responder = v; return this; }

        /** How often the directory file is checked. */
        public Builder reloadPeriod(Duration v) { this.reloadPeriod = v; return this; }

        /** Validates and builds. */
        public NameServerConfig build() {
            return new NameServerConfig(responder != null ? responder : SearchResponderConfig.builder().build(),
                    reloadPeriod);
        }
    }
}
