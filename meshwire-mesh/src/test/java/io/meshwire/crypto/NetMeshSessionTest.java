package io.meshwire.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwire.wire.DropCounters;
import io.meshwire.wire.DropReason;
import io.meshwire.wire.EventFramePacker;
import io.meshwire.wire.EventFrameReader;
import io.meshwire.wire.NetHeaderFlyweight;
import io.meshwire.wire.NetPacketParser;
import io.meshwire.wire.PacketFlags;
import io.meshwire.wire.PacketKind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Two nodes, datagrams only: handshake packets, then data packets with frames, then a heartbeat. */
class NetMeshSessionTest {
    private final SecureRandom random = new SecureRandom();
    private final DropCounters drops = new DropCounters();
    private final NetPacketParser parser = new NetPacketParser(drops);

    @Test
    void shouldExchangeEventsWhenHandshakeRunsOverPackets() {
        byte[] psk = PacketProtectorTest.filled(32, 7);
        NoiseKeyPair responderStatic = NetMeshHandshake.generateStaticKeyPair(random);
        NetMeshHandshake initiator = NetMeshHandshake.initiator(psk, responderStatic.publicKey(), 11, 22, random, drops);
        NetMeshHandshake responder = NetMeshHandshake.responder(psk, responderStatic, 22, 11, random, drops);

        ByteBuffer wire = ByteBuffer.allocate(8192);
        int length = initiator.writeHandshakePacket(new byte[0], wire, 0);
        assertThat(length).isEqualTo(68 + 48);
        assertThat(parser.parse(wire, 0, length)).isEqualTo(PacketKind.HANDSHAKE);
        assertThat(parser.header().flags()).isEqualTo(PacketFlags.HANDSHAKE);
        assertThat(parser.header().sessionId()).isZero();
        assertThat(responder.readHandshakePacket(parser.header())).isEmpty();

        length = responder.writeHandshakePacket(new byte[0], wire, 0);
        assertThat(parser.parse(wire, 0, length)).isEqualTo(PacketKind.HANDSHAKE);
        assertThat(initiator.readHandshakePacket(parser.header())).isEmpty();

        PacketProtector alice = new PacketProtector(initiator.sessionKeys(), drops);
        PacketProtector bob = new PacketProtector(responder.sessionKeys(), drops);

        NetHeaderFlyweight header = new NetHeaderFlyweight().wrap(wire, 0).initialize()
                .sessionId(alice.sessionId()).streamId(5).sequence(0);
        EventFramePacker packer = new EventFramePacker().wrap(wire, header.payloadOffset(), 8192 - 68 - 16);
        List<ByteBuffer> events = List.of(utf8("hello"), utf8(""), utf8("net-mesh"));
        assertThat(packer.packGreedy(events, 0)).isEqualTo(3);
        header.payloadLength(packer.payloadLength()).eventCount(packer.eventCount());
        length = alice.seal(header);

        assertThat(parser.parse(wire, 0, length)).isEqualTo(PacketKind.DATA);
        assertThat(bob.open(parser.header())).isTrue();
        EventFrameReader reader = new EventFrameReader(drops);
        NetHeaderFlyweight received = parser.header();
        assertThat(reader.validate(wire, received.payloadOffset(), received.payloadLength(), received.eventCount())).isTrue();
        List<String> got = new ArrayList<>();
        while (reader.next()) {
            byte[] event = new byte[reader.eventLength()];
            wire.get(reader.eventOffset(), event);
            got.add(new String(event, StandardCharsets.UTF_8));
        }
        assertThat(got).containsExactly("hello", "", "net-mesh");

        length = bob.sealHeartbeat(new NetHeaderFlyweight().wrap(wire, 0));
        assertThat(parser.parse(wire, 0, length)).isEqualTo(PacketKind.HEARTBEAT);
        assertThat(alice.open(parser.header())).isTrue();
        assertThat(drops.total()).isZero();
    }

    @Test
    void shouldCountHandshakeFailureWhenPacketIsNotHandshake() {
        NoiseKeyPair responderStatic = NetMeshHandshake.generateStaticKeyPair(random);
        NetMeshHandshake responder = NetMeshHandshake.responder(new byte[32], responderStatic, 22, 11, random, drops);
        ByteBuffer wire = ByteBuffer.allocate(200);
        NetHeaderFlyweight header = new NetHeaderFlyweight().wrap(wire, 0).initialize().payloadLength(48);
        assertThat(responder.readHandshakePacket(header)).isNull();
        assertThat(drops.count(DropReason.HANDSHAKE_FAILED)).isEqualTo(1);
    }

    private static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }
}
