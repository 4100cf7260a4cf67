package io.meshwire.epics;

import java.time.Duration;
import java.util.Objects;

/**
 * Validated, immutable configuration of a {@link NameServer}. Build one with {@link #builder()}.
 *
 * @param responder    how searches are answered (protocols, rate limit, GUID)
 * @param reloadPeriod how often the directory file is checked for changes
 * @param beacons      the beacons announcing the server (off by default)
 */
public record NameServerConfig(SearchResponderConfig responder, Duration reloadPeriod, BeaconSenderConfig beacons) {
    /** Validates the fields. */
    public NameServerConfig {
        Objects.requireNonNull(responder, "responder");
        Objects.requireNonNull(reloadPeriod, "reloadPeriod");
        Objects.requireNonNull(beacons, "beacons");
        if (reloadPeriod.toMillis() < 10 || reloadPeriod.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("reloadPeriod must be 10 ms..1 h: " + reloadPeriod);
        }
    }

    /** A builder with the defaults: {@link SearchResponderConfig} defaults, a 1 s reload check, no beacons. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link NameServerConfig}. */
    public static final class Builder {
        private SearchResponderConfig responder;
        private Duration reloadPeriod = Duration.ofSeconds(1);
        private BeaconSenderConfig beacons;

        private Builder() {
        }

        /** How searches are answered. */
        public Builder responder(SearchResponderConfig v) { this.responder = v; return this; }

        /** How often the directory file is checked. */
        public Builder reloadPeriod(Duration v) { this.reloadPeriod = v; return this; }

        /** The beacons announcing the server (default {@link BeaconSenderConfig#disabled()}). */
        public Builder beacons(BeaconSenderConfig v) { this.beacons = v; return this; }

        /** Validates and builds. */
        public NameServerConfig build() {
            return new NameServerConfig(responder != null ? responder : SearchResponderConfig.builder().build(),
                    reloadPeriod, beacons != null ? beacons : BeaconSenderConfig.disabled());
        }
    }
}
