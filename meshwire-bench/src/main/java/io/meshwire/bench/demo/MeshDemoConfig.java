package io.meshwire.bench.demo;

/**
 * An immutable, validated configuration of one {@link MeshDemo} run; the messages name the option to fix.
 *
 * @param seconds     how long the nodes stream events (0.5 to 60)
 * @param size        bytes per event, {@link EventBatch#MIN_SIZE} to 8104
 * @param lossPercent datagrams each node drops on receipt on purpose (seeded, test-only loss injection), 0 to 50
 * @param seed        seed of the loss injection
 * @param rate        events per second per stream, or 0 for as fast as the credit windows allow
 * @param windowBytes every stream's credit window in wire bytes (StreamConfig.windowBytes), at least 16 KiB
 */
public record MeshDemoConfig(double seconds, int size, double lossPercent, long seed, long rate, int windowBytes) {

    /** The largest event a net-mesh packet carries (8108 payload bytes minus the 4-byte frame length). */
    public static final int MAX_SIZE = 8_104;

    /** The default credit window: 256 KiB, 32 full packets, half the receiver's 64-packet reorder window. */
    public static final int DEFAULT_WINDOW_BYTES = 256 * 1024;

    /** The defaults: 5 s, 256 B events, 2 % injected loss with seed 42, unpaced, 256 KiB windows. */
    public static MeshDemoConfig defaults() {
        return new MeshDemoConfig(5, 256, 2, 42, 0, DEFAULT_WINDOW_BYTES);
    }

    /** Validates every field. */
    public MeshDemoConfig {
        if (!(seconds >= 0.5 && seconds <= 60)) {
            throw new IllegalArgumentException("--seconds " + seconds + " is outside 0.5..60");
        }
        if (size < EventBatch.MIN_SIZE || size > MAX_SIZE) {
            throw new IllegalArgumentException("--size " + size + " is outside " + EventBatch.MIN_SIZE + ".."
                    + MAX_SIZE + " (each event carries an 8-byte send time and an 8-byte sequence number; net-mesh "
                    + "does not fragment)");
        }
        if (!(lossPercent >= 0 && lossPercent <= 50)) {
            throw new IllegalArgumentException("--loss " + lossPercent + " is outside 0..50 (percent)");
        }
        if (rate < 0) {
            throw new IllegalArgumentException("--rate " + rate + " must be 0 (unpaced) or a positive events/s");
        }
        if (windowBytes < 16 * 1024 || windowBytes > 64 * 1024 * 1024) {
            throw new IllegalArgumentException("--window " + windowBytes + " is outside 16384..67108864 bytes");
        }
    }
}
