package io.meshwire.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwire.wire.DropCounters;
import io.meshwire.wire.DropReason;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class NetMeshHandshakeTest {
    static final byte[] PSK = PacketProtectorTest.filled(32, 0x5A);
    static final long INITIATOR_ID = 0xAAAA_BBBB_0000_0001L;
    static final long RESPONDER_ID = 0xCCCC_DDDD_0000_0002L;
    final SecureRandom random = new SecureRandom();
    final DropCounters drops = new DropCounters();

    @Test
    void shouldAgreeOnSessionWhenBothSidesComplete() {
        NoiseKeyPair responderStatic = NetMeshHandshake.generateStaticKeyPair(random);
        NetMeshHandshake i = NetMeshHandshake.initiator(PSK, responderStatic.publicKey(), INITIATOR_ID, RESPONDER_ID, random, drops);
        NetMeshHandshake r = NetMeshHandshake.responder(PSK, responderStatic, RESPONDER_ID, INITIATOR_ID, random, drops);
        byte[] msg1 = i.writeMessage(new byte[0]);
        assertThat(msg1).hasSize(48);
        assertThat(r.readMessage(msg1, 0, msg1.length)).isEmpty();
        byte[] msg2 = r.writeMessage(new byte[0]);
        assertThat(msg2).hasSize(48);
        assertThat(i.readMessage(msg2, 0, msg2.length)).isEmpty();
        assertThat(i.isComplete()).isTrue();
        assertThat(r.isComplete()).isTrue();

        SessionKeys ik = i.sessionKeys();
        SessionKeys rk = r.sessionKeys();
        assertThat(ik.sessionId()).isEqualTo(rk.sessionId());
        assertThat(ik.txKey()).isEqualTo(rk.rxKey());
        assertThat(ik.rxKey()).isEqualTo(rk.txKey());
        assertThat(ik.txKey()).isNotEqualTo(ik.rxKey());
        assertThat(drops.total()).isZero();
    }

    @Test
    void shouldCarryNodeIdWhenRelayedMsg1HasPayload() {
        NoiseKeyPair responderStatic = NetMeshHandshake.generateStaticKeyPair(random);
        NetMeshHandshake i = NetMeshHandshake.initiator(PSK, responderStatic.publicKey(), INITIATOR_ID, RESPONDER_ID, random, drops);
        NetMeshHandshake r = NetMeshHandshake.responder(PSK, responderStatic, RESPONDER_ID, INITIATOR_ID, random, drops);
        byte[] nodeId = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(INITIATOR_ID).array();
        byte[] msg1 = i.writeMessage(nodeId);
        assertThat(msg1).hasSize(56);
        assertThat(r.readMessage(msg1, 0, msg1.length)).isEqualTo(nodeId);
    }

    @Test
    void shouldFailWithCountedReasonWhenPskOrPrologueOrBytesDiffer() {
        NoiseKeyPair responderStatic = NetMeshHandshake.generateStaticKeyPair(random);
        byte[] msg1 = NetMeshHandshake.initiator(PSK, responderStatic.publicKey(), INITIATOR_ID, RESPONDER_ID, random, drops)
                .writeMessage(new byte[0]);

        NetMeshHandshake wrongPsk = NetMeshHandshake.responder(PacketProtectorTest.filled(32, 1), responderStatic,
                RESPONDER_ID, INITIATOR_ID, random, drops);
        assertThat(wrongPsk.readMessage(msg1, 0, msg1.length)).isNull();
        assertThat(wrongPsk.isFailed()).isTrue();

        NetMeshHandshake wrongPeer = NetMeshHandshake.responder(PSK, responderStatic, RESPONDER_ID, 77, random, drops);
        assertThat(wrongPeer.readMessage(msg1, 0, msg1.length)).isNull();

        NetMeshHandshake wrongKey = NetMeshHandshake.responder(PSK, NetMeshHandshake.generateStaticKeyPair(random),
                RESPONDER_ID, INITIATOR_ID, random, drops);
        assertThat(wrongKey.readMessage(msg1, 0, msg1.length)).isNull();

        NetMeshHandshake truncated = NetMeshHandshake.responder(PSK, responderStatic, RESPONDER_ID, INITIATOR_ID, random, drops);
        assertThat(truncated.readMessage(msg1, 0, 47)).isNull();

        NetMeshHandshake flipped = NetMeshHandshake.responder(PSK, responderStatic, RESPONDER_ID, INITIATOR_ID, random, drops);
        byte[] bad = msg1.clone();
        bad[40] ^= 1;
        assertThat(flipped.readMessage(bad, 0, bad.length)).isNull();

        NetMeshHandshake lowOrder = NetMeshHandshake.responder(PSK, responderStatic, RESPONDER_ID, INITIATOR_ID, random, drops);
        byte[] zeroKey = msg1.clone();
        Arrays.fill(zeroKey, 0, 32, (byte) 0);
        assertThat(lowOrder.readMessage(zeroKey, 0, zeroKey.length)).isNull();

        assertThat(drops.count(DropReason.HANDSHAKE_FAILED)).isEqualTo(6);
    }

    @Test
    void shouldBuildNetMeshPrologueWhenGivenNodeIds() {
        byte[] prologue = NetMeshHandshake.prologue(0x1111_2222_3333_4444L, 0x5555_6666_7777_8888L);
        assertThat(HexFormat.of().formatHex(prologue)).isEqualTo(
                HexFormat.of().formatHex("net-handshake-v1".getBytes()) + "4444333300000000" + "8888777700000000");
    }

    /** The reference BLAKE2s keyed KAT (key 00..1f, empty input): native keying as Blake2sMac&lt;U32&gt;, not HMAC. */
    @Test
    void shouldMatchBlake2sKeyedKnownAnswerWhenKeyedWithNativeParameter() {
        byte[] key = new byte[32];
        for (int i = 0; i < 32; i++) {
            key[i] = (byte) i;
        }
        assertThat(HexFormat.of().formatHex(NetMeshHandshake.keyedBlake2s(key, new byte[0])))
                .isEqualTo("48a8997da407876b3d79c0d92325ad3b89cbb754d86ab71aee047ad345fd2c49");
    }

    @Test
    void shouldFollowNetMeshKdfWhenDerivingSessionKeys() {
        byte[] h = HexFormat.of().parseHex("0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20");
        SessionKeys initiator = NetMeshHandshake.deriveSessionKeys(h, true);
        SessionKeys responder = NetMeshHandshake.deriveSessionKeys(h, false);
        assertThat(initiator.sessionId()).isEqualTo(0x0807060504030201L);
        byte[] prk = mac(h, "net-kdf-v1");
        assertThat(initiator.txKey()).isEqualTo(mac(prk, "initiator-tx"));
        assertThat(initiator.rxKey()).isEqualTo(mac(prk, "initiator-rx"));
        assertThat(responder.txKey()).isEqualTo(initiator.rxKey());
        assertThat(initiator.noncePrefix()).isEqualTo(0x04030201 ^ 0x08070605);
    }

    private static byte[] mac(byte[] key, String message) {
        return NetMeshHandshake.keyedBlake2s(key, message.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
}
