package io.meshwire.bench.transport;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Turns a receiver's cumulative {@code PROGRESS t=S received=N} lines into one live rate line per second, and keeps
 * the rate after the first second (warm-up excluded) for the result table.
 */
public final class ProgressPrinter {

    private final PrintStream out;
    private final String system;
    private final int size;
    private final String unit;
    private long lastReceived;
    private long lastSecond;
    private long receivedAtFirstSecond = -1;

    /** Prints to {@code out} lines naming {@code system} and {@code size}, rates in {@code unit} (e.g. events/s). */
    public ProgressPrinter(PrintStream out, String system, int size, String unit) {
        this.out = out;
        this.system = system;
        this.size = size;
        this.unit = unit;
    }

    /** Takes one PROGRESS line; called from the peer's stdout reader. */
    public synchronized void onLine(PeerLine line) {
        long received = line.number("received");
        out.printf(Locale.ROOT, "   %-16s %5d B  t=%2d s  %12s %s%n", system, size, line.number("t"),
                ResultFormat.rate(received - lastReceived), unit);
        out.flush();
        lastReceived = received;
        lastSecond = line.number("t");
        if (lastSecond == 1) {
            receivedAtFirstSecond = received;
        }
    }

    /** Items/s between the receiver's first and last full second; NaN with fewer than two seconds. */
    public synchronized double steadyRate() {
        return receivedAtFirstSecond < 0 || lastSecond < 2 ? Double.NaN
                : (double) (lastReceived - receivedAtFirstSecond) / (lastSecond - 1);
    }
}
