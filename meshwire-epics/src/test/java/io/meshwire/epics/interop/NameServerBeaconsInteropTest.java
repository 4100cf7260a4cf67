package io.meshwire.epics.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwire.epics.BeaconListener;
import io.meshwire.epics.BeaconSenderConfig;
import io.meshwire.epics.BeaconServer;
import io.meshwire.epics.BeaconTracker;
import io.meshwire.epics.EndpointTransport;
import io.meshwire.epics.EpicsDropCounters;
import io.meshwire.epics.EpicsProtocol;
import io.meshwire.epics.EpicsTransport;
import io.meshwire.epics.NameDirectory;
import io.meshwire.epics.NameServer;
import io.meshwire.epics.NameServerConfig;
import io.meshwire.epics.SearchResponderConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The name server's beacons received by real third-party EPICS code on loopback: the phoebus PVA client's beacon
 * tracker ({@code org.epics.pva.client.PVAClientMain beacons}, core-pva 5.0.5) and the jca CA repeater (2.4.11), which
 * forwards them to a registered client. Beacons go to explicit 127.0.0.1 destinations only; every process is ended
 * by PID.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NameServerBeaconsInteropTest {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    static final Duration START = Duration.ofSeconds(30);
    static final byte[] GUID = HexFormat.of().parseHex("4d6573687769726542656163");

    static NameServer nameServer(int caBeaconPort, int pvaBeaconPort) throws Exception {
        NameDirectory empty = NameDirectory.parse("empty", List.of(), NameDirectory.HostResolver.system());
        Map<EpicsProtocol, EpicsTransport> t = new EnumMap<>(EpicsProtocol.class);
        t.put(EpicsProtocol.CA, EndpointTransport.open(new InetSocketAddress(LOOPBACK, 0)));
        t.put(EpicsProtocol.PVA, EndpointTransport.open(new InetSocketAddress(LOOPBACK, 0)));
        BeaconSenderConfig.Builder beacons = BeaconSenderConfig.builder().enabled(true).autoAddrList(false)
                .period(Duration.ofMillis(300));
        if (caBeaconPort > 0) {
            beacons.caAddrList("127.0.0.1:" + caBeaconPort);
        }
        if (pvaBeaconPort > 0) {
            beacons.pvaAddrList("127.0.0.1:" + pvaBeaconPort);
        }
        return NameServer.start(t, () -> empty, NameServerConfig.builder()
                .responder(SearchResponderConfig.builder().guid(GUID).build()).beacons(beacons.build()).build());
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Test
    void shouldBeTrackedByPhoebusPvaClientWhenItListensForBeacons() throws Exception {
        int port = Ports.freeTcpAndUdp();
        // PVAClientMain's "beacons" command logs its beacon tracker's table (GUID, server address and port) per beacon
        PeerProcess client = PeerProcess.start("pva-beacons", List.of(java(), "-Xmx64m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "org.epics.pva.client.PVAClientMain", "beacons"),
                Map.of("EPICS_PVA_BROADCAST_PORT", "" + port, "EPICS_PVA_AUTO_ADDR_LIST", "NO",
                        "EPICS_PVA_ADDR_LIST", "127.0.0.1"));
        List<ProcessHandle> all = new ArrayList<>();
        try (client) {
            client.await("", START); // its first log line: the JVM is up
            try (NameServer ns = nameServer(0, port)) {
                int pvaPort = ns.transports().get(1).localPort();
                String line = client.await(HexFormat.of().formatHex(GUID).toUpperCase(Locale.ROOT) + " /127.0.0.1:"
                        + pvaPort + " ", START);
                assertThat(line).contains("(new beacon)");
                assertThat(ns.beaconSendErrors()).isZero();
            }
            all.add(ProcessHandle.of(client.pid()).orElse(null));
            all.addAll(client.descendantsSeen());
        }
        all.removeIf(h -> h == null);
        assertThat(all).as("peer processes still running").noneMatch(ProcessHandle::isAlive);
    }

    @Test
    void shouldBeForwardedByRealCaRepeaterWhenAClientRegisters() throws Exception {
        int port = Ports.freeTcpAndUdp();
        PeerProcess repeater = PeerProcess.start("ca-repeater", List.of(java(), "-Xmx64m", "-cp",
                System.getProperty("java.class.path"), "com.cosylab.epics.caj.CARepeater", "-p", "" + port), Map.of());
        try (repeater) {
            RealPeersInteropTest.waitFor(() -> !RealPeersInteropTest.udpPortFree(port), START);
            List<String> restarts = new ArrayList<>();
            BeaconTracker tracker = new BeaconTracker(16, new BeaconTracker.Listener() {
                @Override
                public void onRestart(BeaconServer s) {
                    restarts.add(s.toString());
                }
            }, new EpicsDropCounters());
            try (BeaconListener l = BeaconListener.open(LOOPBACK, port, 0, tracker)) {
                assertThat(l.viaRepeater()).isTrue();
                RealPeersInteropTest.waitFor(() -> tracker.repeaterConfirms() > 0, Duration.ofSeconds(10));
                try (NameServer ns = nameServer(port, 0)) {
                    int caPort = ns.transports().get(0).localPort();
                    RealPeersInteropTest.waitFor(() -> tracker.servers(System.nanoTime()).stream()
                            .anyMatch(s -> s.beacons() >= 4), Duration.ofSeconds(10));
                    BeaconServer s = tracker.servers(System.nanoTime()).get(0);
                    // the repeater filled in the source address for our server address 0
                    assertThat(s.server()).isEqualTo(new InetSocketAddress(LOOPBACK, caPort));
                    assertThat(s.protocol()).isEqualTo(EpicsProtocol.CA);
                    assertThat(s.lastId()).isGreaterThanOrEqualTo(3);
                    assertThat(s.restarts()).isZero();
                }
            }
            assertThat(restarts).isEmpty();
        }
        assertThat(ProcessHandle.of(repeater.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }
}
