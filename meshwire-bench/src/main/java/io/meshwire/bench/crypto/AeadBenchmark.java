package io.meshwire.bench.crypto;

import io.meshwire.crypto.AeadBackend;
import io.meshwire.crypto.PacketProtector;
import io.meshwire.crypto.SessionKeys;
import io.meshwire.wire.DropCounters;
import io.meshwire.wire.NetHeaderFlyweight;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Packet sealing and opening in place, per payload size: the library's three backends ({@code JAVA}: our
 * plain-Java RFC 8439; {@code JDK}: SunJCE ChaCha20-Poly1305 with HotSpot's intrinsics; {@code BOUNCY_CASTLE}: our
 * RFC 8439 composition of BouncyCastle's ChaCha7539 and Poly1305) and, as a reference in the same run,
 * BouncyCastle's own {@code ChaCha20Poly1305} AEAD class ({@code BC_AEAD_CLASS}, used as its API intends, seal and
 * open with the same nonce and AAD layout). {@code sealThenOpen} is one full round trip: bytes/s = size / time.
 * {@code openForged} opens a packet whose tag was flipped: the cost of rejecting a forgery (the packet is left
 * unchanged and the replay window not moved, so the same packet is rejected again on every call).
 * {@code -p size=65000} is not a valid net-mesh packet (at most 8108 B); it is there to measure the cost per byte
 * apart from the cost per packet.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@State(Scope.Thread)
public class AeadBenchmark {
    @Param({"64", "1024", "8108"})
    public int size;

    @Param({"JAVA", "JDK", "BOUNCY_CASTLE", "BC_AEAD_CLASS"})
    public String impl;

    private static final int BUFFER_LENGTH = NetHeaderFlyweight.HEADER_LENGTH + 65_535 + 16;

    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_LENGTH);
    private final NetHeaderFlyweight header = new NetHeaderFlyweight();
    private final ByteBuffer forgedBuffer = ByteBuffer.allocate(BUFFER_LENGTH);
    private final NetHeaderFlyweight forged = new NetHeaderFlyweight();
    private PacketProtector tx;
    private PacketProtector rx;

    private ChaCha20Poly1305 bcAead;
    private KeyParameter bcKey;
    private byte[] bcNonce;
    private long bcCounter;
    private final byte[] bcAad = new byte[56];
    private final byte[] bcOut = new byte[BUFFER_LENGTH];

    @Setup
    public void setUp() {
        byte[] k1 = new byte[32];
        byte[] k2 = new byte[32];
        k1[0] = 1;
        k2[0] = 2;
        SessionKeys keys = new SessionKeys(0x1234567890ABCDEFL, k1, k2);
        if (!impl.equals("BC_AEAD_CLASS")) {
            AeadBackend backend = AeadBackend.valueOf(impl);
            tx = new PacketProtector(keys, backend, new DropCounters());
            rx = new PacketProtector(keys.peerView(), backend, new DropCounters());
        } else {
            bcAead = new ChaCha20Poly1305();
            bcKey = new KeyParameter(k1);
            bcNonce = new byte[12];
        }
        header.wrap(buffer, 0).initialize().sessionId(keys.sessionId()).streamId(1).payloadLength(size).eventCount(1);
        forged.wrap(forgedBuffer, 0).initialize().sessionId(keys.sessionId()).streamId(1).payloadLength(size).eventCount(1);
        if (bcAead != null) {
            try {
                bcSeal(forgedBuffer.array());
            } catch (InvalidCipherTextException e) {
                throw new IllegalStateException(e);
            }
        } else {
            tx.seal(forged);
        }
        int tag = NetHeaderFlyweight.HEADER_LENGTH + size;
        forgedBuffer.put(tag, (byte) (forgedBuffer.get(tag) ^ 1));
    }

    @Benchmark
    public int seal() throws InvalidCipherTextException {
        if (bcAead != null) {
            return bcSeal();
        }
        header.payloadLength(size);
        return tx.seal(header);
    }

    @Benchmark
    public boolean sealThenOpen() throws InvalidCipherTextException {
        if (bcAead != null) {
            bcSeal();
            return bcOpen(buffer.array());
        }
        header.payloadLength(size);
        tx.seal(header);
        return rx.open(header);
    }

    @Benchmark
    public boolean openForged() {
        if (bcAead != null) {
            try {
                return bcOpen(forgedBuffer.array());
            } catch (InvalidCipherTextException e) {
                return false;
            }
        }
        return rx.open(forged);
    }

    private int bcSeal() throws InvalidCipherTextException {
        return bcSeal(buffer.array());
    }

    private int bcSeal(byte[] b) throws InvalidCipherTextException {
        long counter = ++bcCounter;
        for (int i = 0; i < 8; i++) {
            bcNonce[4 + i] = (byte) (counter >>> (8 * i));
        }
        bcAead.init(true, new ParametersWithIV(bcKey, bcNonce));
        bcAead.processAADBytes(bcAad, 0, 56);
        int n = bcAead.processBytes(b, 68, size, b, 68);
        return n + bcAead.doFinal(b, 68 + n);
    }

    private boolean bcOpen(byte[] b) throws InvalidCipherTextException {
        bcAead.init(false, new ParametersWithIV(bcKey, bcNonce));
        bcAead.processAADBytes(bcAad, 0, 56);
        int n = bcAead.processBytes(b, 68, size + 16, bcOut, 0);
        n += bcAead.doFinal(bcOut, n);
        System.arraycopy(bcOut, 0, b, 68, n);
        return n == size;
    }
}
