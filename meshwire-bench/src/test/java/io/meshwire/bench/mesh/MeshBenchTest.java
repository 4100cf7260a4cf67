package io.meshwire.bench.mesh;

import io.meshwire.testing.MiniJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Smoke tests of the event harness with real peer processes on loopback: that every peer runs and the report has
 * the promised shape, not how fast anything is.
 */
class MeshBenchTest {

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldPrintOneJsonObjectLastWhenRunWithJson() {
        MeshBenchConfig config = new MeshBenchConfig(List.of(64), 1, List.of(EventSystems.AERON), true, "127.0.0.1");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        List<EventResult> results = MeshBench.run(config, EventSystems.all(), out, System.err);

        String output = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(output);
        assertThat(results).extracting(EventResult::system).containsExactly(EventSystems.AERON);
        assertThat(results.getFirst().error()).isNull();
        assertThat(results.getFirst().received()).isPositive();
        assertThat(results.getFirst().p99Nanos()).isGreaterThanOrEqualTo(results.getFirst().p50Nanos());
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) MiniJson.parse(output.lines().toList().getLast());
        assertThat(json).containsOnlyKeys("size", "results").containsEntry("size", 64.0);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> entries = (List<Map<String, Object>>) json.get("results");
        assertThat(entries).singleElement().satisfies(entry -> {
            assertThat(entry).containsEntry("system", "aeron").containsEntry("events_vs_aeron", 1.0);
            assertThat((Double) entry.get("events_per_s")).isPositive();
            assertThat((Double) entry.get("p99_us")).isPositive();
        });
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRunMeshwireBesideAeronWhenSelected() {
        MeshBenchConfig config = new MeshBenchConfig(List.of(1200), 1, List.of(EventSystems.MESHWIRE), true,
                "127.0.0.1", 1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        List<EventResult> results = MeshBench.run(config, EventSystems.all(), out, System.err);

        String output = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(output);
        assertThat(output).contains("1 s warm-up + 1 s measured");
        assertThat(results).extracting(EventResult::system).containsExactly(EventSystems.AERON, EventSystems.MESHWIRE);
        EventResult meshwire = results.get(1);
        assertThat(meshwire.error()).isNull();
        assertThat(meshwire.received()).isPositive();
        // reliable: everything published after the warm-up arrives (the warm-up boundary may shift a few events)
        assertThat(meshwire.loss()).isLessThan(0.01);
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) MiniJson.parse(output.lines().toList().getLast());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> entries = (List<Map<String, Object>>) json.get("results");
        assertThat(entries).extracting(e -> e.get("system")).containsExactly("aeron", "meshwire");
        assertThat((Double) entries.get(1).get("events_vs_aeron")).isPositive();
    }

    @Test
    void shouldSkipWarmupEventsWhenCounting() {
        long t0 = 1_000_000_000L;
        EventStats stats = new EventStats(500_000_000L);
        stats.onEvent(64, t0, t0 + 1_000);
        stats.onEvent(64, t0 + 499_000_000L, t0 + 499_001_000L);
        assertThat(stats.count()).isZero();
        stats.onEvent(64, t0 + 500_000_000L, t0 + 500_002_000L);
        stats.onEvent(64, t0 + 600_000_000L, t0 + 600_002_000L);
        assertThat(stats.count()).isEqualTo(2);
        assertThat(stats.firstNanos()).isEqualTo(t0 + 500_002_000L);
        assertThat(stats.lastNanos()).isEqualTo(t0 + 600_002_000L);
        assertThat(stats.resultLine()).contains("received=2 bytes=128").contains("warmup_events=2")
                .contains("p50_ns=2000").contains("elapsed_ns=100000000");

        EventStats.Published cold = new EventStats.Published();
        cold.onPublished(64);
        assertThat(cold.resultLine()).startsWith("SENT sent=1 bytes=64 ").contains("warmup_events=0");
        EventStats.Published warm = new EventStats.Published(java.time.Duration.ofHours(1).toNanos());
        for (int i = 0; i < 1000; i++) {
            warm.onPublished(64);
        }
        assertThat(warm.resultLine()).startsWith("SENT sent=0 bytes=0 ").contains("warmup_events=1000");
    }

    @Test
    void shouldNameTheOptionWhenConfigIsInvalid() {
        assertThatThrownBy(() -> new MeshBenchConfig(List.of(4), 1, List.of(), false, "127.0.0.1"))
                .hasMessageContaining("--size 4");
        assertThatThrownBy(() -> new MeshBenchConfig(List.of(64), 1, List.of(), false, "10.0.0.1"))
                .hasMessageContaining("--host 10.0.0.1").hasMessageContaining("loopback");
        assertThatThrownBy(() -> new MeshBenchConfig(List.of(64), 1, List.of("nope"), false, "127.0.0.1"))
                .hasMessageContaining("no event system called nope");
        assertThatThrownBy(() -> new MeshBenchConfig(List.of(64), 1, List.of(), false, "127.0.0.1", -1))
                .hasMessageContaining("--warmup -1");
    }
}
