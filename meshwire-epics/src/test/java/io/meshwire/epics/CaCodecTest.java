package io.meshwire.epics;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Channel Access codecs against the datagrams real peers sent (shared/reference/epics-udp.md §3). */
class CaCodecTest {
    /** libca's search for TEST:LIBCA (§3.2): VERSION (priority 1, minor 13, sequence 1) then SEARCH DONT_REPLY. */
    static final byte[] LIBCA_SEARCH = Hex.bytes("00 00 00 00 00 01 00 0d 00 00 00 01 00 00 00 00 "
            + "00 06 00 10 00 05 00 0d 00 00 00 01 00 00 00 01 54 45 53 54 3a 4c 49 42 43 41 00 00 00 00 00 00");
    /** jca CAS's bare search reply (§2.1/§3.4): tcp 5064, address from source, search id 77, minor 11. */
    static final byte[] CAS_REPLY = Hex.bytes("00 06 00 08 13 c8 00 00 ff ff ff ff 00 00 00 4d 00 0b 00 00 00 00 00 00");
    /** A VERSION-prefixed reply as rsrv sends it (§3.3 stub): port 45064, search id 1, minor 13. */
    static final byte[] RSRV_STYLE_REPLY = Hex.bytes("00 00 00 00 00 00 00 0d 00 00 00 00 00 00 00 00 "
            + "00 06 00 08 b0 08 00 00 ff ff ff ff 00 00 00 01 00 0d 00 00 00 00 00 00");
    /** jca CARepeater's confirm for a client at 127.0.0.1 (§3.4). */
    static final byte[] REPEATER_CONFIRM = Hex.bytes("00 11 00 00 00 00 00 00 00 00 00 00 7f 00 00 01");

    private final CaMessageFlyweight m = new CaMessageFlyweight();

    @Test
    void shouldReadVersionAndSearchWhenParsingLibcaSearch() {
        m.wrap(MemorySegment.ofArray(LIBCA_SEARCH), 0, LIBCA_SEARCH.length);
        assertThat(m.next()).isTrue();
        assertThat(m.command()).isEqualTo(CaProtocol.VERSION);
        assertThat(m.dataType()).isEqualTo(1);
        assertThat(m.dataCount()).isEqualTo(13);
        assertThat(m.parameter1()).isEqualTo(1);
        assertThat(m.next()).isTrue();
        assertThat(m.command()).isEqualTo(CaProtocol.SEARCH);
        assertThat(m.payloadSize()).isEqualTo(16);
        assertThat(m.dataType()).isEqualTo(CaProtocol.DONT_REPLY);
        assertThat(m.dataCount()).isEqualTo(13);
        assertThat(m.parameter1()).isEqualTo(1);
        assertThat(m.parameter2()).isEqualTo(1);
        assertThat(m.stringLength()).isEqualTo(10);
        byte[] name = new byte[m.stringLength()];
        MemorySegment.copy(m.segment(), java.lang.foreign.ValueLayout.JAVA_BYTE, m.payloadOffset(), name, 0, 10);
        assertThat(new String(name, StandardCharsets.US_ASCII)).isEqualTo("TEST:LIBCA");
        assertThat(m.next()).isFalse();
        assertThat(m.error()).isNull();
    }

    @Test
    void shouldEncodeByteIdenticalSearchWhenBuildingWhatLibcaSends() {
        byte[] out = new byte[CaProtocol.MAX_UDP_SEND];
        MemorySegment s = MemorySegment.ofArray(out);
        long p = CaEncoder.writeVersion(s, 0, 1, CaProtocol.MINOR_VERSION, 1);
        p = CaEncoder.writeSearchRequest(s, p, "TEST:LIBCA".getBytes(StandardCharsets.US_ASCII), CaProtocol.DONT_REPLY,
                CaProtocol.MINOR_VERSION, 1);
        assertThat(p).isEqualTo(LIBCA_SEARCH.length);
        assertThat(Hex.of(out, (int) p)).isEqualTo(Hex.of(LIBCA_SEARCH, LIBCA_SEARCH.length));
    }

    @Test
    void shouldReadPortAddressAndIdWhenParsingBareCasReply() {
        m.wrap(MemorySegment.ofArray(CAS_REPLY), 0, CAS_REPLY.length);
        assertThat(m.next()).isTrue();
        assertThat(m.command()).isEqualTo(CaProtocol.SEARCH);
        assertThat(m.payloadSize()).isEqualTo(CaProtocol.SEARCH_REPLY_PAYLOAD_LENGTH);
        assertThat(m.dataType()).isEqualTo(5064);
        assertThat(m.dataCount()).isZero();
        assertThat(m.parameter1()).isEqualTo(CaProtocol.ADDRESS_FROM_SOURCE);
        assertThat(m.parameter2()).isEqualTo(77);
        assertThat(m.replyMinorVersion()).isEqualTo(11);
        assertThat(m.next()).isFalse();
        assertThat(m.error()).isNull();
    }

