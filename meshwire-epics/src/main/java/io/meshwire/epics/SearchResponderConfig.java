package io.meshwire.epics;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Validated, immutable configuration of a {@link SearchResponder}. Build one with {@link #builder()}.
 *
 * @param answerCa         answer Channel Access searches
 * @param answerPva        answer PVAccess searches
 * @param repliesPerSecond reply datagrams per second allowed to one source address (token rate)
 * @param replyBurst       reply datagrams one source may get at once after a quiet period (bucket size)
 * @param trackedSources   source addresses the rate limiter remembers (fixed memory)
 * @param guid             the 12-byte PVA server GUID put in search responses
 */
public record SearchResponderConfig(boolean answerCa, boolean answerPva, double repliesPerSecond, int replyBurst,
        int trackedSources, byte[] guid) {

    /** Default reply rate per source: enough for a client resolving thousands of names at start-up. */
    public static final double DEFAULT_REPLIES_PER_SECOND = 200;
    /** Default burst per source. */
    public static final int DEFAULT_REPLY_BURST = 400;
    /** Default number of sources tracked. */
    public static final int DEFAULT_TRACKED_SOURCES = 4096;

    /** Validates every field. */
    public SearchResponderConfig {
        if (!answerCa && !answerPva) {
            throw new IllegalArgumentException("the responder must answer CA, PVA or both");
        }
        if (!(repliesPerSecond > 0) || repliesPerSecond > 1e7) {
            throw new IllegalArgumentException("repliesPerSecond must be in (0, 1e7]: " + repliesPerSecond);
        }
        if (replyBurst < 1 || replyBurst > 1_000_000) {
            throw new IllegalArgumentException("replyBurst must be in [1, 1000000]: " + replyBurst);
        }
        if (trackedSources < 8 || trackedSources > 1 << 20) {
            throw new IllegalArgumentException("trackedSources must be in [8, 1048576]: " + trackedSources);
        }
        if (guid == null || guid.length != PvaProtocol.GUID_LENGTH) {
            throw new IllegalArgumentException("guid must be 12 bytes");
        }
        guid = guid.clone();
    }

    /** A copy of the GUID. */
    @Override
    public byte[] guid() {
        return guid.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SearchResponderConfig c && answerCa == c.answerCa && answerPva == c.answerPva
                && repliesPerSecond == c.repliesPerSecond && replyBurst == c.replyBurst
                && trackedSources == c.trackedSources && Arrays.equals(guid, c.guid);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(guid) * 31 + Double.hashCode(repliesPerSecond) + replyBurst;
    }

    @Override
    public String toString() {
        return "SearchResponderConfig[ca=" + answerCa + ", pva=" + answerPva + ", repliesPerSecond="
                + repliesPerSecond + ", replyBurst=" + replyBurst + ", trackedSources=" + trackedSources + "]";
    }

    /** A builder with the defaults: both protocols, 200 replies/s with a burst of 400 per source, random GUID. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link SearchResponderConfig}. */
    public static final class Builder {
        private boolean answerCa = true;
        private boolean answerPva = true;
        private double repliesPerSecond = DEFAULT_REPLIES_PER_SECOND;
        private int replyBurst = DEFAULT_REPLY_BURST;
        private int trackedSources = DEFAULT_TRACKED_SOURCES;
        private byte[] guid;

        private Builder() {
        }

        /** Answer CA searches. */
        public Builder answerCa(boolean v) { this.answerCa = v; return this; }

        /** Answer PVA searches. */
        public Builder answerPva(boolean v) { this.answerPva = v; return this; }

        /** Reply datagrams per second per source. */
        public Builder repliesPerSecond(double v) { this.repliesPerSecond = v; return this; }

        /** Burst per source. */
        public Builder replyBurst(int v) { this.replyBurst = v; return this; }

        /** Sources tracked by the rate limiter. */
        public Builder trackedSources(int v) { this.trackedSources = v; return this; }

        /** The PVA GUID (default: 12 random bytes). */
        public Builder guid(byte[] v) { this.guid = v; return this; }

        /** Validates and builds. */
        public SearchResponderConfig build() {
            byte[] g = guid;
            if (g == null) {
                g = new byte[PvaProtocol.GUID_LENGTH];
                new SecureRandom().nextBytes(g);
            }
            return new SearchResponderConfig(answerCa, answerPva, repliesPerSecond, replyBurst, trackedSources, g);
        }
    }
}
