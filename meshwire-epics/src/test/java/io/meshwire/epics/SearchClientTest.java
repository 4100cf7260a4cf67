package io.meshwire.epics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The search client core against the responder core, in memory: no sockets. */
class SearchClientTest {
    static final long MS = 1_000_000L;

    record Sent(byte[] bytes, SearchTarget target) {
    }

    final List<Sent> sent = new ArrayList<>();
    final SearchClient.Sender sender = (buf, target) -> {
        byte[] b = new byte[buf.remaining()];
        buf.duplicate().get(b);
        sent.add(new Sent(b, target));
    };
    final EpicsDropCounters drops = new EpicsDropCounters();

    static SearchTarget target(EpicsProtocol p, String ip, int port, SearchTarget.Kind kind) {
        return new SearchTarget(p, new InetSocketAddress(ip, port), kind, kind == SearchTarget.Kind.NIC_BROADCAST ? 2 : 0,
                "test");
    }

    static final List<SearchTarget> TARGETS = List.of(
            target(EpicsProtocol.CA, "127.0.0.1", 5064, SearchTarget.Kind.UNICAST),
            target(EpicsProtocol.PVA, "127.0.0.1", 5076, SearchTarget.Kind.UNICAST),
            target(EpicsProtocol.PVA, "10.99.1.255", 5076, SearchTarget.Kind.NIC_BROADCAST));

    SearchClient client(Set<EpicsProtocol> protocols, String... names) {
        return new SearchClient(SearchClientConfig.builder().build(), List.of(names), protocols, TARGETS, 41498,
                drops);
    }

    /** Answers every datagram sent so far with {@code responder}, as if from {@code from}, into the client. */
    void answer(SearchResponder responder, SearchClient client, String from, long now) throws Exception {
        for (Sent s : sent) {
            EpicsDatagram request = SearchResponderTest.datagram(s.bytes(), "10.1.1.9", 41498);
            responder.onDatagram(request, (buf, dest, req) -> {
                byte[] b = new byte[buf.remaining()];
                buf.duplicate().get(b);
                try {
                    client.onDatagram(new EpicsDatagram().set(MemorySegment.ofArray(b), 0, b.length,
                            new InetSocketAddress(InetAddress.getByName(from), 5064),
                            InetAddress.getByName("10.1.1.9"), 3, SocketRole.UNICAST), now);
                } catch (java.net.UnknownHostException e) {
                    throw new AssertionError(e);
                }
            }, now);
        }
        sent.clear();
    }

    @Test
    void shouldSendWhatLibcaSendsWhenSearchingOneCaName() {
        SearchClient c = client(EnumSet.of(EpicsProtocol.CA), "TEST:LIBCA");
        c.poll(0, sender);
        assertThat(sent).hasSize(1);
        assertThat(Hex.of(sent.get(0).bytes(), sent.get(0).bytes().length))
                .isEqualTo(Hex.of(CaCodecTest.LIBCA_SEARCH, CaCodecTest.LIBCA_SEARCH.length));
    }

    @Test
    void shouldSendPhoebusLayoutWithUnicastFlagOnlyToUnicastTargets() {
        SearchClient c = client(EnumSet.of(EpicsProtocol.PVA), "TEST:PVA");
        c.poll(0, sender);
        assertThat(sent).hasSize(2);
        byte[] expected = PvaCodecTest.PHOEBUS_SEARCH.clone();
        expected[1] = PvaProtocol.VERSION;
        expected[12] = (byte) PvaProtocol.SEARCH_UNICAST; // phoebus also sets bit 1 (0x82), which no spec names
        assertThat(Hex.of(sent.get(0).bytes(), sent.get(0).bytes().length))
                .isEqualTo(Hex.of(expected, expected.length).replace("00 00 00 02 08", "00 00 00 01 08"));
        assertThat(sent.get(1).bytes()[12]).isZero();
        assertThat(sent.get(1).target().kind()).isEqualTo(SearchTarget.Kind.NIC_BROADCAST);
    }

