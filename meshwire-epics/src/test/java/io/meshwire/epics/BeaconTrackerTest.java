package io.meshwire.epics;

import io.meshwire.testing.AllocationMeter;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BeaconTrackerTest {
    static final long S = 1_000_000_000L;
    final List<String> events = new ArrayList<>();
    final EpicsDropCounters drops = new EpicsDropCounters();
    final BeaconTracker tracker = new BeaconTracker(4, new BeaconTracker.Listener() {
        @Override
        public void onNewServer(BeaconServer s) {
            events.add("new " + s.protocol().label() + " " + SearchResult.text(s.server()) + " " + s.nic());
        }

        @Override
        public void onRestart(BeaconServer s) {
            events.add("restart " + s.protocol().label() + " " + SearchResult.text(s.server()));
        }
    }, drops);

    static EpicsDatagram from(byte[] b, String ip, int ifindex) throws Exception {
        return new EpicsDatagram().set(MemorySegment.ofArray(b), 0, b.length,
                new InetSocketAddress(InetAddress.getByName(ip), 40000), null, ifindex, SocketRole.BROADCAST_RX);
    }

    static byte[] ca(int beaconId, int port, int serverIp) {
        byte[] b = new byte[16];
        CaEncoder.writeBeacon(MemorySegment.ofArray(b), 0, 13, port, beaconId, serverIp);
        return b;
    }

    static byte[] pva(int guidByte, int seq, boolean be) {
        byte[] guid = new byte[12];
        guid[0] = (byte) guidByte;
        byte[] b = new byte[64];
        int n = PvaEncoder.writeBeacon(MemorySegment.ofArray(b), 0, be, guid, 0, seq, 0, 0, 5075);
        return java.util.Arrays.copyOf(b, n);
    }

    @Test
    void shouldCountIntervalsDuplicatesAndRestartsWhenCaBeaconsArrive() throws Exception {
        tracker.onDatagram(from(ca(0, 5064, 0), "10.0.0.5", 2), 0);
        tracker.onDatagram(from(ca(1, 5064, 0), "10.0.0.5", 2), S);
        tracker.onDatagram(from(ca(1, 5064, 0), "10.0.0.5", 2), S + 1000); // same beacon, second socket
        tracker.onDatagram(from(ca(2, 5064, 0), "10.0.0.5", 2), 3 * S);
        tracker.onDatagram(from(ca(0, 5064, 0), "10.0.0.5", 2), 4 * S); // restarted
        // the same server seen on another NIC, and one forwarded by a repeater with its address filled in
        tracker.onDatagram(from(ca(7, 5064, 0), "10.0.0.5", 3), 4 * S);
        tracker.onDatagram(from(ca(9, 6064, 0x0A000009), "127.0.0.1", 1), 4 * S);
        assertThat(events).containsExactly("new ca 10.0.0.5:5064 if#2", "restart ca 10.0.0.5:5064",
                "new ca 10.0.0.5:5064 if#3", "new ca 10.0.0.9:6064 if#1");
        BeaconServer s = tracker.servers(5 * S).get(0);
        assertThat(s.beacons()).isEqualTo(4);
        assertThat(s.duplicates()).isEqualTo(1);
        assertThat(s.restarts()).isEqualTo(1);
        assertThat(s.minInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.maxInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.lastInterval()).isNull();
        assertThat(s.sinceFirst()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.sinceLast()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void shouldReadPortFromDataTypeWhenJcaCasSendsCountZero() throws Exception {
        // a jca CAS 2.4.11 beacon as captured: port 47124 in the data type, count 0, beacon id 2, address 0
        byte[] jca = Hex.bytes("00 0d 00 00 b8 14 00 00 00 00 00 02 00 00 00 00");
        tracker.onDatagram(from(jca, "127.0.0.1", 1), 0);
        // an rsrv-style beacon without any port: the default
        tracker.onDatagram(from(Hex.bytes("00 0d 00 00 00 0d 00 00 00 00 00 02 00 00 00 00"), "10.0.0.8", 1), 0);
        assertThat(events).containsExactly("new ca 127.0.0.1:47124 if#1", "new ca 10.0.0.8:5064 if#1");
    }

    @Test
    void shouldDetectRestartByGuidWhenPvaServerComesBack() throws Exception {
        tracker.onDatagram(from(pva(1, 10, true), "10.0.0.6", 2), 0);
        tracker.onDatagram(from(pva(1, 11, false), "10.0.0.6", 2), 15 * S);
        tracker.onDatagram(from(pva(1, 11, true), "10.0.0.6", 2), 15 * S);
        tracker.onDatagram(from(pva(2, 0, true), "10.0.0.6", 2), 20 * S);
        assertThat(events).containsExactly("new pva 10.0.0.6:5075 if#2", "restart pva 10.0.0.6:5075");
        BeaconServer s = tracker.servers(20 * S).get(0);
        assertThat(s.guid()).isEqualTo("020000000000000000000000");
        assertThat(s.beacons()).isEqualTo(3);
        assertThat(s.duplicates()).isEqualTo(1);
        assertThat(s.lastInterval()).isNull();
        assertThat(s.maxInterval()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void shouldCountOverflowWhenMoreServersThanCapacity() throws Exception {
        for (int i = 0; i < 6; i++) {
            tracker.onDatagram(from(ca(0, 5064, 0), "10.0.0." + (i + 1), 2), 0);
        }
        assertThat(tracker.servers(0)).hasSize(4);
        assertThat(tracker.overflow()).isEqualTo(2);
    }

    @Test
    void shouldCountRepeaterConfirmAndMalformedBeacons() throws Exception {
        tracker.onDatagram(from(CaCodecTest.REPEATER_CONFIRM, "127.0.0.1", 1), 0);
        tracker.onDatagram(from(java.util.Arrays.copyOf(pva(1, 1, true), 30), "10.0.0.6", 2), 0);
        assertThat(tracker.repeaterConfirms()).isEqualTo(1);
        assertThat(drops.count(EpicsDropReason.TRUNCATED)).isEqualTo(1);
        assertThat(tracker.servers(0)).isEmpty();
    }

    @Test
    void shouldAllocateNothingPerBeaconWhenServersAreKnown() throws Exception {
        EpicsDatagram caBeacon = from(ca(1, 5064, 0), "10.0.0.5", 2);
        EpicsDatagram pvaBeacon = from(pva(1, 1, true), "10.0.0.6", 2);
        long[] t = {0};
        long best = AllocationMeter.bestOfRounds(5, 20_000, () -> {
            tracker.onDatagram(caBeacon, t[0]++);
            tracker.onDatagram(pvaBeacon, t[0]++);
        });
        assertThat(best).isLessThan(1);
    }
}
