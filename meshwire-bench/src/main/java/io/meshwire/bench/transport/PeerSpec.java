package io.meshwire.bench.transport;

import java.util.List;

/**
 * What one peer process of a run is told: where to bind or send, the datagram size and how long to run.
 *
 * @param host        numeric loopback address the receiver binds and the sender targets ({@code 127.0.0.1}, {@code ::1})
 * @param port        for a receiver the port to bind, {@code 0} for an ephemeral one (it reports the port it got);
 *                    for a sender the receiver's port
 * @param size        UDP payload bytes per datagram
 * @param seconds     how long the sender sends; the receiver stops at the latest {@code seconds} plus
 *                    {@code graceMillis} after its first datagram
 * @param graceMillis extra time a receiver waits for late datagrams
 */
public record PeerSpec(String host, int port, int size, int seconds, int graceMillis) {

    /** Largest UDP payload over IPv4. */
    public static final int MAX_SIZE = 65_507;

    /** Validates every field. */
    public PeerSpec {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host is empty: use a loopback address such as 127.0.0.1");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port " + port + " is outside 0..65535");
        }
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("size " + size + " is outside 1.." + MAX_SIZE);
        }
        if (seconds < 1) {
            throw new IllegalArgumentException("seconds " + seconds + " must be at least 1");
        }
        if (graceMillis < 0) {
            throw new IllegalArgumentException("graceMillis " + graceMillis + " is negative");
        }
    }

    /** The same spec aimed at {@code newPort}: what a sender gets once the receiver reported its port. */
    public PeerSpec withPort(int newPort) {
        return new PeerSpec(host, newPort, size, seconds, graceMillis);
    }

    /** The fields as the positional arguments every peer takes: host port size seconds graceMillis. */
    List<String> arguments() {
        return List.of(host, Integer.toString(port), Integer.toString(size), Integer.toString(seconds),
                Integer.toString(graceMillis));
    }
}
