package io.meshwire.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/** Coverage-guided fuzzing of the routed-packet parser and the relay rewrite, then the inner header parser. */
public class RoutingHeaderFuzzTest {
    private static final DropCounters DROPS = new DropCounters();
    private static final RoutingHeaderFlyweight ROUTING = new RoutingHeaderFlyweight();
    private static final NetPacketParser INNER = new NetPacketParser(DROPS);

    @FuzzTest(maxDuration = "6s")
    void shouldNeverThrowWhenParsingAndForwardingArbitraryRoutedPackets(byte[] data) {
        fuzzerTestOneInput(data);
    }

    /** Entry point for Jazzer's standalone driver as well. An odd first byte forces the routing magic. */
    public static void fuzzerTestOneInput(byte[] data) {
        ByteBuffer buffer = ByteBuffer.wrap(data);
        if (data.length >= 2 && (data[0] & 1) != 0) {
            data[0] = 0x52;
            data[1] = 0x54;
        }
        if (!ROUTING.parse(buffer, 0, data.length, DROPS)) {
            return;
        }
        NetPacketParserFuzzTest.check(ROUTING.magic() == RoutingHeaderFlyweight.ROUTING_MAGIC, "magic checked");
        NetPacketParserFuzzTest.check((ROUTING.flags() & ~RoutingHeaderFlyweight.FLAGS_MASK) == 0, "flags masked");
        int ttl = ROUTING.ttl();
        int hops = ROUTING.hopCount();
        boolean forwarded = ROUTING.forward();
        NetPacketParserFuzzTest.check(forwarded == (ttl > 0), "forward only while ttl remains");
        if (forwarded) {
            NetPacketParserFuzzTest.check(ROUTING.ttl() == ttl - 1 && ROUTING.hopCount() == Math.min(255, hops + 1),
                    "ttl-1, hop_count+1 saturating");
        }
        INNER.parse(buffer, ROUTING.innerPacketOffset(), data.length - RoutingHeaderFlyweight.ROUTING_HEADER_LENGTH);
    }
}