    @Test
    void shouldRetryUnfoundNamesWithDoublingPeriodWhenNoReplyComes() {
        SearchClient c = new SearchClient(SearchClientConfig.builder().maxPeriod(Duration.ofMillis(200)).build(),
                List.of("A"), EnumSet.of(EpicsProtocol.CA), TARGETS, 1, drops);
        List<Long> sendTimes = new ArrayList<>();
        long now = 0;
        while (now < 1000 * MS) {
            int before = sent.size();
            long next = c.poll(now, sender);
            if (sent.size() > before) {
                sendTimes.add(now / MS);
            }
            now = next;
        }
        // 0, +32, +64, +128, then capped at +200
        assertThat(sendTimes).containsExactly(0L, 32L, 96L, 224L, 424L, 624L, 824L);
        assertThat(c.rounds()).isEqualTo(7);
        assertThat(c.poll(now - 1, sender)).isEqualTo(now);
    }

    @Test
    void shouldFindCaAndPvaNamesAndStopSearchingThemWhenServersAnswer() throws Exception {
        SearchClient c = client(EnumSet.of(EpicsProtocol.CA, EpicsProtocol.PVA), "PV:ONE", "PV:TWO", "PV:NONE");
        SearchResponder ns = new SearchResponder(SearchResponderConfig.builder().build(),
                () -> directoryOf("PV:ONE 10.0.0.5:5064 ca", "PV:ONE 10.0.0.5:5075 pva", "PV:TWO 0.0.0.0:6000"),
                new EpicsDropCounters());
        c.poll(0, sender);
        answer(ns, c, "10.1.1.1", 3 * MS);
        assertThat(c.done()).isFalse();
        List<SearchResult> r = c.results(i -> i == 3 ? "eth9" : null);
        assertThat(r).extracting(x -> x.name() + "/" + x.protocol().label() + "=" + SearchResult.text(x.server()))
                .containsExactly("PV:ONE/ca=10.0.0.5:5064", "PV:ONE/pva=10.0.0.5:5075", "PV:TWO/ca=10.1.1.1:6000",
                        "PV:TWO/pva=10.1.1.1:6000", "PV:NONE/ca=-", "PV:NONE/pva=-");
        SearchResult one = r.get(0);
        assertThat(one.found()).isTrue();
        assertThat(one.repliedBy()).isEqualTo(new InetSocketAddress("10.1.1.1", 5064));
        assertThat(one.ifindex()).isEqualTo(3);
        assertThat(one.interfaceName()).isEqualTo("eth9");
        assertThat(one.localAddress()).isEqualTo(InetAddress.getByName("10.1.1.9"));
        assertThat(one.elapsed()).isEqualTo(Duration.ofMillis(3));
        assertThat(r.get(4).found()).isFalse();
        // the next round only carries the name still missing
        c.poll(100 * MS, sender);
        assertThat(sent).hasSize(3);
        assertThat(new String(sent.get(0).bytes(), java.nio.charset.StandardCharsets.US_ASCII)).contains("PV:NONE")
                .doesNotContain("PV:ONE").doesNotContain("PV:TWO");
        assertThat(drops.total()).isZero();
    }

    @Test
    void shouldListOtherServersWhenSeveralAnswerTheSameName() throws Exception {
        SearchClient c = client(EnumSet.of(EpicsProtocol.CA), "DUP");
        c.poll(0, sender);
        List<Sent> round = new ArrayList<>(sent);
        answer(responderWith("DUP 10.0.0.1:5064"), c, "10.0.0.1", MS);
        sent.addAll(round);
        answer(responderWith("DUP 10.0.0.2:5064"), c, "10.0.0.2", 2 * MS);
        sent.addAll(round);
        answer(responderWith("DUP 10.0.0.1:5064"), c, "10.0.0.1", 2 * MS);
        SearchResult r = c.results(i -> null).get(0);
        assertThat(SearchResult.text(r.server())).isEqualTo("10.0.0.1:5064");
        assertThat(r.otherServers()).containsExactly(new InetSocketAddress("10.0.0.2", 5064));
        assertThat(c.done()).isTrue();
    }

