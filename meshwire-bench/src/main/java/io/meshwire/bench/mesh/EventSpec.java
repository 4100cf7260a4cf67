package io.meshwire.bench.mesh;

import java.util.ArrayList;
import java.util.List;

/**
 * What one peer process of an event run is told.
 *
 * @param host          numeric loopback address the subscriber binds and the publisher targets
 * @param port          for a subscriber the port to bind ({@code 0}: its choice); for a publisher the subscriber's
 *                      port
 * @param size          bytes per event, at least {@link #MIN_SIZE} (the timestamp)
 * @param seconds       how long the publisher publishes after the warm-up (the measured time)
 * @param warmupSeconds how long the publisher publishes first without being measured: events stamped before the
 *                      first event's stamp plus this count on neither side
 */
public record EventSpec(String host, int port, int size, int seconds, int warmupSeconds) {

    /** The smallest event: the 8-byte publish timestamp. */
    public static final int MIN_SIZE = 8;
    /** The largest event every system here carries in one message. */
    public static final int MAX_SIZE = 8_000;

    /** Validates every field. */
    public EventSpec {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host is empty: use a loopback address such as 127.0.0.1");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port " + port + " is outside 0..65535");
        }
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw new IllegalArgumentException("event size " + size + " is outside " + MIN_SIZE + ".." + MAX_SIZE);
        }
        if (seconds < 1) {
            throw new IllegalArgumentException("seconds " + seconds + " must be at least 1");
        }
        if (warmupSeconds < 0) {
            throw new IllegalArgumentException("warm-up " + warmupSeconds + " s must not be negative");
        }
    }

    /** A spec without warm-up. */
    public EventSpec(String host, int port, int size, int seconds) {
        this(host, port, size, seconds, 0);
    }

    /** The warm-up in nanoseconds. */
    public long warmupNanos() {
        return warmupSeconds * 1_000_000_000L;
    }

    /** The same spec aimed at {@code newPort}. */
    EventSpec withPort(int newPort) {
        return new EventSpec(host, newPort, size, seconds, warmupSeconds);
    }

    List<String> arguments() {
        return new ArrayList<>(List.of(host, Integer.toString(port), Integer.toString(size),
                Integer.toString(seconds), Integer.toString(warmupSeconds)));
    }
}
