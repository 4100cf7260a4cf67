package io.meshwire.bench.crypto;

import io.meshwire.crypto.NetMeshHandshake;
import io.meshwire.crypto.NoiseKeyPair;
import io.meshwire.crypto.SessionKeys;
import io.meshwire.wire.DropCounters;
import java.security.SecureRandom;
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

/**
 * One complete net-mesh handshake, both sides in one thread: Noise_NKpsk0_25519_ChaChaPoly_BLAKE2s msg1 and msg2
 * (two ephemeral key generations, four X25519 operations) and net-mesh's key schedule on each side.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@State(Scope.Thread)
public class HandshakeBenchmark {
    private final SecureRandom random = new SecureRandom();
    private final DropCounters drops = new DropCounters();
    private final byte[] psk = new byte[32];
    private final byte[] empty = new byte[0];
    private NoiseKeyPair responderStatic;

    @Setup
    public void setUp() {
        responderStatic = NetMeshHandshake.generateStaticKeyPair(random);
    }

    @Benchmark
    public SessionKeys fullHandshake() {
        NetMeshHandshake initiator = NetMeshHandshake.initiator(psk, responderStatic.publicKey(), 1, 2, random, drops);
        NetMeshHandshake responder = NetMeshHandshake.responder(psk, responderStatic, 2, 1, random, drops);
        byte[] msg1 = initiator.writeMessage(empty);
        responder.readMessage(msg1, 0, msg1.length);
        byte[] msg2 = responder.writeMessage(empty);
        initiator.readMessage(msg2, 0, msg2.length);
        responder.sessionKeys();
        return initiator.sessionKeys();
    }
}
