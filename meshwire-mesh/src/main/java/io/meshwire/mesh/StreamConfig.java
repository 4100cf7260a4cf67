package io.meshwire.mesh;

import java.util.Objects;

/**
 * A stream's configuration (net-mesh {@code StreamConfig}, spec §4.6–§4.7). The first {@code openStream} of a stream
 * id fixes it; later opens with another config get the existing stream.
 *
 * @param reliability delivery mode
 * @param windowBytes byte-credit window, in wire bytes (68 + payload + 16 per packet); 0 disables credit
 *     backpressure (then a slow consumer loses packets, counted as {@code INBOUND_FULL})
 * @param maxRetries reliable only: retransmissions of one packet before the stream is reset
 * @param retransmitWindow reliable only: most unacknowledged packets; 0 sizes it as net-mesh does,
 *     {@code windowBytes / 512} clamped to [32, 16384]
 */
public record StreamConfig(Reliability reliability, int windowBytes, int maxRetries, int retransmitWindow) {
    /** net-mesh's default credit window: 65,536 bytes. */
    public static final int DEFAULT_WINDOW_BYTES = 65_536;
    /** net-mesh's default retries before a reset: 3. */
    public static final int DEFAULT_MAX_RETRIES = 3;
    /** Smallest automatic retransmit window. */
    public static final int MIN_RETRANSMIT_WINDOW = 32;
    /** Largest retransmit window. */
    public static final int MAX_RETRANSMIT_WINDOW = 16_384;

    /** Validates. */
    public StreamConfig {
        Objects.requireNonNull(reliability, "reliability must not be null");
        if (windowBytes < 0) {
            throw new IllegalArgumentException("windowBytes must be >= 0 (0 disables credit): " + windowBytes);
        }
        if (windowBytes > 0 && windowBytes < 256) {
            throw new IllegalArgumentException("windowBytes must be 0 or at least 256 (one small packet is 88 wire "
                    + "bytes): " + windowBytes);
        }
        if (maxRetries < 0 || maxRetries > 1000) {
            throw new IllegalArgumentException("maxRetries must be in [0, 1000]: " + maxRetries);
        }
        if (retransmitWindow != 0 && (retransmitWindow < 1 || retransmitWindow > MAX_RETRANSMIT_WINDOW)) {
            throw new IllegalArgumentException("retransmitWindow must be 0 (automatic) or in [1, "
                    + MAX_RETRANSMIT_WINDOW + "]: " + retransmitWindow);
        }
    }

    /** @return fire-and-forget with net-mesh's defaults */
    public static StreamConfig fireAndForget() {
        return new StreamConfig(Reliability.FIRE_AND_FORGET, DEFAULT_WINDOW_BYTES, DEFAULT_MAX_RETRIES, 0);
    }

    /** @return reliable with net-mesh's defaults */
    public static StreamConfig reliable() {
        return new StreamConfig(Reliability.RELIABLE, DEFAULT_WINDOW_BYTES, DEFAULT_MAX_RETRIES, 0);
    }

    /** @return a builder starting from {@link #fireAndForget()} */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder prefilled with this configuration */
    public Builder toBuilder() {
        return new Builder().reliability(reliability).windowBytes(windowBytes).maxRetries(maxRetries)
                .retransmitWindow(retransmitWindow);
    }

    /** @return the retransmit window in effect (packets) */
    public int effectiveRetransmitWindow() {
        if (retransmitWindow != 0) {
            return retransmitWindow;
        }
        return Math.clamp(windowBytes / 512, MIN_RETRANSMIT_WINDOW, MAX_RETRANSMIT_WINDOW);
    }

    /** Fluent builder; {@link #build()} validates. */
    public static final class Builder {
        private Reliability reliability = Reliability.FIRE_AND_FORGET;
        private int windowBytes = DEFAULT_WINDOW_BYTES;
        private int maxRetries = DEFAULT_MAX_RETRIES;
        private int retransmitWindow;

        private Builder() {
        }

        /** Delivery mode. @return this */
        public Builder reliability(Reliability v) { this.reliability = v; return this; }
        /** Credit window in wire bytes, 0 to disable. @return this */
        public Builder windowBytes(int v) { this.windowBytes = v; return this; }
        /** Retransmissions of one packet before a reset. @return this */
        public Builder maxRetries(int v) { this.maxRetries = v; return this; }
        /** Most unacknowledged packets, 0 for automatic. @return this */
        public Builder retransmitWindow(int v) { this.retransmitWindow = v; return this; }

        /** @return the validated configuration */
        public StreamConfig build() {
            return new StreamConfig(reliability, windowBytes, maxRetries, retransmitWindow);
        }
    }
}
