package io.meshwire.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/** Coverage-guided fuzzing of the event frame reader: never throws; accepted payloads are exactly their frames. */
public class EventFrameReaderFuzzTest {
    private static final EventFrameReader READER = new EventFrameReader(new DropCounters());

    @FuzzTest(maxDuration = "6s")
    void shouldNeverThrowAndOnlyAcceptWholeFramesWhenReadingArbitraryPayloads(byte[] data) {
        fuzzerTestOneInput(data);
    }

    /** Entry point for Jazzer's standalone driver as well: 2 bytes of event_count, then the payload. */
    public static void fuzzerTestOneInput(byte[] data) {
        if (data.length < 2) {
            return;
        }
        int eventCount = (data[0] & 0xFF) | (data[1] & 0xFF) << 8;
        ByteBuffer buffer = ByteBuffer.wrap(data);
        int length = data.length - 2;
        if (!READER.validate(buffer, 2, length, eventCount)) {
            NetPacketParserFuzzTest.check(!READER.next(), "a rejected payload yields no events");
            return;
        }
        int events = 0;
        int bytes = 0;
        while (READER.next()) {
            NetPacketParserFuzzTest.check(READER.eventOffset() + READER.eventLength() <= data.length, "event in bounds");
            events++;
            bytes += 4 + READER.eventLength();
        }
        NetPacketParserFuzzTest.check(events == eventCount, "every frame read");
        NetPacketParserFuzzTest.check(bytes == length, "frames fill the payload exactly");
    }
}
