package io.meshwire.bench.transport;

import java.util.List;
import java.util.Locale;

/**
 * Renders results as the final table and as the one-line JSON object (written by hand, no JSON library); the
 * number and string helpers serve the other harnesses too.
 */
public final class ResultFormat {

    private static final String[] BUCKET_LABELS = {"1", "2-3", "4-7", "8-15", "16-31", "32-63", "64+"};

    private ResultFormat() {
    }

    /** The baseline's result at this size, or {@code null} when it failed or did not run. */
    static BenchResult baseline(List<BenchResult> results) {
        for (BenchResult r : results) {
            if (r.system().equals(CBaselineSystem.MMSG) && r.ok() && r.datagramsPerSecond() > 0) {
                return r;
            }
        }
        return null;
    }

    static String table(List<BenchResult> results, boolean capacity, int warmupSeconds) {
        BenchResult baseline = baseline(results);
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-16s %7s %12s %9s %9s %13s %10s %14s %11s %9s %9s%n", "system",
                "size", "dgrams/s", "Gbit/s", "loss", "pkts/syscall", "vs c-mmsg", "after " + warmupSeconds + " s/s",
                "steady vs c", "rx ns/dg", "tx ns/dg"));
        for (BenchResult r : results) {
            if (!r.ok()) {
                out.append(String.format(Locale.ROOT, "%-16s %5d B  FAILED: %s%n", r.system(), r.size(), r.error()));
                continue;
            }
            out.append(String.format(Locale.ROOT, "%-16s %5d B %12s %9.3f %9s %13s %10s %14s %11s %9s %9s%n",
                    r.system(),
                    r.size(),
                    rate(r.datagramsPerSecond()), r.gigabitsPerSecond(), percent(r.loss()),
                    Double.isNaN(r.packetsPerSyscall()) ? "n/a" : String.format(Locale.ROOT, "%.2f",
                            r.packetsPerSyscall()),
                    baseline == null ? "-" : String.format(Locale.ROOT, "%.2f",
                            r.datagramsPerSecond() / baseline.datagramsPerSecond()),
                    Double.isNaN(r.steadyRate()) ? "-" : rate(r.steadyRate()),
                    baseline == null || Double.isNaN(r.steadyRate()) || Double.isNaN(baseline.steadyRate()) ? "-"
                            : String.format(Locale.ROOT, "%.2f", r.steadyRate() / baseline.steadyRate()),
                    nanos(r.receiverCpuPerDatagram()), nanos(r.senderCpuPerDatagram())));
        }
        out.append(capacity
                ? "capacity mode: each receiver flooded by " + results.getFirst().senders()
                        + " C mmsg senders; dgrams/s is the receiver's rate\n"
                : "");
        out.append("pkts/syscall: datagrams per receive call that returned data (n/a: not observable); "
                + "after N s/s: receive rate once the first N seconds (JIT warm-up, --warmup) are past, and "
                + "steady vs c its ratio to c-mmsg's;\n"
                + "rx/tx ns/dg: CPU time of the receiver/sender process (all threads) per datagram\n");
        boolean header = false;
        for (BenchResult r : results) {
            if (!r.ok() || r.histogram() == null) {
                continue;
            }
            if (!header) {
                out.append("receive calls by batch size (datagrams, or GRO buffers, per call):\n");
                out.append(String.format(Locale.ROOT, "  %-16s", ""));
                for (String label : BUCKET_LABELS) {
                    out.append(String.format(Locale.ROOT, "%8s", label));
                }
                out.append('\n');
                header = true;
            }
            long calls = 0;
            for (long count : r.histogram()) {
                calls += count;
            }
            out.append(String.format(Locale.ROOT, "  %-16s", r.system()));
            for (long count : r.histogram()) {
                out.append(String.format(Locale.ROOT, "%7.1f%%", calls == 0 ? 0.0 : 100.0 * count / calls));
            }
            out.append('\n');
        }
        return out.toString();
    }

    /**
     * {@code {"size":N,"mode":"pair","seconds":S,"warmup_s":W,"results":[{"system":..,"dgrams_per_s":..,"loss":..,...}]}} on one
     * line; a number that is not defined (loss with nothing sent, pkts/syscall unobservable) is {@code null}.
     */
    static String json(int size, boolean capacity, int seconds, int warmupSeconds, List<BenchResult> results) {
        BenchResult baseline = baseline(results);
        StringBuilder out = new StringBuilder(256);
        out.append("{\"size\":").append(size)
                .append(",\"mode\":\"").append(capacity ? "capacity" : "pair").append('"')
                .append(",\"seconds\":").append(seconds)
                .append(",\"warmup_s\":").append(warmupSeconds)
                .append(",\"results\":[");
        for (int i = 0; i < results.size(); i++) {
            BenchResult r = results.get(i);
            out.append(i == 0 ? "{" : ",{");
            out.append("\"system\":").append(string(r.system()));
            out.append(",\"dgrams_per_s\":").append(number(r.datagramsPerSecond(), 1));
            out.append(",\"loss\":").append(number(r.loss(), 6));
            out.append(",\"dgrams_per_s_after_warmup\":").append(number(r.steadyRate(), 1));
            out.append(",\"gbit_per_s\":").append(number(r.gigabitsPerSecond(), 4));
            out.append(",\"sent\":").append(r.sent());
            out.append(",\"received\":").append(r.received());
            out.append(",\"senders\":").append(r.senders());
            out.append(",\"pkts_per_syscall\":").append(number(r.packetsPerSyscall(), 3));
            out.append(",\"rx_cpu_ns_per_dgram\":").append(number(r.receiverCpuPerDatagram(), 1));
            out.append(",\"tx_cpu_ns_per_dgram\":").append(number(r.senderCpuPerDatagram(), 1));
            out.append(",\"batch_hist\":");
            if (r.histogram() == null) {
                out.append("null");
            } else {
                out.append('[');
                for (int b = 0; b < r.histogram().length; b++) {
                    out.append(b == 0 ? "" : ",").append(r.histogram()[b]);
                }
                out.append(']');
            }
            out.append(",\"ratio_vs_c_mmsg\":").append(baseline == null || !r.ok() ? "null"
                    : number(r.datagramsPerSecond() / baseline.datagramsPerSecond(), 4));
            if (!r.ok()) {
                out.append(",\"error\":").append(string(r.error()));
            }
            out.append('}');
        }
        return out.append("]}").toString();
    }

    private static String nanos(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.0f", value);
    }

    /** A rate with a k or M suffix, e.g. {@code 341.4 k}. */
    public static String rate(double perSecond) {
        if (perSecond >= 1e6) {
            return String.format(Locale.ROOT, "%.2f M", perSecond / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f k", perSecond / 1e3);
    }

    private static String percent(double fraction) {
        return Double.isNaN(fraction) ? "n/a" : String.format(Locale.ROOT, "%.2f %%", fraction * 100);
    }

    /** A JSON number in plain decimal notation with at most {@code decimals} places, or null when undefined. */
    public static String number(double value, int decimals) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "null";
        }
        String text = String.format(Locale.ROOT, "%." + decimals + "f", value);
        if (text.indexOf('.') >= 0) {
            text = text.replaceFirst("\\.?0+$", "");
        }
        return text.equals("-0") ? "0" : text;
    }

    /** A JSON string literal: quotes, backslashes and control characters escaped (RFC 8259 section 7). */
    public static String string(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
