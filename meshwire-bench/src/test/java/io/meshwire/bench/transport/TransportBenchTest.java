package io.meshwire.bench.transport;

import io.meshwire.testing.MiniJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Smoke tests of the end-to-end harness: real peer processes on loopback, about a second each. They check that the
 * harness runs every peer and reports in the promised shape, not how fast anything is.
 */
class TransportBenchTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldReceiveFromEveryPeerWhenRunForOneSecondAt64Bytes() {
        BenchConfig config = BenchConfig.builder().sizes(List.of(64)).seconds(1).json(true).build();

        Run run = run(config);

        assertThat(run.results()).extracting(BenchResult::system)
                .containsExactly(CBaselineSystem.MMSG, JdkNioSystem.NAME, NettyEpollSystem.NAME, "meshwire-native",
                        "meshwire-thread", "meshwire-moderated", "meshwire-nio");
        assertThat(run.results()).allSatisfy(r -> {
            assertThat(r.error()).as(r.system()).isNull();
            assertThat(r.received()).as(r.system() + " received").isPositive();
            assertThat(r.sent()).as(r.system() + " sent").isPositive();
        });
        Map<String, Object> json = lastLineAsJson(run.output());
        assertThat(json).containsEntry("size", 64.0).containsEntry("mode", "pair");
        List<Map<String, Object>> results = results(json);
        assertThat(results).extracting(r -> r.get("system"))
                .containsExactly("c-mmsg", "jdk-nio", "netty-epoll", "meshwire-native", "meshwire-thread",
                        "meshwire-moderated", "meshwire-nio");
        assertThat(results).allSatisfy(r -> {
            assertThat(r.get("dgrams_per_s")).isInstanceOf(Double.class);
            assertThat((Double) r.get("dgrams_per_s")).isPositive();
            assertThat(r.get("loss")).isInstanceOf(Double.class);
            assertThat((Double) r.get("loss")).isLessThan(1.0);
        });
        assertThat(results.getFirst()).containsEntry("ratio_vs_c_mmsg", 1.0);
        assertThat(run.output()).contains("system", "dgrams/s", "Gbit/s", "loss", "pkts/syscall", "vs c-mmsg");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldCountGroSegmentsNotBuffersWhenGsoBaselineRunsAt1200Bytes() {
        BenchConfig config = BenchConfig.builder().sizes(List.of(1200)).seconds(1).json(true)
                .systems(List.of(CBaselineSystem.GSO_GRO)).build();

        Run run = run(config);

        BenchResult gso = run.results().stream().filter(r -> r.system().equals(CBaselineSystem.GSO_GRO))
                .findFirst().orElseThrow();
        assertThat(gso.error()).isNull();
        assertThat(gso.received()).isPositive();
        // GRO hands back trains of segments: more datagrams than receive calls proves the cmsg split counts them.
        assertThat(gso.packetsPerSyscall()).isGreaterThan(1.0);
        assertThat(results(lastLineAsJson(run.output()))).extracting(r -> r.get("system"))
                .containsExactly("c-mmsg", "c-gso-gro");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldFloodOneReceiverWithSeveralSendersWhenInCapacityMode() {
        BenchConfig config = BenchConfig.builder().sizes(List.of(64)).seconds(1).json(true).capacitySenders(2)
                .systems(List.of(CBaselineSystem.MMSG)).build();

        Run run = run(config);

        assertThat(run.results()).singleElement().satisfies(r -> {
            assertThat(r.error()).isNull();
            assertThat(r.senders()).isEqualTo(2);
            assertThat(r.received()).isPositive();
        });
        Map<String, Object> json = lastLineAsJson(run.output());
        assertThat(json).containsEntry("mode", "capacity");
        assertThat(results(json).getFirst()).containsEntry("senders", 2.0);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldReportPinnedPairsWhenRunWithPin() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() >= 2,
                "--pin needs two CPUs, this machine has " + Runtime.getRuntime().availableProcessors());
        BenchConfig config = TransportBench.parse(new String[] {"--size", "64", "--seconds", "1", "--json", "--pin",
                "--systems", "meshwire-native"});

        Run run = run(config);

        assertThat(run.results()).extracting(BenchResult::system).containsExactly(CBaselineSystem.MMSG,
                "meshwire-native");
        assertThat(run.results()).allSatisfy(r -> {
            assertThat(r.error()).as(r.system()).isNull();
            assertThat(r.received()).as(r.system() + " received").isPositive();
        });
        assertThat(run.output()).contains("pinned with taskset: receiver on CPU", "pinned sender -> receiver pairs");
        assertThat(lastLineAsJson(run.output())).containsEntry("mode", "pinned-pair");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldCompileTheCBaselineWithoutWarningsWhenGccIsPresent() {
        assertThat(CBaseline.compilerOutput()).isEmpty();
    }

    private record Run(List<BenchResult> results, String output) {
    }

    private static Run run(BenchConfig config) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        List<BenchResult> results = TransportBench.run(config, TransportSystems.all(), out, System.err);
        String output = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(output);
        return new Run(results, output);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> lastLineAsJson(String output) {
        List<String> lines = output.lines().toList();
        return (Map<String, Object>) MiniJson.parse(lines.getLast());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> results(Map<String, Object> json) {
        assertThat(json).containsOnlyKeys("size", "mode", "seconds", "warmup_s", "results");
        return (List<Map<String, Object>>) json.get("results");
    }
}
