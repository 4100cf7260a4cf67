package io.meshwire.mesh;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A mesh node in a child JVM, for {@link NicDiscoveryNetnsTest}: started with {@code main(beaconPort)} inside a
 * namespace, bound to {@code 0.0.0.0:0}, announcing itself on every NIC with {@link NicBeaconSender}. It prints
 * {@code NODE id=HEX port=P} once started, then reads one command per line and answers with one line:
 * <ul>
 *   <li>{@code discover HEX}: waits for the node's beacon, prints {@code FOUND HEX ip:port} (the most recent
 *       address);
 *   <li>{@code connect HEX}: {@code connect(nodeId)} with no address, prints {@code CONNECTED HEX ip:port};
 *   <li>{@code send HEX STREAM COUNT}: sends COUNT 64-byte events holding their index on a reliable stream,
 *       prints {@code SENT HEX n};
 *   <li>{@code received HEX STREAM}: prints {@code RECEIVED HEX STREAM count=N inorder=true|false};
 *   <li>{@code peer HEX}: prints {@code PEER HEX state=S addr=ip:port};
 *   <li>{@code stats}: prints {@code STATS heartbeatsReceived=.. handshakes=.. retransmits=.. beaconsPassed=.. copiesSent=..
 *       duplicates=.. drops=..};
 *   <li>{@code exit}: closes the node and exits.
 * </ul>
 * A failed command prints {@code ERROR command: reason}. Timers are short so a whole session fits in seconds.
 */
public final class NicDiscoveryProbe {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Per (peer, stream): events received, next expected index, whether all came in order. */
    private static final class Inbound {
        long count;
        long next;
        boolean inOrder = true;
    }

    private NicDiscoveryProbe() {
    }

    /** @param args the beacon port */
    public static void main(String[] args) throws Exception {
        int beaconPort = Integer.parseInt(args[0]);
        Map<String, Inbound> inbound = new ConcurrentHashMap<>();
        MeshConfig.Builder config = MeshTesting.config()
                .bind("0.0.0.0", 0)
                .heartbeatInterval(Duration.ofMillis(100))
                .suspectTimeout(Duration.ofSeconds(2))
                .failTimeout(Duration.ofSeconds(4))
                .handshakeTimeout(Duration.ofMillis(500))
                .handshakeRetries(6)
                .beaconInterval(Duration.ofMillis(100));
        NicBeaconSender.Factory factory = NicBeaconSender.factory(NicBeaconSender.setConfig(beaconPort).build());
        try (MeshNode node = MeshNode.start(config.beaconSender(factory).build(), e -> {
            Inbound in = inbound.computeIfAbsent(hex(e.peerNodeId()) + " " + e.streamId(), k -> new Inbound());
            synchronized (in) {
                long index = e.getLongLE(0);
                in.inOrder &= index == in.next;
                in.next = index + 1;
                in.count++;
            }
        })) {
            NicBeaconSender sender = factory.attach(node);
            System.out.println("NODE id=" + hex(node.nodeId()) + " port=" + node.localAddress().getPort());
            BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null && !line.equals("exit")) {
                String[] w = line.trim().split("\\s+");
                try {
                    System.out.println(run(node, sender, inbound, w));
                } catch (Exception e) {
                    System.out.println("ERROR " + line + ": " + e);
                }
            }
        }
    }

    private static String run(MeshNode node, NicBeaconSender sender, Map<String, Inbound> inbound, String[] w)
            throws Exception {
        switch (w[0]) {
            case "discover" -> {
                long id = Long.parseUnsignedLong(w[1], 16);
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (System.nanoTime() < deadline) {
                    for (DiscoveredNode d : node.discovered()) {
                        if (d.nodeId() == id) {
                            return "FOUND " + w[1] + " " + addr(d.address().getAddress().getHostAddress(),
                                    d.address().getPort());
                        }
                    }
                    Thread.sleep(20);
                }
                throw new IllegalStateException("not discovered within " + WAIT + "; known: " + node.discovered());
            }
            case "connect" -> {
                PeerInfo p = node.connect(Long.parseUnsignedLong(w[1], 16)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                return "CONNECTED " + w[1] + " " + addr(p.address().getAddress().getHostAddress(), p.address().getPort());
            }
            case "send" -> {
                long id = Long.parseUnsignedLong(w[1], 16);
                MeshStream stream = node.openStream(id, Long.parseLong(w[2]), StreamConfig.reliable());
                int count = Integer.parseInt(w[3]);
                List<ByteBuffer> events = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    events.add(MeshTesting.event(i, 64));
                }
                return "SENT " + w[1] + " " + stream.send(events, WAIT);
            }
            case "received" -> {
                Inbound in = inbound.get(w[1] + " " + w[2]);
                if (in == null) {
                    return "RECEIVED " + w[1] + " " + w[2] + " count=0 inorder=true";
                }
                synchronized (in) {
                    return "RECEIVED " + w[1] + " " + w[2] + " count=" + in.count + " inorder=" + in.inOrder;
                }
            }
            case "peer" -> {
                PeerInfo p = node.peer(Long.parseUnsignedLong(w[1], 16)).orElseThrow();
                return "PEER " + w[1] + " state=" + p.state() + " addr="
                        + addr(p.address().getAddress().getHostAddress(), p.address().getPort());
            }
            case "stats" -> {
                MeshStats s = node.stats();
                return "STATS heartbeatsReceived=" + s.heartbeatsReceived() + " handshakes=" + s.handshakesCompleted()
                        + " retransmits=" + s.retransmits() + " beaconsPassed=" + sender.passed() + " copiesSent=" + sender.copiesSent() + " duplicates="
                        + sender.duplicates() + " drops=" + nonZero(s.drops());
            }
            default -> throw new IllegalArgumentException("unknown command");
        }
    }

    private static Map<?, Long> nonZero(Map<?, Long> drops) {
        Map<Object, Long> out = new java.util.TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        drops.forEach((k, v) -> {
            if (v != 0) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static String addr(String host, int port) {
        return host + ":" + port;
    }

    private static String hex(long id) {
        return Long.toUnsignedString(id, 16);
    }
}
