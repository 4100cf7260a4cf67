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
