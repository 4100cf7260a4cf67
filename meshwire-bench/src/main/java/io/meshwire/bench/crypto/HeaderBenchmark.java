package io.meshwire.bench.crypto;

import io.meshwire.crypto.NetAad;
import io.meshwire.wire.NetHeaderFlyweight;
import io.meshwire.wire.PacketFlags;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/** The 68-byte net-mesh header: encode every field, decode every field and validate, and build the 56-byte AAD. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@State(Scope.Thread)
public class HeaderBenchmark {
    private final ByteBuffer buffer = ByteBuffer.allocate(8192);
    private final NetHeaderFlyweight header = new NetHeaderFlyweight();
    private final byte[] aad = new byte[NetAad.AAD_LENGTH];
    private long sequence;

    @Setup
    public void setUp() {
        header.wrap(buffer, 0).initialize().flags(PacketFlags.RELIABLE).sessionId(0x1234567890ABCDEFL)
                .streamId(7).sequence(1).originHash(0xDEADBEEFL).payloadLength(1024).eventCount(10);
    }

    @Benchmark
    public NetHeaderFlyweight encode() {
        return header.wrap(buffer, 0).magic(NetHeaderFlyweight.MAGIC).version(NetHeaderFlyweight.VERSION)
                .flags(PacketFlags.RELIABLE).priority(0).hopTtl(0).hopCount(0).fragFlags(0)
                .subprotocolId(0).channelHash(0xABCD).noncePrefix(0x42424242).nonceCounter(sequence)
                .sessionId(0x1234567890ABCDEFL).streamId(7).sequence(sequence++).originHash(0xDEADBEEFL)
                .subnetId(0).fragmentId(0).fragmentOffset(0).payloadLength(1024).eventCount(10);
    }

    @Benchmark
    public void decode(Blackhole bh) {
        NetHeaderFlyweight h = header.wrap(buffer, 0);
        bh.consume(h.validate());
        bh.consume(h.magic() + h.version() + h.flags() + h.priority() + h.hopTtl() + h.hopCount() + h.fragFlags()
                + h.subprotocolId() + h.channelHash() + h.noncePrefix() + h.subnetId() + h.fragmentId()
                + h.fragmentOffset() + h.payloadLength() + h.eventCount());
        bh.consume(h.nonceCounter() + h.sessionId() + h.streamId() + h.sequence() + h.originHash());
    }

    @Benchmark
    public byte[] aad() {
        NetAad.write(header.wrap(buffer, 0), aad, 0);
        return aad;
    }
}
