package io.meshwire.bench.transport;

import java.util.Arrays;
import java.util.Objects;

/**
 * The outcome of one system at one size.
 *
 * @param system       system name
 * @param size         datagram payload bytes
 * @param senders      sender processes (1 for a pair, K in capacity mode)
 * @param sent         datagrams the senders handed to the kernel
 * @param received     datagrams the receiver counted
 * @param elapsedNanos receiver time from first to last datagram
 * @param receiveCalls receive calls that returned data, or -1 when the receiver cannot observe them
 * @param histogram    receive calls by batch size ([1] [2-3] ... [64+]), or {@code null}
 * @param steadyRate   datagrams/s after the receiver's first second (JIT warm-up excluded), from its PROGRESS lines;
 *                     NaN when it reported fewer than two
 * @param steadySteal  the host's steal ({@link HostSteal}) over the seconds of {@code steadyRate}, as a fraction of
 *                     all vCPU time; NaN when unknown
 * @param receiverCpuNanos CPU time of the receiver process from its first datagram to its end, or -1 when unknown
 * @param senderCpuNanos   CPU time of the sender processes while sending (summed), or -1 when unknown
 * @param steadyCpuShare   receiver CPU time over its senders' CPU time in the seconds of {@code steadyRate}; NaN
 *                         when unknown
 * @param error        why the run failed, or {@code null}
 */
public record BenchResult(String system, int size, int senders, long sent, long received, long elapsedNanos,
        long receiveCalls, long[] histogram, double steadyRate, double steadySteal, long receiverCpuNanos,
        long senderCpuNanos, double steadyCpuShare, String error) {

    static BenchResult failed(String system, int size, int senders, String error) {
        return new BenchResult(system, size, senders, 0, 0, 0, -1, null, Double.NaN, Double.NaN, -1, -1, Double.NaN,
                error);
    }

    /**
     * Receiver CPU per datagram received, in ns; NaN when unknown. Unlike the rates it hardly depends on what
     * else the machine runs, so it compares the receive paths' cost even on a busy machine.
     */
    public double receiverCpuPerDatagram() {
        return receiverCpuNanos <= 0 || received == 0 ? Double.NaN : (double) receiverCpuNanos / received;
    }

    /** Sender CPU per datagram sent, in ns; NaN when unknown. */
    public double senderCpuPerDatagram() {
        return senderCpuNanos <= 0 || sent == 0 ? Double.NaN : (double) senderCpuNanos / sent;
    }

    /**
     * The steady rate on a whole machine: {@code steadyRate / (1 - steadySteal)}. A flooded receiver and its senders
     * are CPU-bound, so this is the rate the run would have had without the host's steal; NaN when unknown.
     */
    public double stealAdjustedSteadyRate() {
        return Double.isNaN(steadySteal) || steadySteal >= 1 ? Double.NaN : steadyRate / (1 - steadySteal);
    }

    /**
     * What this run's steady rate would be, relative to {@code other}'s, had both run on the machine as it was in
     * {@code other}'s seconds; NaN when a CPU share is unknown. For capacity runs, where the receiver and its senders
     * keep the two vCPUs busy between them: then {@code rate × (tx + rx) ≈ CPU available}, with tx and rx the
     * senders' and the receiver's CPU time per datagram, so {@code rate ∝ 1 / (1 + rx/tx)} once the senders' cost
     * is fixed. A machine that is slower for a while (the host's other guests, its caches) stretches tx and rx
     * alike and leaves {@code rx/tx} (this record's {@code steadyCpuShare}) unchanged, whereas the rates of two
     * systems measured one after the other moved by up to 1.4× between rounds for that reason alone. Assumes, as
     * the capacity senders are the same C program for every receiver, that the receiver does not change what its
     * senders spend per datagram.
     */
    public double cpuModelRatio(BenchResult other) {
        return (1 + other.steadyCpuShare) / (1 + steadyCpuShare);
    }

    /** Whether the run completed. */
    public boolean ok() {
        return error == null;
    }

    /** Datagrams received per second of the receiver's active time; 0 when nothing arrived. */
    public double datagramsPerSecond() {
        return elapsedNanos <= 0 ? 0 : received * 1e9 / elapsedNanos;
    }

    /** Payload bits received per second, in Gbit/s. */
    public double gigabitsPerSecond() {
        return datagramsPerSecond() * size * 8 / 1e9;
    }

    /** 1 - received/sent; NaN when nothing was sent. */
    public double loss() {
        return sent == 0 ? Double.NaN : 1.0 - (double) received / sent;
    }

    /** Datagrams per receive call that returned data; NaN when not observable. */
    public double packetsPerSyscall() {
        return receiveCalls <= 0 ? Double.NaN : (double) received / receiveCalls;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BenchResult r && system.equals(r.system) && size == r.size && senders == r.senders
                && sent == r.sent && received == r.received && elapsedNanos == r.elapsedNanos
                && receiveCalls == r.receiveCalls && Arrays.equals(histogram, r.histogram)
                && Double.compare(steadyRate, r.steadyRate) == 0 && Double.compare(steadySteal, r.steadySteal) == 0
                && receiverCpuNanos == r.receiverCpuNanos && senderCpuNanos == r.senderCpuNanos
                && Double.compare(steadyCpuShare, r.steadyCpuShare) == 0 && Objects.equals(error, r.error);
    }

    @Override
    public int hashCode() {
        return Objects.hash(system, size, senders, sent, received, elapsedNanos, receiveCalls,
                Arrays.hashCode(histogram), steadyRate, steadySteal, receiverCpuNanos, senderCpuNanos, steadyCpuShare,
                error);
    }

    @Override
    public String toString() {
        return "BenchResult[" + system + " " + size + " B: sent=" + sent + " received=" + received + " elapsedNanos="
                + elapsedNanos + " receiveCalls=" + receiveCalls + " histogram=" + Arrays.toString(histogram)
                + " steadyRate=" + steadyRate + " steadySteal=" + steadySteal + " receiverCpuNanos=" + receiverCpuNanos
                + " senderCpuNanos=" + senderCpuNanos + " steadyCpuShare=" + steadyCpuShare
                + (error == null ? "" : " error=" + error) + "]";
    }
}
