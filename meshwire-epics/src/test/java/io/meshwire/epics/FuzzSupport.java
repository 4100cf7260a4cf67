package io.meshwire.epics;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;

/** Shared pieces of the fuzz targets: the real peers' datagrams as bases to mutate, and property checks. */
final class FuzzSupport {
    /** Datagrams real peers sent (epics-udp.md §3), plus a few the encoders build. */
    static final List<byte[]> SEEDS = List.of(CaCodecTest.LIBCA_SEARCH, CaCodecTest.CAS_REPLY,
            CaCodecTest.RSRV_STYLE_REPLY, CaCodecTest.REPEATER_CONFIRM, PvaCodecTest.PHOEBUS_SEARCH,
            PvaCodecTest.PVXS_STYLE_SEARCH, PvaCodecTest.PHOEBUS_RESPONSE,
            BeaconTrackerTest.pva(1, 1, true), BeaconTrackerTest.ca(3, 5064, 0),
            SearchResponderTest.caSearch(9, "A", "BB", "CCC:DDD"),
            SearchResponderTest.pvaSearch(false, 1, 0x7F000001, 1234, "A", "B:C"));

    static final InetSocketAddress SOURCE = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);

    private FuzzSupport() {
    }

    /**
     * Turns fuzz input into a datagram. Byte 0 bit 7 set: a seed (bits 0-3) with bytes from offset byte 1 XORed by
     * the rest of the input and cut by bits 4-6 bytes; clear: the input after byte 0 as is.
     */
    static byte[] steer(byte[] data) {
        if (data.length == 0) {
            return data;
        }
        int control = data[0] & 0xFF;
        if ((control & 0x80) == 0 || data.length < 2) {
            return Arrays.copyOfRange(data, 1, data.length);
        }
        byte[] base = SEEDS.get((control & 0x0F) % SEEDS.size()).clone();
        int at = (data[1] & 0xFF) % base.length;
        for (int i = 2; i < data.length && at < base.length; i++, at++) {
            base[at] ^= data[i];
        }
        int cut = (control >>> 4) & 7;
        return Arrays.copyOf(base, Math.max(0, base.length - cut));
    }

    static EpicsDatagram datagram(byte[] bytes) {
        return new EpicsDatagram().set(MemorySegment.ofArray(bytes), 0, bytes.length, SOURCE, null, 1,
                SocketRole.WILDCARD_RX);
    }

    static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
