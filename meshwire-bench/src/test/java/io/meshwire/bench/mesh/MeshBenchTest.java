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
    void shouldNameTheOptionWhenConfigIsInvalid() {
        assertThatThrownBy(() -> new MeshBenchConfig(List.of(4), 1, List.of(), false, "127.0.0.1"))
                .hasMessageContaining("--size 4");
        assertThatThrownBy(() -> new MeshBenchConfig(List.of(64), 1, List.of(), false, "10.0.0.1"))
                .hasMessageContaining("--host 10.0.0.1").hasMessageContaining("loopback");
        assertThatThrownBy(() -> new MeshBenchConfig(List.of(64), 1, List.of("nope"), false, "127.0.0.1"))
                .hasMessageContaining("no event system called nope");
    }
}