    @Test
    void shouldEncodeByteIdenticalReplyWhenBuildingRsrvStyleReply() {
        byte[] out = new byte[64];
        MemorySegment s = MemorySegment.ofArray(out);
        long p = CaEncoder.writeVersion(s, 0, 0, CaProtocol.MINOR_VERSION, 0);
        p = CaEncoder.writeSearchReply(s, p, 45064, CaProtocol.ADDRESS_FROM_SOURCE, 1, CaProtocol.MINOR_VERSION);
        assertThat(Hex.of(out, (int) p)).isEqualTo(Hex.of(RSRV_STYLE_REPLY, RSRV_STYLE_REPLY.length));
        p = CaEncoder.writeSearchReply(s, 0, 5064, CaProtocol.ADDRESS_FROM_SOURCE, 77, 11);
        assertThat(Hex.of(out, (int) p)).isEqualTo(Hex.of(CAS_REPLY, CAS_REPLY.length));
    }

    @Test
    void shouldRoundTripRepeaterAndBeaconMessagesWhenEncoded() {
        byte[] out = new byte[64];
        MemorySegment s = MemorySegment.ofArray(out);
        long p = CaEncoder.writeRepeaterConfirm(s, 0, 0x7F000001);
        assertThat(Hex.of(out, (int) p)).isEqualTo(Hex.of(REPEATER_CONFIRM, REPEATER_CONFIRM.length));
        p = CaEncoder.writeRepeaterRegister(s, 0, 0x7F000001);
        p = CaEncoder.writeBeacon(s, p, 13, 5064, 42, 0);
        m.wrap(s, 0, (int) p);
        assertThat(m.next()).isTrue();
        assertThat(m.command()).isEqualTo(CaProtocol.REPEATER_REGISTER);
        assertThat(m.parameter2()).isEqualTo(0x7F000001);
        assertThat(m.next()).isTrue();
        assertThat(m.command()).isEqualTo(CaProtocol.RSRV_IS_UP);
        assertThat(m.dataType()).isEqualTo(13);
        assertThat(m.dataCount()).isEqualTo(5064);
        assertThat(m.parameter1()).isEqualTo(42);
        assertThat(m.parameter2()).isZero();
        assertThat(m.next()).isFalse();
    }

    @Test
    void shouldStopWithTruncatedWhenPayloadRunsPastDatagram() {
        m.wrap(MemorySegment.ofArray(LIBCA_SEARCH), 0, LIBCA_SEARCH.length - 1);
        assertThat(m.next()).isTrue();
        assertThat(m.next()).isFalse();
        assertThat(m.error()).isEqualTo(EpicsDropReason.TRUNCATED);
    }

    @Test
    void shouldStopWithTruncatedWhenTrailingBytesAreShorterThanHeader() {
        m.wrap(MemorySegment.ofArray(LIBCA_SEARCH), 0, 20);
        assertThat(m.next()).isTrue();
        assertThat(m.next()).isFalse();
        assertThat(m.error()).isEqualTo(EpicsDropReason.TRUNCATED);
    }

    @Test
    void shouldRejectExtendedHeaderWhenSeenInUdp() {
        byte[] ext = Hex.bytes("00 06 ff ff 00 05 00 00 00 00 00 01 00 00 00 01 00 00 00 08 00 00 00 00");
        m.wrap(MemorySegment.ofArray(ext), 0, ext.length);
        assertThat(m.next()).isFalse();
        assertThat(m.error()).isEqualTo(EpicsDropReason.CA_EXTENDED_HEADER);
    }

    @Test
    void shouldReportNoNulWhenSearchNameIsUnterminated() {
        byte[] bad = LIBCA_SEARCH.clone();
        for (int i = 42; i < 48; i++) {
            bad[i] = 'X';
        }
        m.wrap(MemorySegment.ofArray(bad), 0, bad.length);
        m.next();
        m.next();
        assertThat(m.stringLength()).isEqualTo(-1);
    }

    @Test
    void shouldPadNameToMultipleOfEightWhenEncodingSearch() {
        assertThat(CaEncoder.searchRequestPayload(7)).isEqualTo(8);
        assertThat(CaEncoder.searchRequestPayload(8)).isEqualTo(16);
        assertThat(CaEncoder.searchRequestPayload(10)).isEqualTo(16);
    }
}
