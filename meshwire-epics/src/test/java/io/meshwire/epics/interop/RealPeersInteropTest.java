package io.meshwire.epics.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwire.epics.BeaconListener;
import io.meshwire.epics.BeaconServer;
import io.meshwire.epics.BeaconTracker;
import io.meshwire.epics.CaEncoder;
import io.meshwire.epics.EndpointTransport;
import io.meshwire.epics.EpicsDropCounters;
import io.meshwire.epics.EpicsProtocol;
import io.meshwire.epics.EpicsSearch;
import io.meshwire.epics.NameDirectory;
import io.meshwire.epics.NameServer;
import io.meshwire.epics.NameServerConfig;
import io.meshwire.epics.SearchClientConfig;
import io.meshwire.epics.SearchReport;
import io.meshwire.epics.SearchResult;
import io.meshwire.epics.SearchTarget;
import java.lang.foreign.MemorySegment;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Interop with real EPICS peers on loopback, each in its own process: the jca CAS server and CAJ client
 * ({@code org.epics:jca:2.4.11}), the phoebus PVA server and client ({@code org.phoebus:core-pva:5.0.5}), the C libca
 * from Debian ({@code libca4.13.5}, through python3 ctypes) and the jca CA repeater. Every peer uses non-default ports
 * and loopback-only address lists (automatic lists off, beacons to 127.0.0.1), and is ended by PID with everything it
 * started.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RealPeersInteropTest {
    static final Duration PEER_START = Duration.ofSeconds(30);
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    final List<PeerProcess> peers = new ArrayList<>();
    int casPort;
    int casBeaconPort;
    int pvaTcpPort;
    int pvaUdpPort;
    PeerProcess cas;
    PeerProcess pvaServer;
    NameServer nameServer;

    @BeforeAll
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void startServers() throws Exception {
        casPort = Ports.freeTcpAndUdp();
        casBeaconPort = Ports.freeTcpAndUdp();
        cas = peer(PeerProcess.java("cas", CasPeer.class, List.of(), Map.of(), "" + casPort, "" + casBeaconPort,
                "TEST:CAS:1", "TEST:CAS:LIBCA", "TEST:CAS:CAJ"));
        pvaTcpPort = Ports.freeTcpAndUdp();
        pvaUdpPort = Ports.freeTcpAndUdp();
        Map<String, String> pvaEnv = Map.of("EPICS_PVA_SERVER_PORT", "" + pvaTcpPort,
                "EPICS_PVAS_BROADCAST_PORT", "" + pvaUdpPort, "EPICS_PVA_BROADCAST_PORT", "" + pvaUdpPort,
                "EPICS_PVAS_INTF_ADDR_LIST", "127.0.0.1", "EPICS_PVA_AUTO_ADDR_LIST", "NO",
                "EPICS_PVA_ADDR_LIST", "127.0.0.1");
        pvaServer = peer(PeerProcess.java("pva-server", PvaServerPeer.class, List.of(), pvaEnv, "TEST:PVA:1",
                "TEST:PVA:CLIENT"));
        cas.await("READY", PEER_START);
        String ready = pvaServer.await("READY", PEER_START);
        assertThat(ready).isEqualTo("READY " + pvaTcpPort);
        NameDirectory directory = NameDirectory.parse("interop", List.of(
                "TEST:CAS:* 127.0.0.1:" + casPort + " ca",
                "TEST:PVA:* 127.0.0.1:" + pvaTcpPort + " pva"), NameDirectory.HostResolver.system());
        nameServer = NameServer.start(List.of(EndpointTransport.open(new InetSocketAddress(LOOPBACK, 0)),
                EndpointTransport.open(new InetSocketAddress(LOOPBACK, 0))), () -> directory,
                NameServerConfig.builder().build());
    }

    PeerProcess peer(PeerProcess p) {
        peers.add(p);
        return p;
    }

    @AfterAll
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void stopAll() {
        if (nameServer != null) {
            nameServer.close();
        }
        List<ProcessHandle> all = new ArrayList<>();
        for (PeerProcess p : peers) {
            all.addAll(p.descendantsSeen());
            all.add(ProcessHandle.of(p.pid()).orElse(null));
            p.close();
        }
        all.removeIf(h -> h == null);
        assertThat(all).as("peer processes still running").noneMatch(ProcessHandle::isAlive);
    }

    int nameServerCaPort() {
        return nameServer.transports().get(0).localPort();
    }

    int nameServerPvaPort() {
        return nameServer.transports().get(1).localPort();
    }

    /** Skips with the reason, except under CI=true, where a missing prerequisite fails the test. */
    static void require(boolean condition, String reason) {
        if ("true".equals(System.getenv("CI"))) {
            Assertions.assertTrue(condition, reason);
        }
        Assumptions.assumeTrue(condition, reason);
    }

    static boolean libcaAvailable() {
        try {
            Process p = new ProcessBuilder(python(), "-c", "import ctypes; ctypes.CDLL('libca.so.4.13.5')")
                    .redirectErrorStream(true).start();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    static String python() {
        return java.nio.file.Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    @Test
    void shouldConnectLibcaThroughMeshwireNameServerWhenAddrListIsLoopback() throws Exception {
        require(libcaAvailable(), "needs python3 and Debian's libca4.13.5 (apt-get install -y python3 libca4.13.5)");
        long found = nameServer.stats().found();
        Path script = Path.of(getClass().getResource("libca_connect.py").toURI());
        try (PeerProcess libca = peer(PeerProcess.start("libca", List.of(python(), script.toString(), "TEST:CAS:LIBCA",
                "10"), Map.of("EPICS_CA_ADDR_LIST", "127.0.0.1", "EPICS_CA_AUTO_ADDR_LIST", "NO",
                "EPICS_CA_SERVER_PORT", "" + nameServerCaPort(),
                "EPICS_CA_REPEATER_PORT", "" + Ports.freeTcpAndUdp())))) {
            String line = libca.await("CONNECTED", PEER_START);
            assertThat(line).startsWith("CONNECTED TEST:CAS:LIBCA ").contains("" + casPort);
        }
        assertThat(nameServer.stats().found()).isGreaterThan(found);
    }

    @Test
    void shouldConnectCajThroughMeshwireNameServerAndEndItsRepeaterWhenDone() throws Exception {
        long found = nameServer.stats().found();
        int repeaterPort = Ports.freeTcpAndUdp();
        Set<ProcessHandle> spawned;
        try (PeerProcess caj = peer(PeerProcess.java("caj", CajClientPeer.class, List.of(), Map.of(),
                "127.0.0.1:" + nameServerCaPort(), "" + repeaterPort, "10", "TEST:CAS:CAJ"))) {
            String line = caj.await("CONNECTED", PEER_START);
            assertThat(line).startsWith("CONNECTED TEST:CAS:CAJ ");
            spawned = caj.descendantsSeen();
            assertThat(spawned).as("CAJ spawned its CA repeater")
                    .anyMatch(h -> h.info().commandLine().orElse("").contains("com.cosylab.epics.caj.CARepeater -p "
                            + repeaterPort));
        }
        assertThat(nameServer.stats().found()).isGreaterThan(found);
        // CAJ starts a CA repeater with Runtime.exec; closing the peer ends it by PID
        assertThat(spawned).noneMatch(ProcessHandle::isAlive);
    }

    @Test
    void shouldConnectPhoebusPvaClientThroughMeshwireNameServerWhenAddrListIsLoopback() throws Exception {
        long found = nameServer.stats().found();
        Map<String, String> env = Map.of("EPICS_PVA_ADDR_LIST", "127.0.0.1:" + nameServerPvaPort(),
                "EPICS_PVA_AUTO_ADDR_LIST", "NO", "EPICS_PVA_BROADCAST_PORT", "" + Ports.freeTcpAndUdp(),
                "EPICS_PVA_SERVER_PORT", "" + Ports.freeTcpAndUdp());
        try (PeerProcess client = peer(PeerProcess.java("pva-client", PvaClientPeer.class, List.of(), env, "10",
                "TEST:PVA:CLIENT"))) {
            String line = client.await("CONNECTED", PEER_START);
            assertThat(line).startsWith("CONNECTED TEST:PVA:CLIENT").contains("" + pvaTcpPort);
        }
        assertThat(nameServer.stats().found()).isGreaterThan(found);
    }

    @Test
    void shouldFindPvsOnRealCasAndPvaServerWhenMeshwireSearches() throws Exception {
        List<SearchTarget> targets = List.of(
                new SearchTarget(EpicsProtocol.CA, new InetSocketAddress(LOOPBACK, casPort), SearchTarget.Kind.UNICAST,
                        0, "cas"),
                new SearchTarget(EpicsProtocol.PVA, new InetSocketAddress(LOOPBACK, pvaUdpPort),
                        SearchTarget.Kind.UNICAST, 0, "pva-server"));
        try (EndpointTransport t = EndpointTransport.open(new InetSocketAddress(LOOPBACK, 0))) {
            SearchReport r = EpicsSearch.run(t, SearchClientConfig.builder().build(),
                    List.of("TEST:CAS:1", "TEST:PVA:1", "TEST:NOWHERE"), EnumSet.allOf(EpicsProtocol.class), targets,
                    Duration.ofSeconds(3));
            assertThat(r.results()).as(r.toText()).filteredOn(SearchResult::found)
                    .extracting(x -> x.name() + "/" + x.protocol().label() + "=" + SearchResult.text(x.server()))
                    .containsExactly("TEST:CAS:1/ca=127.0.0.1:" + casPort, "TEST:PVA:1/pva=127.0.0.1:" + pvaTcpPort);
            assertThat(r.missing()).containsExactly("TEST:NOWHERE");
            assertThat(r.dropped()).isZero();
        }
    }

    @Test
    void shouldTrackRealCasBeaconsWhenListeningOnItsBeaconPort() throws Exception {
        BeaconTracker tracker = new BeaconTracker(16, new BeaconTracker.Listener() { }, new EpicsDropCounters());
        try (BeaconListener l = BeaconListener.open(LOOPBACK, casBeaconPort, 0, tracker)) {
            assertThat(l.viaRepeater()).isFalse();
            waitFor(() -> tracker.servers(System.nanoTime()).stream().anyMatch(s -> s.beacons() >= 2),
                    Duration.ofSeconds(20));
        }
        BeaconServer s = tracker.servers(System.nanoTime()).get(0);
        assertThat(s.protocol()).isEqualTo(EpicsProtocol.CA);
        assertThat(s.server()).isEqualTo(new InetSocketAddress(LOOPBACK, casPort));
        assertThat(s.restarts()).isZero();
        assertThat(s.lastInterval()).isNotNull();
    }

    @Test
    void shouldRegisterWithRealRepeaterAndGetForwardedBeaconsWhenPortIsTaken() throws Exception {
        int port = Ports.freeTcpAndUdp();
        PeerProcess repeater = peer(PeerProcess.start("ca-repeater", List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-cp",
                System.getProperty("java.class.path"), "com.cosylab.epics.caj.CARepeater", "-p", "" + port), Map.of()));
        try (repeater) {
            waitFor(() -> !udpPortFree(port), PEER_START);
            BeaconTracker tracker = new BeaconTracker(16, new BeaconTracker.Listener() { }, new EpicsDropCounters());
            try (BeaconListener l = BeaconListener.open(LOOPBACK, port, 0, tracker);
                 DatagramSocket server = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
                assertThat(l.viaRepeater()).isTrue();
                waitFor(() -> tracker.repeaterConfirms() > 0, Duration.ofSeconds(10));
                byte[] beacon = new byte[16];
                // server address 0: the repeater fills in the beacon's source address
                CaEncoder.writeBeacon(MemorySegment.ofArray(beacon), 0, 13, 5999, 1, 0);
                for (int id = 1; id <= 3; id++) {
                    beacon[11] = (byte) id;
                    server.send(new DatagramPacket(beacon, 16, new InetSocketAddress(LOOPBACK, port)));
                    Thread.sleep(50);
                }
                waitFor(() -> tracker.servers(System.nanoTime()).stream().anyMatch(s -> s.beacons() >= 3),
                        Duration.ofSeconds(10));
                BeaconServer s = tracker.servers(System.nanoTime()).get(0);
                assertThat(s.server()).isEqualTo(new InetSocketAddress(LOOPBACK, 5999));
            }
        }
    }

    static boolean udpPortFree(int port) {
        try (DatagramSocket s = new DatagramSocket(null)) {
            s.bind(new InetSocketAddress("0.0.0.0", port));
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    static void waitFor(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            Thread.sleep(25);
        }
    }
}
