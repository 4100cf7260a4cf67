package io.meshwire.epics;

import io.meshwire.testing.AllocationMeter;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SearchResponderTest {
    static final byte[] GUID = Hex.bytes("01 02 03 04 05 06 07 08 09 0a 0b 0c");

    record Reply(byte[] bytes, InetSocketAddress dest, int ifindex) {
    }

    final List<Reply> replies = new ArrayList<>();
    final ReplySink sink = (buf, dest, req) -> {
        byte[] b = new byte[buf.remaining()];
        buf.duplicate().get(b);
        replies.add(new Reply(b, dest, req.ifindex()));
    };
    final EpicsDropCounters drops = new EpicsDropCounters();

    static NameDirectory directory(String... lines) throws Exception {
        return NameDirectory.parse("test", List.of(lines), NameDirectoryTest.LITERALS);
    }

    SearchResponder responder(NameDirectory d) {
        return responder(d, SearchResponderConfig.builder().guid(GUID).build());
    }

    SearchResponder responder(NameDirectory d, SearchResponderConfig config) {
        return new SearchResponder(config, () -> d, drops);
    }

    static EpicsDatagram datagram(byte[] bytes, String sourceIp, int sourcePort) throws Exception {
        return new EpicsDatagram().set(MemorySegment.ofArray(bytes), 0, bytes.length,
                new InetSocketAddress(InetAddress.getByName(sourceIp), sourcePort), InetAddress.getByName("10.1.1.1"),
                7, SocketRole.BROADCAST_RX);
    }

    static byte[] caSearch(int sequence, String... names) {
        byte[] out = new byte[CaProtocol.MAX_UDP_SEND * 8];
        MemorySegment m = MemorySegment.ofArray(out);
        long p = CaEncoder.writeVersion(m, 0, 1, 13, sequence);
        for (int i = 0; i < names.length; i++) {
            p = CaEncoder.writeSearchRequest(m, p, names[i].getBytes(StandardCharsets.US_ASCII), CaProtocol.DONT_REPLY,
                    13, i + 1);
        }
        return java.util.Arrays.copyOf(out, (int) p);
    }

    static byte[] pvaSearch(boolean bigEndian, int flags, int responseIp, int responsePort, String... names) {
        byte[] out = new byte[PvaProtocol.MAX_UDP_SEND];
        PvaSearchEncoder e = new PvaSearchEncoder().begin(MemorySegment.ofArray(out), 0, out.length, bigEndian, 99,
                flags, responseIp, responsePort);
        for (int i = 0; i < names.length; i++) {
            assertThat(e.addChannel(100 + i, names[i].getBytes(StandardCharsets.UTF_8))).isTrue();
        }
        return java.util.Arrays.copyOf(out, e.finish());
    }

    @Test
    void shouldAnswerWithVersionAndReplyWhenLibcaSearchesKnownName() throws Exception {
        SearchResponder r = responder(directory("TEST:LIBCA 10.0.0.5:45064"));
        int n = r.onDatagram(datagram(CaCodecTest.LIBCA_SEARCH, "10.1.1.9", 39340), sink, 0);
        assertThat(n).isEqualTo(1);
        assertThat(replies).hasSize(1);
        Reply reply = replies.get(0);
        assertThat(reply.dest()).isEqualTo(new InetSocketAddress("10.1.1.9", 39340));
        assertThat(reply.ifindex()).isEqualTo(7);
        // VERSION echoing sequence 1, then SEARCH reply: port 45064, server 10.0.0.5, search id 1, minor 13
        assertThat(Hex.of(reply.bytes(), reply.bytes().length)).isEqualTo(Hex.of(Hex.bytes(
                "00 00 00 00 00 00 00 0d 00 00 00 01 00 00 00 00 "
                        + "00 06 00 08 b0 08 00 00 0a 00 00 05 00 00 00 01 00 0d 00 00 00 00 00 00"), 40));
        assertThat(r.stats().caNames()).isEqualTo(1);
        assertThat(r.stats().found()).isEqualTo(1);
        assertThat(drops.total()).isZero();
    }

    @Test
    void shouldAnswerWithSourceAddressMarkerWhenEntryHostIsAllZeros() throws Exception {
        SearchResponder r = responder(directory("TEST:* 0.0.0.0:5064"));
        r.onDatagram(datagram(CaCodecTest.LIBCA_SEARCH, "10.1.1.9", 39340), sink, 0);
        CaMessageFlyweight m = new CaMessageFlyweight().wrap(MemorySegment.ofArray(replies.get(0).bytes()), 0, 40);
        m.next();
        m.next();
        assertThat(m.parameter1()).isEqualTo(CaProtocol.ADDRESS_FROM_SOURCE);
        assertThat(m.dataType()).isEqualTo(5064);
    }

    @Test
    void shouldAnswerWildcardCopyOnlyWhenOnlyTheWildcardSocketGetsItsDestination() throws Exception {
        SearchResponder r = responder(directory("TEST:LIBCA 10.0.0.5:5064"));
        EpicsDatagram d = datagram(CaCodecTest.LIBCA_SEARCH, "10.1.1.9", 39340);
        InetSocketAddress src = d.source();
        for (String dest : new String[] {"10.1.1.255", "10.1.1.1", "255.255.255.255", "224.0.2.3"}) {
            d.set(d.memory(), 0, d.length(), src, InetAddress.getByName("10.1.1.1"), InetAddress.getByName(dest), 7,
                    SocketRole.WILDCARD_RX);
            r.onDatagram(d, sink, 0);
        }
        // the subnet broadcast and the unicast copy are answered by the per-NIC sockets that also got them
        assertThat(replies).hasSize(2);
        assertThat(r.stats().wildcardCopies()).isEqualTo(2);
        d.set(d.memory(), 0, d.length(), src, null, null, 0, SocketRole.WILDCARD_RX);
        r.onDatagram(d, sink, 0);
        d.set(d.memory(), 0, d.length(), src, InetAddress.getByName("10.1.1.1"), InetAddress.getByName("10.1.1.255"),
                7, SocketRole.BROADCAST_RX);
        r.onDatagram(d, sink, 0);
        assertThat(replies).hasSize(4);
    }

    @Test
    void shouldStaySilentWhenNoNameIsKnown() throws Exception {
        SearchResponder r = responder(directory("OTHER 10.0.0.5:5064"));
        assertThat(r.onDatagram(datagram(CaCodecTest.LIBCA_SEARCH, "10.1.1.9", 39340), sink, 0)).isZero();
        assertThat(r.onDatagram(datagram(PvaCodecTest.PHOEBUS_SEARCH, "10.1.1.9", 39340), sink, 0)).isZero();
        assertThat(replies).isEmpty();
        assertThat(r.stats().caNames()).isEqualTo(1);
        assertThat(r.stats().pvaNames()).isEqualTo(1);
        assertThat(drops.total()).isZero();
    }

    @Test
    void shouldDropWithoutAnyReplyWhenCaDatagramIsMalformed() throws Exception {
        SearchResponder r = responder(directory("* 10.0.0.5:5064"));
        byte[] good = caSearch(1, "A", "B");
        // truncated last message: even the first, valid search must not be answered
        r.onDatagram(datagram(java.util.Arrays.copyOf(good, good.length - 1), "10.1.1.9", 1000), sink, 0);
        // no VERSION first
        byte[] noVersion = java.util.Arrays.copyOfRange(good, 16, good.length);
        r.onDatagram(datagram(noVersion, "10.1.1.9", 1000), sink, 0);
        // unterminated name
        byte[] noNul = good.clone();
        for (int i = 32; i < 40; i++) {
            noNul[i] = 'X';
        }
        r.onDatagram(datagram(noNul, "10.1.1.9", 1000), sink, 0);
        // empty name
        byte[] empty = good.clone();
        empty[32] = 0;
        r.onDatagram(datagram(empty, "10.1.1.9", 1000), sink, 0);
        // port 0 source
        r.onDatagram(datagram(good, "10.1.1.9", 0), sink, 0);
        assertThat(replies).isEmpty();
        assertThat(drops.count(EpicsDropReason.TRUNCATED)).isEqualTo(1);
        assertThat(drops.count(EpicsDropReason.CA_MISSING_VERSION)).isEqualTo(1);
        assertThat(drops.count(EpicsDropReason.CA_BAD_NAME)).isEqualTo(2);
        assertThat(drops.count(EpicsDropReason.BAD_SOURCE)).isEqualTo(1);
        r.onDatagram(datagram(good, "10.1.1.9", 1000), sink, 0);
        assertThat(replies).hasSize(1);
    }

    @Test
    void shouldPackRepliesIntoDatagramsOfAtMost1024BytesWhenManyNamesAreFound() throws Exception {
        SearchResponder r = responder(directory("N* 10.0.0.5:5064", "SKIP 10.0.0.6:5064 pva"));
        String[] names = new String[120];
        for (int i = 0; i < names.length; i++) {
            names[i] = i % 10 == 0 ? "SKIP" : "N" + i;
        }
        int sent = r.onDatagram(datagram(caSearch(5, names), "10.1.1.9", 1000), sink, 0);
        assertThat(sent).isEqualTo(replies.size()).isGreaterThan(1);
        List<Integer> ids = new ArrayList<>();
        for (Reply reply : replies) {
            assertThat(reply.bytes().length).isLessThanOrEqualTo(CaProtocol.MAX_UDP_SEND);
            CaMessageFlyweight m = new CaMessageFlyweight().wrap(MemorySegment.ofArray(reply.bytes()), 0,
                    reply.bytes().length);
            assertThat(m.next()).isTrue();
            assertThat(m.command()).isEqualTo(CaProtocol.VERSION);
            assertThat(m.parameter1()).isEqualTo(5);
            while (m.next()) {
                assertThat(m.command()).isEqualTo(CaProtocol.SEARCH);
                ids.add(m.parameter2());
            }
            assertThat(m.error()).isNull();
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            if (i % 10 != 0) {
                expected.add(i + 1);
            }
        }
        assertThat(ids).isEqualTo(expected);
    }

    @Test
    void shouldLimitEachSourceToItsRateWhenFlooded() throws Exception {
        SearchResponder r = responder(directory("TEST:LIBCA 10.0.0.5:5064"),
                SearchResponderConfig.builder().guid(GUID).repliesPerSecond(2).replyBurst(5).build());
        EpicsDatagram flood = datagram(CaCodecTest.LIBCA_SEARCH, "10.1.1.9", 1000);
        for (int i = 0; i < 20; i++) {
            r.onDatagram(flood, sink, 1_000_000_000L);
        }
        assertThat(replies).hasSize(5);
        assertThat(r.stats().rateLimited()).isEqualTo(15);
        // another source is not affected
        r.onDatagram(datagram(CaCodecTest.LIBCA_SEARCH, "10.1.1.10", 1000), sink, 1_000_000_000L);
        assertThat(replies).hasSize(6);
        // one second later the flooding source has earned two more
        for (int i = 0; i < 5; i++) {
            r.onDatagram(flood, sink, 2_000_000_000L);
        }
        assertThat(replies).hasSize(8);
    }

    @Test
    void shouldAnswerPhoebusSearchAtResponsePortWhenNameIsKnown() throws Exception {
        SearchResponder r = responder(directory("TEST:PVA 10.0.0.5:5075"));
        int n = r.onDatagram(datagram(PvaCodecTest.PHOEBUS_SEARCH, "10.1.1.9", 40000), sink, 0);
        assertThat(n).isEqualTo(1);
        Reply reply = replies.get(0);
        assertThat(reply.dest()).isEqualTo(new InetSocketAddress("10.1.1.9", 0xa21a));
        assertThat(Hex.of(reply.bytes(), reply.bytes().length)).isEqualTo(Hex.of(Hex.bytes(
                "ca 02 c0 04 00 00 00 2d | 01 02 03 04 05 06 07 08 09 0a 0b 0c | 00 00 00 01 "
                        + "| 00 00 00 00 00 00 00 00 00 00 ff ff 0a 00 00 05 | 13 d3 | 03 'tcp' | 01 | 00 01 "
                        + "| 00 00 00 02"), 53));
    }

    @Test
    void shouldAnswerLittleEndianSearchInBigEndianWhenNameIsKnown() throws Exception {
        SearchResponder r = responder(directory("TEST:PVA 0.0.0.0:5075"));
        r.onDatagram(datagram(PvaCodecTest.PVXS_STYLE_SEARCH, "10.1.1.9", 40000), sink, 0);
        PvaResponse resp = PvaResponse.read(replies.get(0).bytes());
        assertThat(resp.serverAddress()).isEqualTo(Ipv4.PVA_ANY);
        assertThat(resp.ids()).containsExactly(2);
    }

    @Test
    void shouldSendOneResponsePerServerWhenNamesLiveOnDifferentServers() throws Exception {
        SearchResponder r = responder(directory("A* 10.0.0.1:5075", "B* 10.0.0.2:5075", "AB 10.0.0.2:5075"));
        r.onDatagram(datagram(pvaSearch(false, 0, 0, 5555, "A1", "B1", "C1", "A2", "AB", "B2"), "10.1.1.9", 5555),
                sink, 0);
        assertThat(replies).hasSize(2);
        PvaResponse first = PvaResponse.read(replies.get(0).bytes());
        PvaResponse second = PvaResponse.read(replies.get(1).bytes());
        assertThat(first.serverAddress()).isEqualTo(0x0A000001L);
        assertThat(first.ids()).containsExactly(100, 103);
        assertThat(second.serverAddress()).isEqualTo(0x0A000002L);
        assertThat(second.ids()).containsExactly(101, 104, 105);
        assertThat(first.sequenceId()).isEqualTo(99);
        assertThat(r.stats().found()).isEqualTo(5);
    }

    @Test
    void shouldAnswerNotFoundOnlyWhenMustReplyIsSet() throws Exception {
        SearchResponder r = responder(directory("X 10.0.0.1:5075"));
        r.onDatagram(datagram(pvaSearch(true, 0, 0, 5555, "NOPE"), "10.1.1.9", 5555), sink, 0);
        assertThat(replies).isEmpty();
        r.onDatagram(datagram(pvaSearch(true, PvaProtocol.SEARCH_MUST_REPLY, 0, 5555, "NOPE"), "10.1.1.9", 5555),
                sink, 0);
        assertThat(replies).hasSize(1);
        PvaResponse resp = PvaResponse.read(replies.get(0).bytes());
        assertThat(resp.found()).isFalse();
        assertThat(resp.ids()).isEmpty();
    }

    @Test
    void shouldHonourResponseAddressOnlyWhenSourceIsLoopback() throws Exception {
        SearchResponder r = responder(directory("X 10.0.0.1:5075"));
        r.onDatagram(datagram(pvaSearch(true, 0, 0x0A090909, 6000, "X"), "10.1.1.9", 5555), sink, 0);
        assertThat(replies.get(0).dest()).isEqualTo(new InetSocketAddress("10.1.1.9", 6000));
        r.onDatagram(datagram(pvaSearch(true, 0, 0x0A090909, 6000, "X"), "127.0.0.1", 5555), sink, 0);
        assertThat(replies.get(1).dest()).isEqualTo(new InetSocketAddress("10.9.9.9", 6000));
    }

    @Test
    void shouldDropWithoutReplyWhenPvaDatagramIsMalformed() throws Exception {
        SearchResponder r = responder(directory("* 10.0.0.1:5075"));
        byte[] bad = PvaCodecTest.PHOEBUS_SEARCH.clone();
        bad[bad.length - 9] = 9;
        r.onDatagram(datagram(bad, "10.1.1.9", 5555), sink, 0);
        // a good search followed by a truncated second message: nothing is answered
        byte[] two = new byte[PvaCodecTest.PHOEBUS_SEARCH.length * 2 - 3];
        System.arraycopy(PvaCodecTest.PHOEBUS_SEARCH, 0, two, 0, PvaCodecTest.PHOEBUS_SEARCH.length);
        System.arraycopy(PvaCodecTest.PHOEBUS_SEARCH, 0, two, PvaCodecTest.PHOEBUS_SEARCH.length,
                PvaCodecTest.PHOEBUS_SEARCH.length - 3);
        r.onDatagram(datagram(two, "10.1.1.9", 5555), sink, 0);
        assertThat(replies).isEmpty();
        assertThat(drops.count(EpicsDropReason.PVA_BAD_FIELD)).isEqualTo(1);
        assertThat(drops.count(EpicsDropReason.TRUNCATED)).isEqualTo(1);
    }

    @Test
    void shouldAllocateNothingPerDatagramWhenAnsweringSteadyPeers() throws Exception {
        SearchResponder r = responder(directory("TEST:LIBCA 10.0.0.5:5064", "TEST:PVA 10.0.0.5:5075", "G* 10.0.0.6:1"),
                SearchResponderConfig.builder().guid(GUID).repliesPerSecond(1e7).replyBurst(1_000_000).build());
        EpicsDatagram caReq = datagram(CaCodecTest.LIBCA_SEARCH, "10.1.1.9", 1000);
        EpicsDatagram pvaReq = datagram(PvaCodecTest.PHOEBUS_SEARCH, "10.1.1.9", 1000);
        EpicsDatagram miss = datagram(caSearch(1, "GLOBBED", "UNKNOWN"), "10.1.1.9", 1000);
        ReplySink discard = (buf, dest, req) -> { };
        long best = AllocationMeter.bestOfRounds(5, 20_000, () -> {
            r.onDatagram(caReq, discard, 0);
            r.onDatagram(pvaReq, discard, 0);
            r.onDatagram(miss, discard, 0);
        });
        assertThat(best).as("bytes allocated per 3 datagrams").isLessThan(1);
    }

    /** A parsed PVA search response, for assertions. */
    record PvaResponse(int sequenceId, long serverAddress, int port, boolean found, List<Integer> ids) {
        static PvaResponse read(byte[] b) {
            PvaMessageFlyweight m = new PvaMessageFlyweight().wrap(MemorySegment.ofArray(b), 0, b.length);
            assertThat(m.next()).isTrue();
            assertThat(m.command()).isEqualTo(PvaProtocol.SEARCH_RESPONSE);
            PvaSearchResponseFlyweight r = new PvaSearchResponseFlyweight();
            assertThat(r.wrap(m, new EpicsDropCounters())).isTrue();
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < r.count(); i++) {
                ids.add(r.nextId());
            }
            assertThat(m.next()).isFalse();
            return new PvaResponse(r.sequenceId(), r.serverAddress(), r.serverPort(), r.found(), ids);
        }
    }
}