    @Test
    void shouldCountWithoutRecordingWhenRepliesMatchNothing() throws Exception {
        SearchClient c = client(EnumSet.of(EpicsProtocol.CA, EpicsProtocol.PVA), "X");
        c.poll(0, sender);
        // jca CAS reply for search id 77: no such query
        c.onDatagram(SearchResponderTest.datagram(CaCodecTest.CAS_REPLY, "10.0.0.1", 5064), MS);
        // phoebus response with id 7 = the PVA query of a second name that does not exist... id 1 is CA: a mismatch
        byte[] pvaForCaId = PvaCodecTest.PHOEBUS_RESPONSE.clone();
        pvaForCaId[pvaForCaId.length - 1] = 1;
        c.onDatagram(SearchResponderTest.datagram(pvaForCaId, "10.0.0.1", 5076), MS);
        // a truncated reply
        c.onDatagram(SearchResponderTest.datagram(java.util.Arrays.copyOf(CaCodecTest.CAS_REPLY, 20), "10.0.0.1",
                5064), MS);
        assertThat(c.done()).isFalse();
        assertThat(drops.count(EpicsDropReason.UNMATCHED_REPLY)).isEqualTo(2);
        assertThat(drops.count(EpicsDropReason.TRUNCATED)).isEqualTo(1);
        // the real thing: id 2 is the PVA query
        byte[] good = PvaCodecTest.PHOEBUS_RESPONSE.clone();
        good[good.length - 1] = 2;
        c.onDatagram(SearchResponderTest.datagram(good, "10.0.0.7", 5076), MS);
        assertThat(c.results(i -> null).get(1).server()).isEqualTo(new InetSocketAddress("10.0.0.7", 5075));
    }

    @Test
    void shouldSplitIntoDatagramsWithinLimitsWhenNamesAreMany() {
        String[] names = new String[300];
        for (int i = 0; i < names.length; i++) {
            names[i] = "BEAMLINE:" + i + ":SOME:LONGER:NAME";
        }
        SearchClient c = client(EnumSet.of(EpicsProtocol.CA, EpicsProtocol.PVA), names);
        c.poll(0, sender);
        int caNames = 0;
        int pvaNames = 0;
        for (Sent s : sent) {
            if (s.target().protocol() == EpicsProtocol.CA) {
                assertThat(s.bytes().length).isLessThanOrEqualTo(CaProtocol.MAX_UDP_SEND);
                CaMessageFlyweight m = new CaMessageFlyweight().wrap(MemorySegment.ofArray(s.bytes()), 0,
                        s.bytes().length);
                m.next();
                assertThat(m.command()).isEqualTo(CaProtocol.VERSION);
                while (m.next()) {
                    caNames++;
                }
            } else if (s.target().kind() == SearchTarget.Kind.UNICAST) {
                assertThat(s.bytes().length).isLessThanOrEqualTo(PvaProtocol.MAX_UDP_SEND);
                PvaMessageFlyweight m = new PvaMessageFlyweight().wrap(MemorySegment.ofArray(s.bytes()), 0,
                        s.bytes().length);
                m.next();
                PvaSearchFlyweight f = new PvaSearchFlyweight();
                assertThat(f.wrap(m, drops)).isTrue();
                assertThat(f.responsePort()).isEqualTo(41498);
                pvaNames += f.channelCount();
            }
        }
        assertThat(caNames).isEqualTo(300);
        assertThat(pvaNames).isEqualTo(300);
    }

    @Test
    void shouldRefuseWhenAProtocolHasNoDestination() {
        assertThatThrownBy(() -> new SearchClient(SearchClientConfig.builder().build(), List.of("A"),
                EnumSet.of(EpicsProtocol.CA), List.of(TARGETS.get(1)), 1, drops))
                .hasMessageContaining("no ca search destination").hasMessageContaining("EPICS_CA_ADDR_LIST");
        assertThatThrownBy(() -> client(EnumSet.of(EpicsProtocol.CA), "")).hasMessageContaining("name must be");
        assertThatThrownBy(() -> client(EnumSet.of(EpicsProtocol.CA), "caf\u00e9")).hasMessageContaining("ASCII");
    }

    static NameDirectory directoryOf(String... lines) {
        try {
            return SearchResponderTest.directory(lines);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static SearchResponder responderWith(String... lines) {
        return new SearchResponder(SearchResponderConfig.builder().build(), () -> directoryOf(lines),
                new EpicsDropCounters());
    }
}
