package io.meshwire.epics;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BeaconListenerLoopbackTest {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    final List<String> events = new CopyOnWriteArrayList<>();
    final BeaconTracker tracker = new BeaconTracker(64, new BeaconTracker.Listener() {
        @Override
        public void onNewServer(BeaconServer s) {
            events.add(BeaconReport.event("new", s));
        }
    }, new EpicsDropCounters());

    static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            return s.getLocalPort();
        }
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    @Test
    void shouldTrackCaAndPvaBeaconsWhenTheyArriveDirectly() throws Exception {
        int caPort = freeUdpPort();
        int pvaPort = freeUdpPort();
        try (BeaconListener l = BeaconListener.open(LOOPBACK, caPort, pvaPort, tracker);
             DatagramSocket server = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            assertThat(l.viaRepeater()).isFalse();
            byte[] ca = BeaconTrackerTest.ca(1, 5064, 0);
            byte[] pva = BeaconTrackerTest.pva(3, 1, true);
            server.send(new DatagramPacket(ca, ca.length, new InetSocketAddress(LOOPBACK, caPort)));
            server.send(new DatagramPacket(pva, pva.length, new InetSocketAddress(LOOPBACK, pvaPort)));
            waitFor(() -> events.size() == 2);
            assertThat(events).containsExactlyInAnyOrder("new ca server 127.0.0.1:5064 on lo",
                    "new pva server 127.0.0.1:5075 on lo guid 030000000000000000000000");
            assertThat(BeaconReport.toText(tracker.servers(System.nanoTime()))).contains("2 servers");
            assertThat(BeaconReport.toJson(tracker.servers(System.nanoTime()))).startsWith("{\"servers\":[{");
        }
    }

    @Test
    void shouldRegisterWithRepeaterWhenBeaconPortIsTaken() throws Exception {
        try (DatagramSocket repeater = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            repeater.setSoTimeout(5_000);
            int port = repeater.getLocalPort();
            try (BeaconListener l = BeaconListener.open(LOOPBACK, port, 0, tracker)) {
                assertThat(l.viaRepeater()).isTrue();
                DatagramPacket p = new DatagramPacket(new byte[64], 64);
                repeater.receive(p);
                CaMessageFlyweight m = new CaMessageFlyweight().wrap(MemorySegment.ofArray(p.getData()), 0,
                        p.getLength());
                assertThat(m.next()).isTrue();
                assertThat(m.command()).isEqualTo(CaProtocol.REPEATER_REGISTER);
                byte[] confirm = CaCodecTest.REPEATER_CONFIRM;
                repeater.send(new DatagramPacket(confirm, confirm.length, p.getSocketAddress()));
                byte[] forwarded = BeaconTrackerTest.ca(5, 6064, 0x0A000009);
                repeater.send(new DatagramPacket(forwarded, forwarded.length, p.getSocketAddress()));
                waitFor(() -> !events.isEmpty());
                assertThat(events).containsExactly("new ca server 10.0.0.9:6064 on lo");
                assertThat(tracker.repeaterConfirms()).isEqualTo(1);
            }
        }
    }
}
