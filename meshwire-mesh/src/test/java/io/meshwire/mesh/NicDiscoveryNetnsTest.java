package io.meshwire.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwire.nic.testing.NetnsFixture;
import io.meshwire.nic.testing.ProbeProcess;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Discovery on every NIC, on real NICs: a host namespace with two veth NICs ({@code vh1} 10.1.0.1/24, {@code vh2}
 * 10.2.0.1/24) and a peer namespace behind each ({@link NetnsFixture#create(int) NetnsFixture.create(2)}). A mesh
 * node runs in each of the three namespaces, each in its own child JVM ({@link NicDiscoveryProbe}), bound to
 * {@code 0.0.0.0:0} and announcing itself with {@link NicBeaconSender} on the beacon port. The host node hears
 * both peers through different NICs, connects to each by node id alone, and runs a full session over each NIC
 * (handshake, heartbeats, reliable events both ways). This JVM enters no namespace; namespaces and child JVMs are
 * removed afterwards, also on failure.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NicDiscoveryNetnsTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final int BEACON_PORT = NicBeaconSender.DEFAULT_PORT;
    private static final int EVENTS = 2_000;
    private static final Pattern NODE = Pattern.compile("NODE id=([0-9a-f]+) port=(\\d+)");

    private static NetnsFixture netns;
    private static Probe host;
    private static Probe peer1;
    private static Probe peer2;

    /** A child JVM running {@link NicDiscoveryProbe}: its node's id and port, commands in, every output line kept. */
    static final class Probe {
        private final ProbeProcess process;
        final String id;
        final int port;

        Probe(Process process) {
            this.process = new ProbeProcess(process, WAIT);
            Matcher m = NODE.matcher(this.process.await(0, l -> l.startsWith("NODE ")));
            assertThat(m.matches()).isTrue();
            this.id = m.group(1);
            this.port = Integer.parseInt(m.group(2));
        }

        /** Sends a command and returns the first later line starting with {@code reply}; an ERROR line fails. */
        String command(String command, String reply) {
            return process.command(command, reply);
        }

        /** Asks for {@code received} until {@code count} events arrived or {@link #WAIT} passed; returns the line. */
        String awaitReceived(String fromId, long stream, int count) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            String line;
            do {
                line = command("received " + fromId + " " + stream, "RECEIVED " + fromId);
                if (line.contains("count=" + count + " ")) {
                    return line;
                }
                Thread.sleep(50);
            } while (System.nanoTime() < deadline);
            return line;
        }

        void close() throws InterruptedException {
            process.close();
        }
    }

    @BeforeAll
    static void createNamespacesAndNodes() {
        netns = NetnsFixture.create(2);
        List<NetnsFixture.Veth> v = netns.veths();
        // The veths keep the default MTU of 1500 while the node packs events into packets of up to 8 KiB: the
        // transport must send those without GSO (the kernel refuses such segments with EMSGSIZE) and let IP fragment
        // them, so this also proves that fallback.
        String[] java = NetnsFixture.javaCommand(NicDiscoveryProbe.class.getName(), Integer.toString(BEACON_PORT));
        // the three JVMs start in parallel; each constructor then waits for its node to be up
        Process h = netns.start(netns.hostNamespace(), java);
        Process p1 = netns.start(v.get(0).peerNamespace(), java);
        Process p2 = netns.start(v.get(1).peerNamespace(), java);
        host = new Probe(h);
        peer1 = new Probe(p1);
        peer2 = new Probe(p2);
    }

    @AfterAll
    static void deleteNamespaces() throws InterruptedException {
        try {
            for (Probe p : new Probe[] {host, peer1, peer2}) {
                if (p != null) {
                    p.close();
                }
            }
        } finally {
            if (netns != null) {
                netns.close(); // also kills any child JVM still running
            }
        }
    }

    /** A peer and the two ends of the NIC link between it and the host. */
    private record Link(Probe peer, String peerAddress, String hostAddress) {
        String peerAt() {
            return peerAddress + ":" + peer.port;
        }

        String hostAt() {
            return hostAddress + ":" + host.port;
        }
    }

    @Test
    void shouldDiscoverAndRunASessionOverEachNicWhenPeersSitBehindDifferentNics() throws Exception {
        List<Link> links = List.of(new Link(peer1, "10.1.0.2", "10.1.0.1"), new Link(peer2, "10.2.0.2", "10.2.0.1"));
        // discovery: each peer is heard through the NIC it sits behind, at its own node port (not the beacon port)
        for (Link l : links) {
            assertReply(host, "discover " + l.peer().id, "FOUND " + l.peer().id, " " + l.peerAt());
        }
        // the host announced on both NICs: each peer reaches it at the address of the NIC that faces the peer
        for (Link l : links) {
            assertReply(l.peer(), "discover " + host.id, "FOUND " + host.id, " " + l.hostAt());
        }

        // handshake by node id alone, one session per NIC
        for (Link l : links) {
            assertReply(host, "connect " + l.peer().id, "CONNECTED " + l.peer().id, " " + l.peerAt());
        }

        // reliable events, in order, over each NIC and back
        for (Link l : links) {
            assertReply(host, "send " + l.peer().id + " 7 " + EVENTS, "SENT " + l.peer().id, " " + EVENTS);
        }
        for (Link l : links) {
            assertReply(l.peer(), "send " + host.id + " 9 " + EVENTS, "SENT " + host.id, " " + EVENTS);
        }
        for (Link l : links) {
            assertThat(l.peer().awaitReceived(host.id, 7, EVENTS))
                    .isEqualTo("RECEIVED " + host.id + " 7 count=" + EVENTS + " inorder=true");
        }
        for (Link l : links) {
            assertThat(host.awaitReceived(l.peer().id, 9, EVENTS))
                    .isEqualTo("RECEIVED " + l.peer().id + " 9 count=" + EVENTS + " inorder=true");
        }

        // heartbeats keep both sessions up past the suspect timeout (2 s) with no more traffic
        Thread.sleep(2_500);
        for (Link l : links) {
            assertReply(host, "peer " + l.peer().id, "PEER " + l.peer().id, " state=CONNECTED addr=" + l.peerAt());
        }
        for (Link l : links) {
            assertReply(l.peer(), "peer " + host.id, "PEER " + host.id, " state=CONNECTED addr=" + l.hostAt());
        }
        String hostStats = host.command("stats", "STATS");
        assertThat(heartbeats(hostStats)).as(hostStats).isGreaterThanOrEqualTo(20);
        assertThat(heartbeats(peer1.command("stats", "STATS"))).isGreaterThanOrEqualTo(10);
        assertThat(heartbeats(peer2.command("stats", "STATS"))).isGreaterThanOrEqualTo(10);
        // no beacon (nor any other packet) was forged, replayed, malformed or lost; the only drops allowed are
        // DUPLICATE, the copies a spurious retransmission (RTO on a loaded machine) brings
        for (String stats : List.of(hostStats, peer1.command("stats", "STATS"), peer2.command("stats", "STATS"))) {
            System.out.println("NicDiscoveryNetnsTest: " + stats);
            Matcher drops = Pattern.compile("drops=\\{(.*)}").matcher(stats);
            assertThat(drops.find()).as(stats).isTrue();
            assertThat(drops.group(1).replaceAll("DUPLICATE=\\d+", "")).as(stats).isEmpty();
        }
        // every beacon of the host left through both NICs
        Matcher m = Pattern.compile("copiesSent=(\\d+)").matcher(hostStats);
        assertThat(m.find()).isTrue();
        assertThat(Long.parseLong(m.group(1)) % 2).as(hostStats).isZero();
    }

    /** Sends {@code command} to {@code probe} and expects the line {@code reply} followed by {@code rest}. */
    private static void assertReply(Probe probe, String command, String reply, String rest) {
        assertThat(probe.command(command, reply)).isEqualTo(reply + rest);
    }

    private static long heartbeats(String stats) {
        Matcher m = Pattern.compile("heartbeatsReceived=(\\d+)").matcher(stats);
        assertThat(m.find()).as(stats).isTrue();
        return Long.parseLong(m.group(1));
    }
}
