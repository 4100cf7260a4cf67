package io.meshwire.bench.mesh;

/**
 * One system's outcome at one event size.
 *
 * @param system       the system's name
 * @param size         bytes per event
 * @param published    events the publisher had accepted
 * @param received     events the subscriber delivered
 * @param bytes        bytes delivered
 * @param elapsedNanos first to last delivery
 * @param p50Nanos     median publish-to-delivery latency
 * @param p99Nanos     99th percentile latency
 * @param p999Nanos    99.9th percentile latency
 * @param error        why the run failed, or {@code null}
 */
public record EventResult(String system, int size, long published, long received, long bytes, long elapsedNanos,
        long p50Nanos, long p99Nanos, long p999Nanos, String error) {

    static EventResult failed(String system, int size, String error) {
        return new EventResult(system, size, 0, 0, 0, 0, 0, 0, 0, error);
    }

    /** Whether the run finished and delivered anything. */
    public boolean ok() {
        return error == null && received > 0 && elapsedNanos > 0;
    }

    /** Events delivered per second. */
    public double eventsPerSecond() {
        return elapsedNanos <= 0 ? Double.NaN : received * 1e9 / elapsedNanos;
    }

    /** Payload megabytes (10^6) delivered per second. */
    public double megabytesPerSecond() {
        return elapsedNanos <= 0 ? Double.NaN : bytes * 1e3 / elapsedNanos;
    }

    /** Published events not delivered, as a fraction of those published. */
    public double loss() {
        return published <= 0 ? Double.NaN : Math.max(0, published - received) / (double) published;
    }
}
