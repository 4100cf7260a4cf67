package io.meshwire.crypto;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.meshwire.wire.DropCounters;
import java.security.SecureRandom;

/**
 * Coverage-guided fuzzing of the Noise message reader through net-mesh's handshake: arbitrary msg1 to a responder
 * and arbitrary msg2 to an initiator must fail cleanly (counted, no exception), never complete a session.
 */
public class NoiseMessageFuzzTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] PSK = new byte[32];
    private static final NoiseKeyPair RESPONDER_STATIC = NetMeshHandshake.generateStaticKeyPair(RANDOM);
    private static final DropCounters DROPS = new DropCounters();

    @FuzzTest(maxDuration = "6s")
    void shouldRejectWithoutThrowingWhenHandshakeMessagesAreArbitrary(byte[] data) {
        fuzzerTestOneInput(data);
    }

    /** Entry point for Jazzer's standalone driver as well. */
    public static void fuzzerTestOneInput(byte[] data) {
        NetMeshHandshake responder = NetMeshHandshake.responder(PSK, RESPONDER_STATIC, 2, 1, RANDOM, DROPS);
        byte[] payload = responder.readMessage(data, 0, data.length);
        if (payload != null) {
            throw new AssertionError("an arbitrary msg1 authenticated under the PSK");
        }
        NetMeshHandshake initiator = NetMeshHandshake.initiator(PSK, RESPONDER_STATIC.publicKey(), 1, 2, RANDOM, DROPS);
        initiator.writeMessage(new byte[0]);
        if (initiator.readMessage(data, 0, data.length) != null || initiator.isComplete()) {
            throw new AssertionError("an arbitrary msg2 completed the handshake");
        }
    }
}
