package io.meshwire.bench.transport;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Turns a receiver's cumulative {@code PROGRESS t=S received=N} lines into one live rate line per second, and keeps
 * the rate after the warm-up seconds (JIT compilation excluded) for the result table, with the host's steal over the
 * same seconds ({@link HostSteal}) and, when told whose ({@link #watchCpu}), the CPU time the receiver and its
 * senders used in them.
 */
public final class ProgressPrinter {

    private final PrintStream out;
    private final String system;
    private final int size;
    private final String unit;
    private long lastReceived;
    private long lastSecond;
    private final int warmupSeconds;
    private long receivedAtWarmupEnd;
    private HostSteal.Sample stealAtWarmupEnd;
    private HostSteal.Sample lastSteal;
    private LongSupplier receiverCpu;
    private LongSupplier senderCpu;
    private long receiverCpuAtWarmupEnd = -1;
    private long senderCpuAtWarmupEnd = -1;
    private long lastReceiverCpu = -1;
    private long lastSenderCpu = -1;

    /** Prints to {@code out} lines naming {@code system} and {@code size}, rates in {@code unit} (e.g. events/s). */
    public ProgressPrinter(PrintStream out, String system, int size, String unit) {
        this(out, system, size, unit, 1);
    }

    /** As above, with the steady rate taken after {@code warmupSeconds} (0: from the first datagram). */
    public ProgressPrinter(PrintStream out, String system, int size, String unit, int warmupSeconds) {
        this.out = out;
        this.system = system;
        this.size = size;
        this.unit = unit;
        this.warmupSeconds = warmupSeconds;
        this.receivedAtWarmupEnd = warmupSeconds == 0 ? 0 : -1;
        this.stealAtWarmupEnd = warmupSeconds == 0 ? HostSteal.sample() : null;
    }

    /**
     * Samples {@code receiver}'s and {@code senders}' CPU time (ns, -1 when unknown) at the line that ends the
     * warm-up and at every later one, for {@link #steadyCpuShare()}. Call it once the senders run: with no warm-up
     * the first line after this call starts the window.
     */
    public synchronized void watchCpu(LongSupplier receiver, LongSupplier senders) {
        this.receiverCpu = receiver;
        this.senderCpu = senders;
    }

    /** Takes one PROGRESS line; called from the peer's stdout reader. */
    public synchronized void onLine(PeerLine line) {
        long received = line.number("received");
        out.printf(Locale.ROOT, "   %-18s %5d B  t=%2d s  %12s %s%n", system, size, line.number("t"),
                ResultFormat.rate(received - lastReceived), unit);
        out.flush();
        lastReceived = received;
        lastSecond = line.number("t");
        lastSteal = HostSteal.sample();
        if (lastSecond == warmupSeconds) {
            receivedAtWarmupEnd = received;
            stealAtWarmupEnd = lastSteal;
        }
        if (receiverCpu != null) {
            long rx = receiverCpu.getAsLong();
            long tx = senderCpu.getAsLong();
            // a sender that has finished and exited reports no CPU time: the window ends with the last line at
            // which every process still ran
            if (rx >= 0 && tx >= 0) {
                lastReceiverCpu = rx;
                lastSenderCpu = tx;
                if (lastSecond == warmupSeconds || warmupSeconds == 0 && receiverCpuAtWarmupEnd < 0) {
                    receiverCpuAtWarmupEnd = rx;
                    senderCpuAtWarmupEnd = tx;
                }
            }
        }
    }

    /**
     * CPU time of the receiver over CPU time of its senders in the steady seconds (both processes whole: JIT and
     * GC threads count); NaN when not watched or unknown. Unlike the rates it hardly moves with how fast the machine
     * is at the moment, since a slower machine stretches both; see {@link BenchResult#steadyCpuShare()}.
     */
    public synchronized double steadyCpuShare() {
        if (receiverCpuAtWarmupEnd < 0 || senderCpuAtWarmupEnd < 0 || lastReceiverCpu < 0
                || lastSenderCpu <= senderCpuAtWarmupEnd) {
            return Double.NaN;
        }
        return (double) (lastReceiverCpu - receiverCpuAtWarmupEnd) / (lastSenderCpu - senderCpuAtWarmupEnd);
    }

    /** Items/s between the end of the warm-up and the receiver's last full second; NaN without such a second. */
    public synchronized double steadyRate() {
        return receivedAtWarmupEnd < 0 || lastSecond <= warmupSeconds ? Double.NaN
                : (double) (lastReceived - receivedAtWarmupEnd) / (lastSecond - warmupSeconds);
    }

    /** The host's steal over the seconds of {@link #steadyRate()}, as a fraction; NaN when unknown. */
    public synchronized double steadySteal() {
        return Double.isNaN(steadyRate()) ? Double.NaN : HostSteal.fraction(stealAtWarmupEnd, lastSteal);
    }
}
