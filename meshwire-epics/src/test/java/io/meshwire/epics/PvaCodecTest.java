package io.meshwire.epics;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** PVAccess codecs against the datagrams real peers sent (shared/reference/epics-udp.md §2.2, §3). */
class PvaCodecTest {
    /** phoebus core-pva 5.0.5 searching TEST:PVA (§2.2): big-endian, unicast flag, reply to source port 41498. */
    static final byte[] PHOEBUS_SEARCH = Hex.bytes("ca 03 80 03 00 00 00 2e | 00 00 00 01 82 00 00 00 "
            + "| 00 00 00 00 00 00 00 00 00 00 ff ff 00 00 00 00 | a2 1a | 01 03 'tcp' | 00 01 | 00 00 00 02 "
            + "| 08 'TEST:PVA'");
    /** The same search little-endian, as pvxs would send it. */
    static final byte[] PVXS_STYLE_SEARCH = Hex.bytes("ca 02 00 03 2e 00 00 00 | 01 00 00 00 82 00 00 00 "
            + "| 00 00 00 00 00 00 00 00 00 00 ff ff 00 00 00 00 | 1a a2 | 01 03 'tcp' | 01 00 | 02 00 00 00 "
            + "| 08 'TEST:PVA'");
    /** phoebus PVAServer's answer to a search (§3.4): seq 4242, ::ffff:0.0.0.0, port 5075, tcp, found, ids (7). */
    static final byte[] PHOEBUS_RESPONSE = Hex.bytes("ca 03 c0 04 00 00 00 2d | 01 02 03 04 05 06 07 08 09 0a 0b 0c "
            + "| 00 00 10 92 | 00 00 00 00 00 00 00 00 00 00 ff ff 00 00 00 00 | 13 d3 | 03 'tcp' | 01 | 00 01 "
            + "| 00 00 00 07");

    private final EpicsDropCounters drops = new EpicsDropCounters();
    private final PvaMessageFlyweight message = new PvaMessageFlyweight();
    private final PvaSearchFlyweight search = new PvaSearchFlyweight();

    private PvaSearchFlyweight readSearch(byte[] datagram) {
        message.wrap(MemorySegment.ofArray(datagram), 0, datagram.length);
        assertThat(message.next()).isTrue();
        assertThat(message.command()).isEqualTo(PvaProtocol.SEARCH);
        assertThat(search.wrap(message, drops)).isTrue();
        return search;
    }

