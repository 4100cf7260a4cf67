package io.meshwire.epics.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwire.nic.testing.NetnsFixture;
import io.meshwire.nic.testing.NetnsFixture.Veth;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * meshwire's EPICS tools on every NIC, with real EPICS peers, in network namespaces ({@link NetnsFixture}): a host
 * namespace with two veth NICs ({@code vh1} 10.1.0.1/24 and {@code vh2} 10.2.0.1/24) and a peer namespace behind
 * each (10.1.0.2, 10.2.0.2). The host namespace forwards between them, so every peer can reach every other.
 * <ul>
 *   <li>meshwire's name server ({@link NameServerPeer}: a {@code NicSetTransport} on the default ports 5064 and 5076,
 *       every NIC with its broadcast-bound socket and the wildcard socket) runs in the host namespace;</li>
 *   <li>the real jca CAS serves {@code NET:CA:*} on 10.1.0.2:6064 in the first peer namespace, the real phoebus
 *       PVAServer serves {@code NET:PVA:*} on 10.2.0.2:6075 in the second, and a second CAS {@code NET:CA2:*} on
 *       10.2.0.2:6064;</li>
 *   <li>libca (python3 ctypes, automatic address list), CAJ and the phoebus PVA client (the subnet's broadcast
 *       address as their address list) run in each peer namespace in turn, find a PV by broadcast through the name
 *       server and connect to the address from the directory; the name server's per-socket counters show that the
 *       search came in on that NIC's broadcast socket and the reply left through that NIC only;</li>
 *   <li>libca searching 255.255.255.255 is heard by the name server's wildcard socket only and answered through the
 *       NIC it came in on (PKTINFO's ifindex);</li>
 *   <li>meshwire's search client ({@link SearchPeer}) in the host namespace finds the PVs of the real CASes and
 *       PVAServer by NIC broadcast, and with 255.255.255.255 by a copy through every NIC, and reports the NIC each
 *       answer came in on;</li>
 *   <li>meshwire's beacon listener ({@link BeaconPeer}) in the host namespace reports each real CAS (one per peer
 *       namespace, beaconing to its subnet's broadcast address) on its own NIC.</li>
 * </ul>
 * The test JVM enters no namespace. Every process is ended by PID (with whatever it spawned, e.g. CAJ's CA repeater)
 * and every namespace deleted, also when a step fails. Needs root and iproute2: skips otherwise, fails under CI=true.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PerNicInteropNetnsTest {
    static final Duration PEER_START = Duration.ofSeconds(30);
    static final Duration FIND = Duration.ofSeconds(20);
    static final int CA_PORT = 5064;
    static final int PVA_PORT = 5076;
    static final int CAS_PORT = 6064;
    static final int CAS_BEACON_PORT = 6065;
    static final int PVAS_TCP_PORT = 6075;
    static final int PVAS_UDP_PORT = 6076;
    static final List<String> NATIVE = List.of("--enable-native-access=ALL-UNNAMED");

    final List<PeerProcess> peers = new ArrayList<>();
    NetnsFixture netns;
    String ip;
    Veth vh1;
    Veth vh2;
    Path directory;
    PeerProcess nameServer;

    @BeforeAll
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void startNamespacesAndServers() throws Exception {
        ip = NetnsFixture.requireEnvironment();
        netns = NetnsFixture.create(2);
        vh1 = netns.veths().get(0);
        vh2 = netns.veths().get(1);
        // route between the two subnets through the host namespace, so a client reaches the other subnet's server
        netns.execOk(netns.hostNamespace(), "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward");
        for (Veth v : List.of(vh1, vh2)) {
            netns.ipOk("-n", v.peerNamespace(), "route", "add", "default", "via", v.hostAddress().getHostAddress());
        }
        directory = Files.createTempFile("meshwire-pernic-", ".names");
        Files.writeString(directory, "NET:CA:* " + vh1.peerAddress().getHostAddress() + ":" + CAS_PORT + " ca\n"
                + "NET:PVA:* " + vh2.peerAddress().getHostAddress() + ":" + PVAS_TCP_PORT + " pva\n");
        nameServer = peer(PeerProcess.java("nameserver", in(netns.hostNamespace()), NameServerPeer.class, NATIVE,
                Map.of(), "" + CA_PORT, "" + PVA_PORT, directory.toString()));
        PeerProcess cas = peer(PeerProcess.java("cas", in(vh1.peerNamespace()), CasPeer.class,
                List.of("-Dpeer.beacon_addr_list=" + vh1.broadcast().getHostAddress()), Map.of(),
                "" + CAS_PORT, "" + CAS_BEACON_PORT, "NET:CA:1", "NET:CA:LIBCA", "NET:CA:CAJ"));
        PeerProcess cas2 = peer(PeerProcess.java("cas2", in(vh2.peerNamespace()), CasPeer.class,
                List.of("-Dpeer.beacon_addr_list=" + vh2.broadcast().getHostAddress()), Map.of(),
                "" + CAS_PORT, "" + CAS_BEACON_PORT, "NET:CA2:1"));
        PeerProcess pvas = peer(PeerProcess.java("pva-server", in(vh2.peerNamespace()), PvaServerPeer.class,
                List.of(), Map.of("EPICS_PVA_SERVER_PORT", "" + PVAS_TCP_PORT,
                        "EPICS_PVAS_BROADCAST_PORT", "" + PVAS_UDP_PORT, "EPICS_PVA_BROADCAST_PORT", "" + PVAS_UDP_PORT,
                        "EPICS_PVA_AUTO_ADDR_LIST", "NO", "EPICS_PVA_ADDR_LIST", "127.0.0.1"),
                "NET:PVA:1", "NET:PVA:CLIENT"));
        nameServer.await("READY", PEER_START);
        cas.await("READY", PEER_START);
        cas2.await("READY", PEER_START);
        assertThat(pvas.await("READY", PEER_START)).isEqualTo("READY " + PVAS_TCP_PORT);
    }

    List<String> in(String namespace) {
        return List.of(ip, "netns", "exec", namespace);
    }

    PeerProcess peer(PeerProcess p) {
        peers.add(p);
        return p;
    }

    @AfterAll
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void stopAll() throws IOException {
        List<ProcessHandle> all = new ArrayList<>();
        try {
            for (PeerProcess p : peers) {
                all.addAll(p.descendantsSeen());
                ProcessHandle.of(p.pid()).ifPresent(all::add);
                p.close();
            }
        } finally {
            if (netns != null) {
                netns.close();
            }
            if (directory != null) {
                Files.deleteIfExists(directory);
            }
        }
        assertThat(all).as("peer processes still running").noneMatch(ProcessHandle::isAlive);
    }

    @Test
    void shouldBindEverySocketKindOnBothPortsWhenNameServerStarts() {
        List<String> sockets = nameServer.transcript().stream().filter(l -> l.startsWith("SOCKET ")).toList();
        for (int port : List.of(CA_PORT, PVA_PORT)) {
            assertThat(sockets).contains("SOCKET " + port + " UNICAST lo 127.0.0.1",
                    "SOCKET " + port + " UNICAST vh1 10.1.0.1", "SOCKET " + port + " UNICAST vh2 10.2.0.1",
                    "SOCKET " + port + " BROADCAST_RX vh1 10.1.0.255", "SOCKET " + port + " BROADCAST_RX vh2 10.2.0.255",
                    "SOCKET " + port + " WILDCARD_RX * 0.0.0.0");
        }
    }

    @Test
    void shouldConnectLibcaOnEachNicWhenItFindsThePvByBroadcastThroughMeshwire() throws Exception {
        RealPeersInteropTest.require(RealPeersInteropTest.libcaAvailable(),
                "needs python3 and Debian's libca4.13.5 (apt-get install -y python3 libca4.13.5)");
        Path script = Path.of(getClass().getResource("libca_connect.py").toURI());
        for (Veth v : List.of(vh1, vh2)) {
            Map<String, Long> before = counters();
            List<String> cmd = new ArrayList<>(in(v.peerNamespace()));
            cmd.addAll(List.of(RealPeersInteropTest.python(), script.toString(), "NET:CA:LIBCA", "10"));
            try (PeerProcess libca = peer(PeerProcess.start("libca-" + v.hostInterface(), cmd, Map.of(
                    "EPICS_CA_AUTO_ADDR_LIST", "YES", "EPICS_CA_ADDR_LIST", "",
                    "EPICS_CA_SERVER_PORT", "" + CA_PORT)))) {
                assertThat(libca.await("CONNECTED", FIND)).startsWith("CONNECTED NET:CA:LIBCA ")
                        .contains(vh1.peerAddress().getHostAddress());
            }
            assertAnsweredThrough(v, CA_PORT, before, counters());
        }
    }

    @Test
    void shouldConnectCajOnEachNicWhenItFindsThePvByBroadcastThroughMeshwire() throws Exception {
        for (Veth v : List.of(vh1, vh2)) {
            Map<String, Long> before = counters();
            Set<ProcessHandle> spawned;
            try (PeerProcess caj = peer(PeerProcess.java("caj-" + v.hostInterface(), in(v.peerNamespace()),
                    CajClientPeer.class, List.of(), Map.of(), v.broadcast().getHostAddress(), "5065", "10",
                    "NET:CA:CAJ"))) {
                assertThat(caj.await("CONNECTED", FIND)).startsWith("CONNECTED NET:CA:CAJ ")
                        .contains(vh1.peerAddress().getHostAddress());
                spawned = caj.descendantsSeen();
                assertThat(spawned).as("CAJ spawned its CA repeater").anyMatch(h -> h.info().commandLine()
                        .orElse("").contains("com.cosylab.epics.caj.CARepeater -p 5065"));
            }
            // CAJ starts a detached CA repeater with Runtime.exec: closing the peer ended it by PID
            assertThat(spawned).noneMatch(ProcessHandle::isAlive);
            assertAnsweredThrough(v, CA_PORT, before, counters());
        }
    }

    @Test
    void shouldConnectPhoebusPvaClientOnEachNicWhenItFindsThePvByBroadcastThroughMeshwire() throws Exception {
        for (Veth v : List.of(vh1, vh2)) {
            Map<String, Long> before = counters();
            try (PeerProcess client = peer(PeerProcess.java("pva-client-" + v.hostInterface(), in(v.peerNamespace()),
                    PvaClientPeer.class, List.of(), Map.of("EPICS_PVA_ADDR_LIST", v.broadcast().getHostAddress(),
                            "EPICS_PVA_AUTO_ADDR_LIST", "NO", "EPICS_PVA_BROADCAST_PORT", "" + PVA_PORT,
                            "EPICS_PVA_SERVER_PORT", "7075"), "10", "NET:PVA:CLIENT"))) {
                assertThat(client.await("CONNECTED", FIND)).startsWith("CONNECTED NET:PVA:CLIENT")
                        .contains(vh2.peerAddress().getHostAddress() + ":" + PVAS_TCP_PORT);
            }
            assertAnsweredThrough(v, PVA_PORT, before, counters());
        }
    }

    @Test
    void shouldFindPvsOfRealServersOnTheirNicsWhenMeshwireSearchesEveryNic() throws Exception {
        try (PeerProcess search = peer(PeerProcess.java("search", in(netns.hostNamespace()), SearchPeer.class, NATIVE,
                Map.of(), "" + CAS_PORT, "" + PVAS_UDP_PORT, "5", "auto", "NET:CA:1", "NET:CA2:1", "NET:PVA:1", "NET:NOWHERE"))) {
            search.await("DONE", FIND);
            List<String> lines = search.transcript();
            for (String target : List.of("ca 10.1.0.255:" + CAS_PORT, "ca 10.2.0.255:" + CAS_PORT,
                    "pva 10.1.0.255:" + PVAS_UDP_PORT, "pva 10.2.0.255:" + PVAS_UDP_PORT)) {
                String nic = target.contains("10.1.") ? "vh1" : "vh2";
                assertThat(lines).as("targets").anyMatch(l -> l.startsWith("TARGET " + target + " NIC_BROADCAST")
                        && l.endsWith("(auto:" + nic + ")"));
            }
            assertThat(lines).as(String.join("\n", lines)).contains(
                    "RESULT NET:CA:1 ca true 10.1.0.2:" + CAS_PORT + " 10.1.0.2:" + CAS_PORT + " vh1",
                    "RESULT NET:CA2:1 ca true 10.2.0.2:" + CAS_PORT + " 10.2.0.2:" + CAS_PORT + " vh2",
                    "RESULT NET:NOWHERE ca false - - -",
                    "RESULT NET:NOWHERE pva false - - -");
            assertThat(lines).anyMatch(l -> l.startsWith("RESULT NET:PVA:1 pva true 10.2.0.2:" + PVAS_TCP_PORT + " ")
                    && l.endsWith(" vh2"));
        }
    }

    @Test
    void shouldFanOutOverEveryNicWhenMeshwireSearchesTheLimitedBroadcast() throws Exception {
        try (PeerProcess search = peer(PeerProcess.java("search-fanout", in(netns.hostNamespace()), SearchPeer.class,
                NATIVE, Map.of(), "" + CAS_PORT, "" + PVAS_UDP_PORT, "5", "255.255.255.255", "NET:CA:1",
                "NET:CA2:1"))) {
            search.await("DONE", FIND);
            List<String> lines = search.transcript();
            assertThat(lines).as("targets").anyMatch(l -> l.startsWith("TARGET ca 255.255.255.255:" + CAS_PORT
                    + " FANOUT"));
            // one copy left through each NIC: each subnet's CAS answered, and the answer came in on its NIC
            assertThat(lines).as(String.join("\n", lines)).contains(
                    "RESULT NET:CA:1 ca true 10.1.0.2:" + CAS_PORT + " 10.1.0.2:" + CAS_PORT + " vh1",
                    "RESULT NET:CA2:1 ca true 10.2.0.2:" + CAS_PORT + " 10.2.0.2:" + CAS_PORT + " vh2");
        }
    }

    @Test
    void shouldAnswerLimitedBroadcastThroughItsNicWhenLibcaSearches255() throws Exception {
        RealPeersInteropTest.require(RealPeersInteropTest.libcaAvailable(),
                "needs python3 and Debian's libca4.13.5 (apt-get install -y python3 libca4.13.5)");
        Path script = Path.of(getClass().getResource("libca_connect.py").toURI());
        Map<String, Long> before = counters();
        List<String> cmd = new ArrayList<>(in(vh2.peerNamespace()));
        cmd.addAll(List.of(RealPeersInteropTest.python(), script.toString(), "NET:CA:LIBCA", "10"));
        try (PeerProcess libca = peer(PeerProcess.start("libca-255", cmd, Map.of("EPICS_CA_AUTO_ADDR_LIST", "NO",
                "EPICS_CA_ADDR_LIST", "255.255.255.255", "EPICS_CA_SERVER_PORT", "" + CA_PORT)))) {
            assertThat(libca.await("CONNECTED", FIND)).startsWith("CONNECTED NET:CA:LIBCA ")
                    .contains(vh1.peerAddress().getHostAddress());
        }
        Map<String, Long> after = counters();
        // only the wildcard socket hears 255.255.255.255; PKTINFO's ifindex sends the reply back through vh2
        assertThat(delta(before, after, "received " + CA_PORT + " WILDCARD_RX *")).as("%s", after).isPositive();
        assertThat(delta(before, after, "received " + CA_PORT + " BROADCAST_RX vh2")).isZero();
        assertThat(delta(before, after, "sent " + CA_PORT + " UNICAST vh2")).isPositive();
        assertThat(delta(before, after, "sent " + CA_PORT + " UNICAST vh1")).isZero();
    }

    @Test
    void shouldReportEachRealServerOnItsNicWhenBeaconListenerRunsOnEveryNic() throws Exception {
        try (PeerProcess beacons = peer(PeerProcess.java("beacons", in(netns.hostNamespace()), BeaconPeer.class,
                NATIVE, Map.of(), "" + CAS_BEACON_PORT, "2", "15"))) {
            assertThat(beacons.await("LISTENING", PEER_START)).isEqualTo("LISTENING direct");
            beacons.await("DONE", FIND);
            List<String> servers = beacons.transcript().stream().filter(l -> l.startsWith("SERVER ")).toList();
            assertThat(servers).as(String.join("\n", beacons.transcript())).containsExactlyInAnyOrder(
                    "SERVER seen ca server 10.1.0.2:" + CAS_PORT + " on vh1",
                    "SERVER seen ca server 10.2.0.2:" + CAS_PORT + " on vh2");
        }
    }

    /**
     * The search came in on {@code v}'s broadcast socket (or the wildcard socket) and every reply left through
     * {@code v}'s unicast socket: no other NIC sent anything meanwhile.
     */
    void assertAnsweredThrough(Veth v, int port, Map<String, Long> before, Map<String, Long> after) {
        Veth other = v == vh1 ? vh2 : vh1;
        String nic = v.hostInterface();
        String ours = "sent " + port + " UNICAST " + nic;
        assertThat(delta(before, after, ours)).as("replies through %s: %s", nic, after).isPositive();
        assertThat(delta(before, after, "sent " + port + " UNICAST " + other.hostInterface()))
                .as("replies through %s", other.hostInterface()).isZero();
        assertThat(delta(before, after, "sent " + port + " UNICAST lo")).as("replies through lo").isZero();
        assertThat(delta(before, after, "received " + port + " BROADCAST_RX " + nic))
                .as("broadcast searches on %s", nic).isPositive();
        assertThat(delta(before, after, "received " + port + " BROADCAST_RX " + other.hostInterface()))
                .as("broadcast searches on %s", other.hostInterface()).isZero();
    }

    static long delta(Map<String, Long> before, Map<String, Long> after, String key) {
        return after.getOrDefault(key, 0L) - before.getOrDefault(key, 0L);
    }

    /** The name server's per-socket counters: "received PORT ROLE NIC" and "sent PORT ROLE NIC" to counts. */
    Map<String, Long> counters() throws Exception {
        int from = nameServer.transcript().size();
        OutputStream in = nameServerStdin();
        in.write("stats\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
        nameServer.await("END", Duration.ofSeconds(10));
        Map<String, Long> out = new HashMap<>();
        List<String> lines = nameServer.transcript();
        for (String line : lines.subList(from, lines.size())) {
            String[] f = line.split(" ");
            if (f[0].equals("SOCK") && f.length == 7) {
                String key = f[1] + " " + f[2] + " " + f[3];
                out.merge("received " + key, Long.parseLong(f[5]), Long::sum);
                out.merge("sent " + key, Long.parseLong(f[6]), Long::sum);
            }
        }
        return out;
    }

    OutputStream nameServerStdin() {
        return nameServer.stdin();
    }
}
