package io.meshwire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.meshwire.crypto.AeadOpenFuzzTest;
import io.meshwire.crypto.NoiseMessageFuzzTest;
import io.meshwire.crypto.PacketOpenFuzzTest;
import io.meshwire.wire.EventFrameReaderFuzzTest;
import io.meshwire.wire.NetPacketParserFuzzTest;
import io.meshwire.wire.RoutingHeaderFuzzTest;
import java.util.Arrays;

/**
 * The default suite's fuzzing run: every parser's fuzz target behind one {@code @FuzzTest}, chosen by the first
 * input byte, so all of them share one JVM and one Jazzer start-up (Jazzer fuzzes one test per JVM). Each target
 * also has its own {@code @FuzzTest} class for long runs (meshwire-mesh/README.md).
 */
class ParsersFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void shouldSurviveArbitraryInputWhenFuzzingEveryParser(byte[] data) {
        if (data.length == 0) {
            return;
        }
        byte[] input = Arrays.copyOfRange(data, 1, data.length);
        switch (Math.floorMod(data[0], 6)) {
            case 0 -> NetPacketParserFuzzTest.fuzzerTestOneInput(input);
            case 1 -> EventFrameReaderFuzzTest.fuzzerTestOneInput(input);
            case 2 -> RoutingHeaderFuzzTest.fuzzerTestOneInput(input);
            case 3 -> PacketOpenFuzzTest.fuzzerTestOneInput(input);
            case 4 -> AeadOpenFuzzTest.fuzzerTestOneInput(input);
            default -> NoiseMessageFuzzTest.fuzzerTestOneInput(input);
        }
    }
}
