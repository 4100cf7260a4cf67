package io.meshwire.bench.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The three-node demo, shortened: every reliable event arrives in order through injected loss. */
class MeshDemoTest {

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldDeliverEveryReliableEventInOrderWhenTenPercentIsDropped() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        MeshDemoConfig config = new MeshDemoConfig(1, 64, 10, 7, 0, MeshDemoConfig.DEFAULT_WINDOW_BYTES);

        MeshDemo.Result result = new MeshDemo(config, new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();

        System.out.print(bytes.toString(StandardCharsets.UTF_8));
        assertThat(result.failure()).isNull();
        assertThat(result.ok()).isTrue();
        assertThat(result.streams()).hasSize(6);
        for (MeshDemo.StreamResult s : result.streams()) {
            assertThat(s.received()).as(s.from() + " -> " + s.to()).isPositive();
            assertThat(s.outOfOrder()).isZero();
            if (s.reliable()) {
                assertThat(s.received()).isEqualTo(s.sent());
                assertThat(s.retransmits()).isPositive(); // 10 % loss: recovered, not absent
            } else {
                assertThat(s.gaps()).isPositive();
                assertThat(s.lost()).isPositive();
            }
        }
        assertThat(result.nodes()).allSatisfy(n -> assertThat(n.drops()).containsKey(io.meshwire.wire.DropReason.INJECTED_LOSS));
    }

    @Test
    void shouldNameTheOptionWhenConfigIsInvalid() {
        assertThatThrownBy(() -> new MeshDemoConfig(0.1, 64, 2, 1, 0, 65536)).hasMessageContaining("--seconds 0.1");
        assertThatThrownBy(() -> new MeshDemoConfig(1, 9000, 2, 1, 0, 65536)).hasMessageContaining("--size 9000");
        assertThatThrownBy(() -> new MeshDemoConfig(1, 64, 60, 1, 0, 65536)).hasMessageContaining("--loss 60");
        assertThatThrownBy(() -> new MeshDemoConfig(1, 64, 2, 1, 0, 1024)).hasMessageContaining("--window 1024");
    }
}
