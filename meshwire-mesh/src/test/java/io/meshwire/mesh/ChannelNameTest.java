package io.meshwire.mesh;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ChannelNameTest {
    @Test
    void shouldAcceptNetMeshNamesWhenWellFormed() {
        for (String ok : new String[] {"sensors", "sensors/lidar/front", "control.v2", "my-channel_1"}) {
            assertThatCode(() -> new ChannelName(ok)).doesNotThrowAnyException();
        }
    }

    @Test
    void shouldRejectNameWhenItBreaksARule() {
        for (String bad : new String[] {"", "/leading", "trailing/", "double//slash", "has space", "has@symbol",
                "Upper", "a/../b", "a/./b", "x".repeat(256)}) {
            assertThatThrownBy(() -> new ChannelName(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
