package io.meshwire.transport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The receive-mode and idle-strategy settings of {@link EndpointConfig}: defaults, validation, round trip. */
class EndpointConfigTest {

    @Test
    void shouldReceiveInlineAndBlockWhenNothingIsSet() {
        EndpointConfig c = EndpointConfig.builder().build();
        assertThat(c.receiveMode()).isEqualTo(EndpointConfig.ReceiveMode.INLINE);
        assertThat(c.idleStrategy()).isEqualTo(EndpointConfig.IdleStrategy.BLOCK);
    }

    @Test
    void shouldKeepModeAndIdleStrategyWhenCopiedThroughToBuilder() {
        EndpointConfig.IdleStrategy idle = new EndpointConfig.IdleStrategy(5_000, 7_000);
        EndpointConfig c = EndpointConfig.builder().receiveMode(EndpointConfig.ReceiveMode.DEDICATED_THREAD)
                .idleStrategy(idle).build();
        EndpointConfig copy = c.toBuilder().build();
        assertThat(copy).isEqualTo(c);
        assertThat(copy.receiveMode()).isEqualTo(EndpointConfig.ReceiveMode.DEDICATED_THREAD);
        assertThat(copy.idleStrategy()).isEqualTo(idle);
    }

    @Test
    void shouldRejectNegativeDurationsWhenBuildingAnIdleStrategy() {
        assertThatThrownBy(() -> new EndpointConfig.IdleStrategy(-1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spinNanos");
        assertThatThrownBy(() -> new EndpointConfig.IdleStrategy(0, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("yieldNanos");
        assertThatThrownBy(() -> new EndpointConfig.IdleStrategy(0, 0, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parkNanos");
        assertThatThrownBy(() -> EndpointConfig.IdleStrategy.moderated(java.time.Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window must be positive");
        assertThatThrownBy(() -> EndpointConfig.IdleStrategy.moderated(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("window");
    }

    @Test
    void shouldSleepOnATimerAfterSpinAndYieldWhenModerated() {
        EndpointConfig.IdleStrategy idle = new EndpointConfig.IdleStrategy(1_000, 2_000, 300_000);
        assertThat(idle.blockAfterNanos()).isEqualTo(303_000);
        assertThat(EndpointConfig.IdleStrategy.moderated(java.time.Duration.ofMillis(1)))
                .isEqualTo(new EndpointConfig.IdleStrategy(0, 0, 1_000_000));

        assertThat(idle.idleStep(0, Long.MAX_VALUE)).as("spin phase").isTrue();
        assertThat(idle.idleStep(1_500, Long.MAX_VALUE)).as("yield phase").isTrue();
        long start = System.nanoTime();
        assertThat(idle.idleStep(3_000, Long.MAX_VALUE)).as("timer phase").isTrue();
        long slept = System.nanoTime() - start;
        assertThat(idle.idleStep(302_999, 1)).as("last nanosecond of the timer phase").isTrue();
        assertThat(idle.idleStep(303_000, Long.MAX_VALUE)).as("time to block").isFalse();
        assertThat(EndpointConfig.IdleStrategy.BLOCK.idleStep(0, Long.MAX_VALUE)).isFalse();
        // one timer step sleeps (parkNanos may return early, never much later than the step plus timer slack)
        assertThat(slept).isLessThan(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(500));
    }

    @Test
    void shouldRejectMissingModeWhenBuilding() {
        assertThatThrownBy(() -> EndpointConfig.builder().receiveMode(null).build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("receiveMode");
        assertThatThrownBy(() -> EndpointConfig.builder().idleStrategy(null).build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("idleStrategy");
    }

    @Test
    void shouldBlockAfterSpinAndYieldWhenTheSumOverflows() {
        assertThat(EndpointConfig.IdleStrategy.busySpin().blockAfterNanos()).isEqualTo(Long.MAX_VALUE);
        assertThat(new EndpointConfig.IdleStrategy(Long.MAX_VALUE, Long.MAX_VALUE).blockAfterNanos())
                .isEqualTo(Long.MAX_VALUE);
        assertThat(EndpointConfig.IdleStrategy.BLOCK.blockAfterNanos()).isZero();
    }
}
