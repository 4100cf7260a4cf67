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
        out.append(String.format(Locale.ROOT, "%-18s %7s %12s %9s %9s %13s %10s %14s %11s %7s %9s %9s%n",
                "system", "size", "dgrams/s", "Gbit/s", "loss", "pkts/syscall", "vs c-mmsg",
                "after " + warmupSeconds + " s/s", "steady vs c", "steal", "rx ns/dg", "tx ns/dg"));
        for (BenchResult r : results) {
            if (!r.ok()) {
                out.append(String.format(Locale.ROOT, "%-18s %5d B  FAILED: %s%n", r.system(), r.size(), r.error()));
                continue;
            }
            out.append(String.format(Locale.ROOT, "%-18s %5d B %12s %9.3f %9s %13s %10s %14s %11s %7s %9s %9s%n",
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
                    wholePercent(r.steadySteal()), nanos(r.receiverCpuPerDatagram()),
                    nanos(r.senderCpuPerDatagram())));
        }
        out.append(capacity
                ? "capacity mode: each receiver flooded by " + results.getFirst().senders()
                        + " C mmsg senders; dgrams/s is the receiver's rate\n"
                : "");
        out.append("pkts/syscall: datagrams per receive call that returned data (n/a: not observable); "
                + "after N s/s: receive rate once the first N seconds (JIT warm-up, --warmup) are past, and "
                + "steady vs c its ratio to c-mmsg's;\n"
                + "steal: vCPU time the host took over those seconds (/proc/stat), which the system did not get;\n"
                + "rx/tx ns/dg: CPU time of the receiver/sender process (all threads) per datagram\n");
        boolean header = false;
        for (BenchResult r : results) {
            if (!r.ok() || r.histogram() == null) {
                continue;
            }
            if (!header) {
                out.append("receive calls by batch size (datagrams, or GRO buffers, per call):\n");
                out.append(String.format(Locale.ROOT, "  %-18s", ""));
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
            out.append(String.format(Locale.ROOT, "  %-18s", r.system()));
            for (long count : r.histogram()) {
                out.append(String.format(Locale.ROOT, "%7.1f%%", calls == 0 ? 0.0 : 100.0 * count / calls));
            }
            out.append('\n');
        }
        return out.toString();
    }

    /**
     * {@code {"size":N,"mode":"pair"|"pinned-pair"|"capacity","seconds":S,"warmup_s":W,"results":[{"system":..,"dgrams_per_s":..,"loss":..,...}]}} on one
     * line; a number that is not defined (loss with nothing sent, pkts/syscall unobservable) is {@code null}.
     */
    static String json(int size, String mode, int seconds, int warmupSeconds, List<BenchResult> results) {
        BenchResult baseline = baseline(results);
        StringBuilder out = new StringBuilder(256);
        out.append("{\"size\":").append(size)
                .append(",\"mode\":").append(string(mode))
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
            out.append(",\"host_steal_after_warmup\":").append(number(r.steadySteal(), 4));
            out.append(",\"gbit_per_s\":").append(number(r.gigabitsPerSecond(), 4));
            out.append(",\"sent\":").append(r.sent());
            out.append(",\"received\":").append(r.received());
            out.append(",\"senders\":").append(r.senders());
            out.append(",\"pkts_per_syscall\":").append(number(r.packetsPerSyscall(), 3));
            out.append(",\"rx_cpu_ns_per_dgram\":").append(number(r.receiverCpuPerDatagram(), 1));
            out.append(",\"tx_cpu_ns_per_dgram\":").append(number(r.senderCpuPerDatagram(), 1));
            out.append(",\"steady_rx_tx_cpu\":").append(number(r.steadyCpuShare(), 4));
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

    /** One system's figures over every round in which it completed, with per-round ratios to that round's C. */
    record RoundsSummary(String system, int size, int rounds, double[] rates, double[] losses, double[] steadyRates,
            double[] ratios, double[] steadyRatios, double[] steals, double[] adjustedRatios, double[] receiverCpu,
            double[] cpuModelRatios) {

        /** {@code capacity}: the rounds ran in capacity mode, the one where {@link BenchResult#cpuModelRatio} holds. */
        static List<RoundsSummary> of(int size, boolean capacity, List<List<BenchResult>> rounds) {
            java.util.Map<String, List<BenchResult>> bySystem = new java.util.LinkedHashMap<>();
            java.util.Map<String, List<double[]>> ratiosBySystem = new java.util.HashMap<>();
            for (List<BenchResult> round : rounds) {
                BenchResult baseline = baseline(round);
                for (BenchResult r : round) {
                    bySystem.computeIfAbsent(r.system(), k -> new java.util.ArrayList<>());
                    if (!r.ok()) {
                        continue;
                    }
                    bySystem.get(r.system()).add(r);
                    ratiosBySystem.computeIfAbsent(r.system(), k -> new java.util.ArrayList<>()).add(new double[] {
                            baseline == null ? Double.NaN : r.datagramsPerSecond() / baseline.datagramsPerSecond(),
                            baseline == null ? Double.NaN : r.steadyRate() / baseline.steadyRate(),
                            baseline == null ? Double.NaN
                                    : r.stealAdjustedSteadyRate() / baseline.stealAdjustedSteadyRate(),
                            baseline == null || !capacity ? Double.NaN : r.cpuModelRatio(baseline)});
                }
            }
            List<RoundsSummary> out = new java.util.ArrayList<>();
            for (var e : bySystem.entrySet()) {
                List<BenchResult> rs = e.getValue();
                List<double[]> ratios = ratiosBySystem.getOrDefault(e.getKey(), List.of());
                out.add(new RoundsSummary(e.getKey(), size, rs.size(),
                        rs.stream().mapToDouble(BenchResult::datagramsPerSecond).toArray(),
                        rs.stream().mapToDouble(BenchResult::loss).toArray(),
                        rs.stream().mapToDouble(BenchResult::steadyRate).toArray(),
                        ratios.stream().mapToDouble(r -> r[0]).toArray(),
                        ratios.stream().mapToDouble(r -> r[1]).toArray(),
                        rs.stream().mapToDouble(BenchResult::steadySteal).toArray(),
                        ratios.stream().mapToDouble(r -> r[2]).toArray(),
                        rs.stream().mapToDouble(BenchResult::receiverCpuPerDatagram).toArray(),
                        ratios.stream().mapToDouble(r -> r[3]).toArray()));
            }
            return out;
        }
    }

    /** The median of the defined values; NaN when there are none. */
    static double median(double[] values) {
        double[] v = java.util.Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** The medians over all rounds of one size, with each round's ratios to c-mmsg listed. */
    static String roundsTable(int size, String mode, List<List<BenchResult>> rounds) {
        boolean capacity = BenchConfig.CAPACITY_MODE.equals(mode);
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "medians over %d rounds (each ratio taken within its round):%n",
                rounds.size()));
        out.append(String.format(Locale.ROOT, "%-18s %7s %6s %12s %10s %11s %6s %9s %9s %9s  %s%n", "system", "size",
                "rounds", "dgrams/s", "vs c-mmsg", "steady vs c", "steal", "adj vs c", "cpu vs c", "rx ns/dg",
                capacity ? "steady / adj / cpu vs c per round" : "steady vs c / adj vs c per round"));
        for (RoundsSummary s : RoundsSummary.of(size, capacity, rounds)) {
            StringBuilder each = new StringBuilder();
            for (int k = 0; k < s.steadyRatios().length; k++) {
                each.append(each.isEmpty() ? "" : "  ").append(ratio(s.steadyRatios()[k])).append('/')
                        .append(ratio(s.adjustedRatios()[k]));
                if (capacity) {
                    each.append('/').append(ratio(s.cpuModelRatios()[k]));
                }
            }
            out.append(String.format(Locale.ROOT, "%-18s %5d B %6d %12s %10s %11s %6s %9s %9s %9s  %s%n", s.system(),
                    s.size(), s.rounds(), s.rounds() == 0 ? "-" : rate(median(s.rates())), ratio(median(s.ratios())),
                    ratio(median(s.steadyRatios())), wholePercent(median(s.steals())),
                    ratio(median(s.adjustedRatios())), ratio(median(s.cpuModelRatios())),
                    nanos(median(s.receiverCpu())), each));
        }
        out.append("steal: the host's share of the vCPU time in the steady seconds; adj vs c: the steady ratio "
                + "with each rate divided by (1 - steal)\n");
        if (capacity) {
            out.append("cpu vs c: the steady ratio had both run on the machine as it was in c-mmsg's seconds, "
                    + "(1 + rx/tx of c-mmsg) / (1 + rx/tx), rx/tx the receiver's CPU time over its senders' in the "
                    + "steady seconds\n");
        }
        return out.toString();
    }

    /**
     * {@code {"size":N,...,"rounds":R,"results":[{"system":..,"dgrams_per_s":..,"loss":..,...}]}} on one line: the
     * medians over the rounds, each ratio taken within its round, and the per-round ratios.
     */
    static String roundsJson(int size, String mode, int seconds, int warmupSeconds,
            List<List<BenchResult>> rounds) {
        StringBuilder out = new StringBuilder(256);
        out.append("{\"size\":").append(size)
                .append(",\"mode\":").append(string(mode))
                .append(",\"seconds\":").append(seconds)
                .append(",\"warmup_s\":").append(warmupSeconds)
                .append(",\"rounds\":").append(rounds.size())
                .append(",\"results\":[");
        List<RoundsSummary> summaries = RoundsSummary.of(size, BenchConfig.CAPACITY_MODE.equals(mode), rounds);
        for (int i = 0; i < summaries.size(); i++) {
            RoundsSummary s = summaries.get(i);
            out.append(i == 0 ? "{" : ",{");
            out.append("\"system\":").append(string(s.system()));
            out.append(",\"rounds_ok\":").append(s.rounds());
            out.append(",\"dgrams_per_s\":").append(number(median(s.rates()), 1));
            out.append(",\"loss\":").append(number(median(s.losses()), 6));
            out.append(",\"dgrams_per_s_after_warmup\":").append(number(median(s.steadyRates()), 1));
            out.append(",\"rx_cpu_ns_per_dgram\":").append(number(median(s.receiverCpu()), 1));
            out.append(",\"ratio_vs_c_mmsg\":").append(number(median(s.ratios()), 4));
            out.append(",\"steady_ratio_vs_c_mmsg\":").append(number(median(s.steadyRatios()), 4));
            out.append(",\"host_steal_after_warmup\":").append(number(median(s.steals()), 4));
            out.append(",\"steal_adjusted_steady_ratio_vs_c_mmsg\":")
                    .append(number(median(s.adjustedRatios()), 4));
            out.append(",\"cpu_model_ratio_vs_c_mmsg\":").append(number(median(s.cpuModelRatios()), 4));
            out.append(",\"round_steady_ratios\":");
            array(out, s.steadyRatios());
            out.append(",\"round_steal_adjusted_ratios\":");
            array(out, s.adjustedRatios());
            out.append(",\"round_cpu_model_ratios\":");
            array(out, s.cpuModelRatios());
            out.append('}');
        }
        return out.append("]}").toString();
    }

    private static void array(StringBuilder out, double[] values) {
        out.append('[');
        for (int k = 0; k < values.length; k++) {
            out.append(k == 0 ? "" : ",").append(number(values[k], 4));
        }
        out.append(']');
    }

    private static String wholePercent(double fraction) {
        return Double.isNaN(fraction) ? "-" : String.format(Locale.ROOT, "%.0f %%", fraction * 100);
    }

    private static String ratio(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.2f", value);
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
