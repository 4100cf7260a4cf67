package io.meshwire.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import net.openhft.hashing.LongHashFunction;
import org.junit.jupiter.api.Test;

class Xxh3Test {
    @Test
    void shouldMatchAnIndependentXxh3WhenHashingEveryLengthPath() {
        LongHashFunction reference = LongHashFunction.xx3();
        SplittableRandom random = new SplittableRandom(42);
        for (int length = 0; length <= 2100; length++) {
            byte[] input = new byte[length + 3];
            random.nextBytes(input);
            assertThat(Xxh3.hash64(input, 3, length)).as("length %d", length)
                    .isEqualTo(reference.hashBytes(input, 3, length));
        }
    }

    @Test
    void shouldKnowTheEmptyInputValueWhenHashingNothing() {
        // XXH3_64bits("", 0) from the xxHash reference
        assertThat(Xxh3.hash64(new byte[0])).isEqualTo(0x2D06800538D394C2L);
    }

    @Test
    void shouldDeriveWireHashAndStreamIdWhenNamingAChannel() {
        ChannelName name = new ChannelName("sensors/lidar/front");
        long full = LongHashFunction.xx3().hashBytes("sensors/lidar/front".getBytes(StandardCharsets.US_ASCII));
        assertThat(name.hash()).isEqualTo(full);
        assertThat(name.wireHash()).isEqualTo((int) (full & 0xFFFF));
        assertThat(name.publishStreamId()).isEqualTo(0x0001_0000_0000_0000L | (full & 0xFFFF));
    }
}
