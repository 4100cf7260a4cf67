package io.meshwire.bench.transport;

import io.meshwire.testing.MiniJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pieces of the harness that need no sockets: line protocol, histogram buckets, options, JSON. */
class HarnessPartsTest {

    @Test
    void shouldParseFieldsWhenGivenAResultLine() {
        PeerLine line = PeerLine.parse("RESULT received=10 bytes=640 elapsed_ns=5 syscalls=3 hist=1,1,0,0,0,0,1");

        assertThat(line.is("RESULT")).isTrue();
        assertThat(line.number("received")).isEqualTo(10);
        assertThat(line.number("missing", -1)).isEqualTo(-1);
        assertThat(line.histogram("hist")).containsExactly(1, 1, 0, 0, 0, 0, 1);
        assertThat(line.histogram("absent")).isNull();
    }

    @Test
    void shouldRejectTheLineWhenARequiredFieldIsMissing() {
        PeerLine line = PeerLine.parse("SENT bytes=1");

        assertThatThrownBy(() -> line.number("sent")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sent=");
    }

    @Test
    void shouldBucketBatchesByPowerOfTwoWhenCountingReceiveCalls() {
        assertThat(List.of(1, 2, 3, 4, 7, 8, 16, 31, 32, 63, 64, 1000).stream().map(ReceiveStats::bucket))
                .containsExactly(0, 1, 1, 2, 2, 3, 4, 4, 5, 5, 6, 6);
    }

    @Test
    void shouldReportCallsAndHistogramWhenBatchesWereRecorded() {
        ReceiveStats stats = new ReceiveStats();
        stats.onBatch(1, 64);
        stats.onBatch(64, 64 * 64);

        PeerLine line = PeerLine.parse(stats.resultLine());

        assertThat(line.number("received")).isEqualTo(65);
        assertThat(line.number("syscalls")).isEqualTo(2);
        assertThat(line.histogram("hist")).containsExactly(1, 0, 0, 0, 0, 0, 1);
    }

    @Test
    void shouldOmitCallsWhenTheReceiverCannotObserveThem() {
        ReceiveStats stats = new ReceiveStats();
        stats.onReceive(3, 192);

        PeerLine line = PeerLine.parse(stats.resultLine());

        assertThat(line.number("received")).isEqualTo(3);
        assertThat(line.number("syscalls", -1)).isEqualTo(-1);
    }

    @Test
    void shouldReadEveryOptionWhenParsingTheCommandLine() {
        BenchConfig config = TransportBench.parse(new String[] {"--size", "64,1200", "--seconds=3", "--systems",
                "jdk-nio", "--capacity=3", "--json", "--grace-ms", "500", "--warmup", "2", "--rounds", "5"});

        assertThat(config.sizes()).containsExactly(64, 1200);
        assertThat(config.seconds()).isEqualTo(3);
        assertThat(config.systems()).containsExactly("jdk-nio");
        assertThat(config.capacitySenders()).isEqualTo(3);
        assertThat(config.json()).isTrue();
        assertThat(config.graceMillis()).isEqualTo(500);
        assertThat(config.warmupSeconds()).isEqualTo(2);
        assertThat(config.rounds()).isEqualTo(5);
        assertThat(TransportBench.parse(new String[0]).warmupSeconds()).isEqualTo(1);
        assertThat(TransportBench.parse(new String[0]).rounds()).isEqualTo(1);
        assertThat(TransportBench.parse(new String[] {"--capacity"}).capacitySenders())
                .isEqualTo(BenchConfig.defaultCapacitySenders());
    }

    @Test
    void shouldLeaveTheWarmupSecondsOutWhenComputingTheSteadyRate() {
        java.io.PrintStream sink = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
        ProgressPrinter afterTwo = new ProgressPrinter(sink, "x", 64, "dgrams/s", 2);
        ProgressPrinter fromStart = new ProgressPrinter(sink, "x", 64, "dgrams/s", 0);
        long[] cumulative = {100, 1_100, 3_100, 6_100};
        for (int t = 1; t <= cumulative.length; t++) {
            PeerLine line = PeerLine.parse("PROGRESS t=" + t + " received=" + cumulative[t - 1]);
            afterTwo.onLine(line);
            fromStart.onLine(line);
            if (t == 2) {
                assertThat(afterTwo.steadyRate()).as("no full second after the warm-up yet").isNaN();
            }
        }
        assertThat(afterTwo.steadyRate()).isEqualTo((6_100 - 1_100) / 2.0);
        assertThat(fromStart.steadyRate()).isEqualTo(6_100 / 4.0);
        assertThatThrownBy(() -> TransportBench.parse(new String[] {"--warmup", "-1"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--warmup -1");
    }

    @Test
    void shouldRefuseTheRunWhenTheHostIsNotLoopback() {
        assertThatThrownBy(() -> TransportBench.parse(new String[] {"--host", "10.0.0.1"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loopback");
    }

    @Test
    void shouldRefuseTheRunWhenASystemIsUnknown() {
        assertThatThrownBy(() -> TransportBench.parse(new String[] {"--systems", "nope"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("c-mmsg");
    }

    @Test
    void shouldRefuseTheRunWhenRoundsAreOutOfRange() {
        assertThatThrownBy(() -> TransportBench.parse(new String[] {"--rounds", "0"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--rounds 0 is outside 1..100");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldTakeTheMedianOfPerRoundRatiosWhenSeveralRoundsRan() {
        // three rounds: C at 1000/s every time, meshwire at 900, 2000 (an outlier window) and 1100 dgrams/s;
        // steady rates the same as the whole-run rates
        List<List<BenchResult>> rounds = List.of(
                List.of(result("c-mmsg", 1000), result("meshwire-native", 900)),
                List.of(result("meshwire-native", 2000), result("c-mmsg", 1000)),
                List.of(result("c-mmsg", 1000), result("meshwire-native", 1100),
                        BenchResult.failed("jdk-nio", 64, 1, "boom")));

        Map<String, Object> json = (Map<String, Object>) MiniJson.parse(
                ResultFormat.roundsJson(64, "capacity", 10, 3, rounds));
        String table = ResultFormat.roundsTable(64, "capacity", rounds);

        assertThat(json).containsEntry("rounds", 3.0).containsEntry("mode", "capacity");
        List<Map<String, Object>> results = (List<Map<String, Object>>) json.get("results");
        assertThat(results).extracting(r -> r.get("system")).containsExactly("c-mmsg", "meshwire-native", "jdk-nio");
        assertThat(results.get(1)).containsEntry("ratio_vs_c_mmsg", 1.1).containsEntry("steady_ratio_vs_c_mmsg", 1.1)
                .containsEntry("dgrams_per_s", 1100.0).containsEntry("rounds_ok", 3.0)
                .containsEntry("round_steady_ratios", List.of(0.9, 2.0, 1.1));
        assertThat(results.get(2)).containsEntry("rounds_ok", 0.0).containsEntry("ratio_vs_c_mmsg", null);
        assertThat(table).contains("medians over 3 rounds")
                .containsPattern("meshwire-native +64 B +3 +1\\.1 k +1\\.10 +1\\.10 +0 % +1\\.10 ");
        assertThat(ResultFormat.median(new double[] {3, Double.NaN, 1, 2, 10})).isEqualTo(2.5);
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldDivideEachRateByTheCpuLeftWhenTheHostStoleSome() {
        // round 1: the host took 20 % while meshwire ran; round 2: half the machine while C ran
        List<List<BenchResult>> rounds = List.of(
                List.of(result("c-mmsg", 1000, 0.0), result("meshwire-native", 800, 0.2)),
                List.of(result("meshwire-native", 1000, 0.0), result("c-mmsg", 500, 0.5)));

        Map<String, Object> json = (Map<String, Object>) MiniJson.parse(
                ResultFormat.roundsJson(64, "capacity", 10, 3, rounds));

        Map<String, Object> meshwire = ((List<Map<String, Object>>) json.get("results")).get(1);
        assertThat(meshwire).containsEntry("round_steady_ratios", List.of(0.8, 2.0))
                .containsEntry("round_steal_adjusted_ratios", List.of(1.0, 1.0))
                .containsEntry("steal_adjusted_steady_ratio_vs_c_mmsg", 1.0)
                .containsEntry("host_steal_after_warmup", 0.1);
        assertThat(ResultFormat.roundsTable(64, "capacity", rounds)).contains("0.80/1.00/-  2.00/1.00/-");
        assertThat(result("x", 1000, Double.NaN).stealAdjustedSteadyRate()).isNaN();
    }

    @Test
    void shouldReadTheStolenShareWhenParsingProcStat() {
        HostSteal.Sample before = HostSteal.parse("cpu  100 0 50 800 10 0 20 20 5 0");
        HostSteal.Sample after = HostSteal.parse("cpu  200 0 100 1500 10 0 40 150 9 0");

        assertThat(before).isEqualTo(new HostSteal.Sample(20, 1000));
        assertThat(after).isEqualTo(new HostSteal.Sample(150, 2000));
        assertThat(HostSteal.fraction(before, after)).isEqualTo(0.13);
        assertThat(HostSteal.fraction(after, after)).as("no time passed").isNaN();
        assertThat(HostSteal.fraction(null, after)).isNaN();
        assertThat(HostSteal.parse("cpu0 1 2 3 4 5 6 7 8")).as("a per-CPU line").isNull();
        assertThat(HostSteal.parse("cpu  1 2 3")).as("too few fields").isNull();
        assertThat(HostSteal.parse(null)).isNull();
    }

    @Test
    void shouldSampleTheRealCounterWhenOnLinux() {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/stat")),
                "no /proc/stat: not Linux");
        HostSteal.Sample sample = HostSteal.sample();

        assertThat(sample).isNotNull();
        assertThat(sample.steal()).isBetween(0L, sample.total());
    }

    /** {@code perSecond} datagrams in one second, steady at the same rate. */
    private static BenchResult result(String system, long perSecond) {
        return result(system, perSecond, 0.0);
    }

    /** As above, with {@code steal} of the machine taken by the host during the steady seconds. */
    private static BenchResult result(String system, long perSecond, double steal) {
        return result(system, perSecond, steal, Double.NaN);
    }

    /** As above, with the receiver's CPU time over its senders' ({@code cpuShare}) in the steady seconds. */
    private static BenchResult result(String system, long perSecond, double steal, double cpuShare) {
        return new BenchResult(system, 64, 2, perSecond, perSecond, 1_000_000_000L, 10, null, perSecond, steal,
                1_000_000, -1, cpuShare, null);
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldCompareTheReceiversCpuSharesWhenTheMachineSlowedBetweenTheirWindows() {
        // round 1: the machine ran meshwire's window 25 % slower, but its receiver needed the same CPU per sender
        // CPU as C's; round 2: the same machine, and meshwire's receiver needed 0.5 s of CPU per 1 s of its senders'
        // where C's needed 0.4 s
        List<List<BenchResult>> rounds = List.of(
                List.of(result("c-mmsg", 1000, 0.0, 0.4), result("meshwire-native", 750, 0.0, 0.4)),
                List.of(result("meshwire-native", 1000, 0.0, 0.5), result("c-mmsg", 1070, 0.0, 0.4)));

        Map<String, Object> json = (Map<String, Object>) MiniJson.parse(
                ResultFormat.roundsJson(64, "capacity", 10, 3, rounds));
        Map<String, Object> pairJson = (Map<String, Object>) MiniJson.parse(
                ResultFormat.roundsJson(64, "pinned-pair", 10, 3, rounds));

        Map<String, Object> meshwire = ((List<Map<String, Object>>) json.get("results")).get(1);
        assertThat(meshwire).containsEntry("round_steady_ratios", List.of(0.75, 0.9346))
                .containsEntry("round_cpu_model_ratios", List.of(1.0, 0.9333))
                .containsEntry("cpu_model_ratio_vs_c_mmsg", 0.9667);
        assertThat(ResultFormat.roundsTable(64, "capacity", rounds)).contains("0.75/0.75/1.00  0.93/0.93/0.93")
                .contains("cpu vs c: ");
        assertThat(((List<Map<String, Object>>) pairJson.get("results")).get(1))
                .as("pairs do not share their CPUs: the model does not hold there")
                .containsEntry("cpu_model_ratio_vs_c_mmsg", null);
        assertThat(ResultFormat.roundsTable(64, "pinned-pair", rounds)).doesNotContain("cpu vs c: ");
    }

    @Test
    void shouldMeasureTheCpuSharesOverTheSteadySecondsWhenWatchingTheProcesses() {
        java.io.PrintStream sink = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
        ProgressPrinter afterTwo = new ProgressPrinter(sink, "x", 64, "dgrams/s", 2);
        ProgressPrinter unwatched = new ProgressPrinter(sink, "x", 64, "dgrams/s", 2);
        // the receiver burns 900 ms of CPU in its first (JIT) second, then 300 ms a second; its senders 1 s each
        long[] now = {0};
        // at t=6 one sender has exited: its CPU time is unknown, and the window ends at t=5
        afterTwo.watchCpu(() -> now[0] == 1 ? 900_000_000L : 900_000_000L + (now[0] - 1) * 300_000_000L,
                () -> now[0] == 6 ? -1 : now[0] * 1_000_000_000L);
        for (int t = 1; t <= 6; t++) {
            now[0] = t;
            PeerLine line = PeerLine.parse("PROGRESS t=" + t + " received=" + t * 1000);
            afterTwo.onLine(line);
            unwatched.onLine(line);
            if (t == 2) {
                assertThat(afterTwo.steadyCpuShare()).as("no steady second yet").isNaN();
            }
        }
        assertThat(afterTwo.steadyCpuShare()).isCloseTo(0.3, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(unwatched.steadyCpuShare()).isNaN();
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldWriteParsableJsonWhenAResultFailedWithAnAwkwardMessage() {
        BenchResult ok = new BenchResult("c-mmsg", 64, 1, 1000, 900, 1_000_000_000L, 300,
                new long[] {1, 2, 3, 4, 5, 6, 7}, Double.NaN, Double.NaN, 9_000, 2_000, 0.25, null);
        BenchResult failed = BenchResult.failed("jdk-nio", 64, 1, "boom \"quoted\"\n\\ \u0001");

        Map<String, Object> json = (Map<String, Object>) MiniJson.parse(
                ResultFormat.json(64, "pair", 1, 1, List.of(ok, failed)));

        List<Map<String, Object>> results = (List<Map<String, Object>>) json.get("results");
        assertThat(results.get(0)).containsEntry("dgrams_per_s", 900.0).containsEntry("loss", 0.1)
                .containsEntry("pkts_per_syscall", 3.0).containsEntry("dgrams_per_s_after_warmup", null)
                .containsEntry("rx_cpu_ns_per_dgram", 10.0).containsEntry("tx_cpu_ns_per_dgram", 2.0)
                .containsEntry("steady_rx_tx_cpu", 0.25);
        assertThat(results.get(1)).containsEntry("error", "boom \"quoted\"\n\\ \u0001")
                .containsEntry("loss", null).containsEntry("ratio_vs_c_mmsg", null);
    }

    @Test
    void shouldTrimTrailingZerosWhenFormattingJsonNumbers() {
        assertThat(ResultFormat.number(10.0, 3)).isEqualTo("10");
        assertThat(ResultFormat.number(100.5, 3)).isEqualTo("100.5");
        assertThat(ResultFormat.number(-0.0000001, 3)).isEqualTo("0");
        assertThat(ResultFormat.number(Double.NaN, 3)).isEqualTo("null");
    }
}