    private static String name(MemorySegment m, long offset, int length) {
        byte[] b = new byte[length];
        MemorySegment.copy(m, ValueLayout.JAVA_BYTE, offset, b, 0, length);
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void shouldReadEveryFieldWhenParsingPhoebusSearch() {
        PvaSearchFlyweight s = readSearch(PHOEBUS_SEARCH);
        assertThat(message.bigEndian()).isTrue();
        assertThat(message.version()).isEqualTo(3);
        assertThat(message.payloadSize()).isEqualTo(0x2e);
        assertThat(s.sequenceId()).isEqualTo(1);
        assertThat(s.flags()).isEqualTo(0x82);
        assertThat(s.mustReply()).isFalse();
        assertThat(s.responseAddress()).isEqualTo(Ipv4.PVA_ANY);
        assertThat(s.responsePort()).isEqualTo(0xa21a);
        assertThat(s.tcp()).isTrue();
        assertThat(s.channelCount()).isEqualTo(1);
        assertThat(s.nextChannel()).isTrue();
        assertThat(s.channelId()).isEqualTo(2);
        assertThat(name(s.segment(), s.nameOffset(), s.nameLength())).isEqualTo("TEST:PVA");
        assertThat(s.nextChannel()).isFalse();
        assertThat(message.next()).isFalse();
        assertThat(message.error()).isNull();
        assertThat(drops.total()).isZero();
    }

    @Test
    void shouldReadSameFieldsWhenSearchIsLittleEndian() {
        PvaSearchFlyweight s = readSearch(PVXS_STYLE_SEARCH);
        assertThat(message.bigEndian()).isFalse();
        assertThat(s.sequenceId()).isEqualTo(1);
        assertThat(s.responsePort()).isEqualTo(0xa21a);
        assertThat(s.nextChannel()).isTrue();
        assertThat(s.channelId()).isEqualTo(2);
        assertThat(name(s.segment(), s.nameOffset(), s.nameLength())).isEqualTo("TEST:PVA");
    }

    @Test
    void shouldEncodeSameBytesAsPhoebusExceptVersionWhenBuildingSearch() {
        byte[] out = new byte[PvaProtocol.MAX_UDP_SEND];
        PvaSearchEncoder e = new PvaSearchEncoder().begin(MemorySegment.ofArray(out), 0, out.length, true, 1, 0x82, 0,
                0xa21a);
        assertThat(e.addChannel(2, "TEST:PVA".getBytes(StandardCharsets.UTF_8))).isTrue();
        int n = e.finish();
        byte[] expected = PHOEBUS_SEARCH.clone();
        expected[1] = PvaProtocol.VERSION;
        assertThat(Hex.of(out, n)).isEqualTo(Hex.of(expected, expected.length));
        out = new byte[PvaProtocol.MAX_UDP_SEND];
        e.begin(MemorySegment.ofArray(out), 0, out.length, false, 1, 0x82, 0, 0xa21a);
        e.addChannel(2, "TEST:PVA".getBytes(StandardCharsets.UTF_8));
        n = e.finish();
        assertThat(Hex.of(out, n)).isEqualTo(Hex.of(PVXS_STYLE_SEARCH, PVXS_STYLE_SEARCH.length));
    }

    @Test
    void shouldStopAddingWhenSearchDatagramIsFull() {
        byte[] out = new byte[200];
        PvaSearchEncoder e = new PvaSearchEncoder().begin(MemorySegment.ofArray(out), 0, 100, true, 9, 0, 0, 1234);
        int added = 0;
        while (e.addChannel(added, "ABCDEFGHIJ".getBytes(StandardCharsets.US_ASCII))) {
            added++;
        }
        int n = e.finish();
        assertThat(n).isLessThanOrEqualTo(100);
        assertThat(added).isEqualTo(e.count()).isPositive();
        PvaSearchFlyweight s = readSearch(java.util.Arrays.copyOf(out, n));
        assertThat(s.channelCount()).isEqualTo(added);
        int seen = 0;
        while (s.nextChannel()) {
            assertThat(s.channelId()).isEqualTo(seen++);
        }
        assertThat(seen).isEqualTo(added);
    }

    @Test
    void shouldReadEveryFieldWhenParsingPhoebusResponse() {
        message.wrap(MemorySegment.ofArray(PHOEBUS_RESPONSE), 0, PHOEBUS_RESPONSE.length);
        assertThat(message.next()).isTrue();
        assertThat(message.command()).isEqualTo(PvaProtocol.SEARCH_RESPONSE);
        assertThat(message.fromServer()).isTrue();
        PvaSearchResponseFlyweight r = new PvaSearchResponseFlyweight();
        assertThat(r.wrap(message, drops)).isTrue();
        assertThat(r.sequenceId()).isEqualTo(4242);
        assertThat(r.serverAddress()).isEqualTo(Ipv4.PVA_ANY);
        assertThat(r.serverPort()).isEqualTo(5075);
        assertThat(r.tcp()).isTrue();
        assertThat(r.found()).isTrue();
        assertThat(r.count()).isEqualTo(1);
        assertThat(r.nextId()).isEqualTo(7);
        assertThat(message.next()).isFalse();
        assertThat(message.error()).isNull();
    }

    @Test
    void shouldEncodeSameBytesAsPhoebusExceptVersionWhenBuildingResponse() {
        byte[] out = new byte[PvaProtocol.MAX_UDP_SEND];
        byte[] guid = Hex.bytes("01 02 03 04 05 06 07 08 09 0a 0b 0c");
        PvaSearchResponseEncoder e = new PvaSearchResponseEncoder().begin(MemorySegment.ofArray(out), 0, out.length,
                true, guid, 4242, 0, 5075, true);
        e.addId(7);
        int n = e.finish();
        byte[] expected = PHOEBUS_RESPONSE.clone();
        expected[1] = PvaProtocol.VERSION;
        assertThat(Hex.of(out, n)).isEqualTo(Hex.of(expected, expected.length));
    }

    @Test
    void shouldRoundTripBeaconWhenEncodedInBothByteOrders() {
        byte[] guid = Hex.bytes("0c 0b 0a 09 08 07 06 05 04 03 02 01");
        for (boolean be : new boolean[] {true, false}) {
            byte[] out = new byte[128];
            int n = PvaEncoder.writeBeacon(MemorySegment.ofArray(out), 0, be, guid, 0, 200, 3, 0x0A000001, 5075);
            message.wrap(MemorySegment.ofArray(out), 0, n);
            assertThat(message.next()).isTrue();
            assertThat(message.command()).isEqualTo(PvaProtocol.BEACON);
            PvaBeaconFlyweight b = new PvaBeaconFlyweight();
            assertThat(b.wrap(message, drops)).isTrue();
            assertThat(b.sequenceId()).isEqualTo(200);
            assertThat(b.changeCount()).isEqualTo(3);
            assertThat(b.serverAddress()).isEqualTo(0x0A000001L);
            assertThat(b.serverPort()).isEqualTo(5075);
            assertThat(b.tcp()).isTrue();
            assertThat(b.segment().get(ValueLayout.JAVA_BYTE, b.guidOffset())).isEqualTo((byte) 0x0c);
            assertThat(message.next()).isFalse();
        }
    }

    @ParameterizedTest(name = "byte {0} = {1} -> {2}")
    @CsvSource({
            "0, 0xCB, PVA_BAD_MAGIC",
            "1, 0, PVA_BAD_VERSION",
            "2, 0x81, PVA_CONTROL_OR_SEGMENTED", // control flag
            "2, 0x90, PVA_CONTROL_OR_SEGMENTED", // segmented
            "7, 0x2f, TRUNCATED", // payload size one past the datagram
            "4, 0x80, TRUNCATED"}) // negative payload size
    void shouldDropWithReasonWhenHeaderIsMalformed(int offset, int value, EpicsDropReason reason) {
        byte[] bad = PHOEBUS_SEARCH.clone();
        bad[offset] = (byte) value;
        assertHeaderError(bad, reason);
    }

    @Test
    void shouldDropAsTruncatedWhenDatagramIsShorterThanAHeader() {
        assertHeaderError(java.util.Arrays.copyOf(PHOEBUS_SEARCH, 5), EpicsDropReason.TRUNCATED);
    }

    private void assertHeaderError(byte[] datagram, EpicsDropReason reason) {
        message.wrap(MemorySegment.ofArray(datagram), 0, datagram.length);
        assertThat(message.next()).isFalse();
        assertThat(message.error()).isEqualTo(reason);
    }

    @ParameterizedTest(name = "{3}")
    @CsvSource({
            // PHOEBUS_SEARCH: header 0..7, response address 16..31, protocol count 34, channel count 40..41,
            // channel name size 45 (of 54 bytes)
            "45, 9, PVA_BAD_FIELD, a channel name length that runs past the payload",
            "45, 0, PVA_BAD_FIELD, an empty channel name",
            "34, 0xFF, PVA_BAD_FIELD, a null protocol list size",
            "16, 0x20, PVA_UNSUPPORTED_ADDRESS, a real IPv6 response address",
            "40, 2, PVA_BAD_FIELD, more channels announced than present"})
    void shouldDropWithReasonWhenSearchBodyIsMalformed(int offset, int value, EpicsDropReason reason, String what) {
        assertThat(PHOEBUS_SEARCH).hasSize(54);
        byte[] bad = PHOEBUS_SEARCH.clone();
        bad[offset] = (byte) value;
        assertSearchDrop(bad, reason);
    }

    private void assertSearchDrop(byte[] datagram, EpicsDropReason reason) {
        EpicsDropCounters d = new EpicsDropCounters();
        message.wrap(MemorySegment.ofArray(datagram), 0, datagram.length);
        assertThat(message.next()).isTrue();
        assertThat(search.wrap(message, d)).isFalse();
        assertThat(d.count(reason)).isEqualTo(1);
        assertThat(d.total()).isEqualTo(1);
    }

    @Test
    void shouldReadExtendedSizeWhenNameIsLongerThan253Bytes() {
        byte[] out = new byte[PvaProtocol.MAX_UDP_SEND];
        byte[] longName = "N".repeat(300).getBytes(StandardCharsets.US_ASCII);
        PvaSearchEncoder e = new PvaSearchEncoder().begin(MemorySegment.ofArray(out), 0, out.length, false, 5, 0, 0, 1);
        e.addChannel(11, longName);
        int n = e.finish();
        PvaSearchFlyweight s = readSearch(java.util.Arrays.copyOf(out, n));
        assertThat(s.nextChannel()).isTrue();
        assertThat(s.channelId()).isEqualTo(11);
        assertThat(s.nameLength()).isEqualTo(300);
    }

    @Test
    void shouldMapAddressFieldsWhenIpv4MappedOrUnspecified() {
        byte[] a = new byte[16];
        MemorySegment m = MemorySegment.ofArray(a);
        assertThat(Ipv4.fromPvaAddress(m, 0)).isEqualTo(Ipv4.PVA_ANY);
        Ipv4.writePvaAddress(m, 0, 0x7F000001);
        assertThat(Ipv4.fromPvaAddress(m, 0)).isEqualTo(0x7F000001L);
        Ipv4.writePvaAddress(m, 0, 0xC0A80101);
        assertThat(Ipv4.fromPvaAddress(m, 0)).isEqualTo(0xC0A80101L);
        a[0] = 0x20;
        assertThat(Ipv4.fromPvaAddress(m, 0)).isEqualTo(Ipv4.PVA_NOT_IPV4);
    }
}
