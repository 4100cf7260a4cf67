package io.meshwire.epics.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwire.nic.testing.NetnsFixture;
import io.meshwire.nic.testing.NetnsFixture.Veth;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The name server's automatic beacons on two NICs, in network namespaces ({@link NetnsFixture}): a host namespace
 * with {@code vh1} 10.1.0.1/24 and {@code vh2} 10.2.0.1/24 and a peer namespace behind each. meshwire's name server
 * ({@link NameServerPeer} with beacons, default ports) runs in the host namespace and fans its CA and PVA beacons out to
 * 255.255.255.255 through every NIC; meshwire's beacon listener ({@link BeaconPeer}) runs in each peer namespace on
 * the default beacon ports 5065 and 5076. Each must see exactly the name server's CA and PVA ports at the name
 * server's address on its own subnet, never the other NIC's. The test JVM enters no namespace; every process is ended
 * by PID and every namespace deleted. Needs root and iproute2: skips otherwise, fails under CI=true.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NameServerBeaconsNetnsTest {
    static final Duration START = Duration.ofSeconds(30);
    static final int CA_PORT = 5064;
    static final int PVA_PORT = 5076;
    static final List<String> NATIVE = List.of("--enable-native-access=ALL-UNNAMED");

    @Test
    void shouldReachEachPeerNamespaceFromItsOwnNicWhenBeaconsFanOut() throws Exception {
        String ip = NetnsFixture.requireEnvironment();
        Path directory = Files.createTempFile("meshwire-beacons-", ".names");
        List<PeerProcess> peers = new ArrayList<>();
        List<ProcessHandle> all = new ArrayList<>();
        try (NetnsFixture netns = NetnsFixture.create(2)) {
            Files.writeString(directory, "NET:BEACON 10.1.0.9:6064\n");
            List<Veth> veths = netns.veths();
            List<PeerProcess> listeners = new ArrayList<>();
            try {
                for (Veth v : veths) {
                    // CA_BEACON_PORT SERVERS MAX_S PVA_BEACON_PORT LINGER_S: linger for beacons that must not come
                    listeners.add(peer(peers, PeerProcess.java("beacons-" + v.peerInterface(),
                            List.of(ip, "netns", "exec", v.peerNamespace()), BeaconPeer.class, NATIVE, Map.of(),
                            "5065", "2", "20", "" + PVA_PORT, "0.8")));
                }
                for (PeerProcess l : listeners) {
                    assertThat(l.await("LISTENING", START)).isEqualTo("LISTENING direct");
                }
                PeerProcess ns = peer(peers, PeerProcess.java("nameserver",
                        List.of(ip, "netns", "exec", netns.hostNamespace()), NameServerPeer.class, NATIVE, Map.of(),
                        "" + CA_PORT, "" + PVA_PORT, directory.toString(), "0.2"));
                String guid = ns.await("GUID ", START).substring("GUID ".length());
                ns.await("READY", START);
                for (int i = 0; i < veths.size(); i++) {
                    Veth v = veths.get(i);
                    PeerProcess l = listeners.get(i);
                    l.await("DONE", Duration.ofSeconds(25));
                    List<String> lines = l.transcript();
                    String host = v.hostAddress().getHostAddress();
                    assertThat(lines.stream().filter(x -> x.startsWith("SERVER ")).toList())
                            .as(String.join("\n", lines)).containsExactlyInAnyOrder(
                                    "SERVER seen ca server " + host + ":" + CA_PORT + " on " + v.peerInterface(),
                                    "SERVER seen pva server " + host + ":" + PVA_PORT + " on " + v.peerInterface()
                                            + " guid " + guid);
                    // COUNT PROTOCOL NIC BEACONS RESTARTS: at least two beacons each, no restart
                    assertThat(lines.stream().filter(x -> x.startsWith("COUNT ")).map(x -> x.split(" ")).toList())
                            .as(String.join("\n", lines)).hasSize(2).allSatisfy(x -> {
                                assertThat(Long.parseLong(x[3])).isGreaterThanOrEqualTo(2);
                                assertThat(x[4]).isEqualTo("0");
                            });
                }
                // the name server counted one datagram per NIC and beacon, and no error
                ns.stdin().write("stats\n".getBytes(StandardCharsets.UTF_8));
                ns.stdin().flush();
                String beacons = ns.await("BEACONS ", Duration.ofSeconds(10));
                String[] f = beacons.split(" ");
                assertThat(Long.parseLong(f[1])).as(beacons).isGreaterThanOrEqualTo(8);
                assertThat(f[2]).as(beacons).isEqualTo("0");
                ns.await("END", Duration.ofSeconds(10));
                List<String> socks = ns.transcript().stream().filter(x -> x.startsWith("SOCK ")).toList();
                for (int port : List.of(CA_PORT, PVA_PORT)) {
                    for (Veth v : veths) {
                        assertThat(socks).as("beacons through %s: %s", v.hostInterface(), socks).anyMatch(x ->
                                x.startsWith("SOCK " + port + " UNICAST " + v.hostInterface() + " ")
                                        && !x.endsWith(" 0"));
                    }
                    assertThat(socks).as("nothing through lo").anyMatch(x ->
                            x.startsWith("SOCK " + port + " UNICAST lo ") && x.endsWith(" 0"));
                }
            } finally {
                for (PeerProcess p : peers) {
                    all.addAll(p.descendantsSeen());
                    ProcessHandle.of(p.pid()).ifPresent(all::add);
                    p.close();
                }
            }
        } finally {
            Files.deleteIfExists(directory);
        }
        assertThat(all).as("peer processes still running").noneMatch(ProcessHandle::isAlive);
    }

    static PeerProcess peer(List<PeerProcess> peers, PeerProcess p) {
        peers.add(p);
        return p;
    }
}
