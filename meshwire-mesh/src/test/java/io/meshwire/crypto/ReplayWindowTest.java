package io.meshwire.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwire.wire.DropReason;
import org.junit.jupiter.api.Test;

class ReplayWindowTest {
    @Test
    void shouldAcceptEachCounterOnceWhenInOrder() {
        ReplayWindow w = new ReplayWindow();
        for (long c = 0; c < 5000; c++) {
            assertThat(w.tryAdmit(c)).isNull();
            assertThat(w.tryAdmit(c)).isEqualTo(DropReason.REPLAYED);
        }
    }

    @Test
    void shouldAcceptReorderedCountersWhenInsideWindow() {
        ReplayWindow w = new ReplayWindow();
        assertThat(w.tryAdmit(1000)).isNull();
        assertThat(w.tryAdmit(0)).isNull();
        assertThat(w.tryAdmit(999)).isNull();
        assertThat(w.tryAdmit(999)).isEqualTo(DropReason.REPLAYED);
        assertThat(w.tryAdmit(2000)).isNull();
        assertThat(w.tryAdmit(977)).as("1023 behind the highest").isNull();
        assertThat(w.tryAdmit(976)).as("1024 behind: outside the window").isEqualTo(DropReason.REPLAYED);
    }

    @Test
    void shouldRejectForwardJumpWhenMoreThan1024() {
        ReplayWindow w = new ReplayWindow();
        assertThat(w.tryAdmit(1025)).isEqualTo(DropReason.COUNTER_OUT_OF_RANGE);
        assertThat(w.tryAdmit(1024)).isNull();
        assertThat(w.tryAdmit(2049)).isEqualTo(DropReason.COUNTER_OUT_OF_RANGE);
        assertThat(w.tryAdmit(2048)).isNull();
        assertThat(w.highest()).isEqualTo(2048);
    }

    @Test
    void shouldAlwaysRejectWhenCounterIsU64Max() {
        ReplayWindow w = new ReplayWindow();
        assertThat(w.tryAdmit(-1L)).isEqualTo(DropReason.COUNTER_OUT_OF_RANGE);
        assertThat(w.check(-1L)).isEqualTo(DropReason.COUNTER_OUT_OF_RANGE);
    }

    @Test
    void shouldNotRecordWhenOnlyChecking() {
        ReplayWindow w = new ReplayWindow();
        assertThat(w.check(5)).isNull();
        assertThat(w.check(5)).isNull();
        assertThat(w.tryAdmit(5)).isNull();
        assertThat(w.check(5)).isEqualTo(DropReason.REPLAYED);
    }

    @Test
    void shouldForgetOldBitsWhenWindowSlidesFar() {
        ReplayWindow w = new ReplayWindow();
        assertThat(w.tryAdmit(3)).isNull();
        assertThat(w.tryAdmit(1027)).isNull();
        assertThat(w.tryAdmit(2051)).isNull();
        assertThat(w.tryAdmit(1027 + 1024 - 1)).isNull();
        assertThat(w.tryAdmit(2051 - 1023)).as("same ring slot as 3 and 1027+1").isNull();
    }
}
