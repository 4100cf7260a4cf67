package io.meshwire.epics;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * The default suite's fuzzing run: every EPICS fuzz target behind one {@code @FuzzTest}, chosen by the first input
 * byte, so all share one JVM and one Jazzer start-up (Jazzer fuzzes one test per JVM). Each target also has its own
 * {@code @FuzzTest} class for long runs (meshwire-epics/README.md).
 */
class EpicsCodecsFuzzTest {
    @FuzzTest(maxDuration = "15s")
    void shouldSurviveArbitraryInputWhenFuzzingEveryEpicsParser(byte[] data) {
        if (data.length == 0) {
            return;
        }
        byte[] input = Arrays.copyOfRange(data, 1, data.length);
        switch (Math.floorMod(data[0], 3)) {
            case 0 -> CaDatagramFuzzTest.fuzzerTestOneInput(input);
            case 1 -> PvaDatagramFuzzTest.fuzzerTestOneInput(input);
            default -> NameDirectoryFuzzTest.fuzzerTestOneInput(input);
        }
    }
}
