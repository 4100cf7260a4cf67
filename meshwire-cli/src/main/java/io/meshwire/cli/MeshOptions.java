package io.meshwire.cli;

import io.meshwire.bench.demo.KeyText;
import io.meshwire.bench.demo.PeerRef;
import io.meshwire.crypto.AeadBackend;
import io.meshwire.mesh.LossInjection;
import io.meshwire.mesh.MeshConfig;
import io.meshwire.mesh.MeshIdentity;
import io.meshwire.mesh.NicBeaconSender;
import picocli.CommandLine.Option;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The options every mesh command shares; each maps to one {@link MeshConfig} field or a peer to connect to. */
final class MeshOptions {

    @Option(names = "--bind", paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:0",
            description = "UDP address to bind (default ${DEFAULT-VALUE}: every address, a free port).")
    String bind;

    @Option(names = "--psk", paramLabel = "HEX", description = "The mesh's pre-shared key, 64 hex digits; every node "
            + "of a mesh needs the same one (make one with 'meshwire keygen').")
    String psk;

    @Option(names = "--psk-file", paramLabel = "FILE", description = "Read the PSK (64 hex digits) from FILE instead; "
            + "keeps it out of the process list.")
    Path pskFile;

    @Option(names = "--seed", paramLabel = "HEX", description = "Identity seed, 64 hex digits: the same seed gives the "
            + "same node id and key on every start (default: a new random identity).")
    String seed;

    @Option(names = "--seed-file", paramLabel = "FILE", description = "Read the identity seed from FILE instead.")
    Path seedFile;

    @Option(names = "--connect", paramLabel = "NODEID@HOST:PORT/KEY", description = "Connect to this node (as "
            + "printed on its 'connect:' line), or NODEID alone for a node found by its beacons (--discover, or "
            + "--beacon-target at that node). Repeatable.")
    List<String> connect = new ArrayList<>();

    @Option(names = "--beacon-target", paramLabel = "HOST:PORT", description = "Also send discovery beacons here "
            + "(connect targets always get them): a node on loopback, or beyond routers; with --discover as well, "
            + "each beacon goes to these and through every NIC. Repeatable.")
    List<String> beaconTargets = new ArrayList<>();

    @Option(names = "--discover", description = "Discovery on every NIC: broadcast this node's beacons through each "
            + "up, non-loopback IPv4 NIC to --beacon-port and hear the other nodes' there, so --connect NODEID works "
            + "with no address across every directly attached subnet (add --beacon-target for nodes beyond them). "
            + "Every node of the mesh uses the same beacon port; needs --bind on 0.0.0.0 (the default) or a NIC "
            + "address, not loopback.")
    boolean discover;

    @Option(names = "--beacon-port", paramLabel = "PORT", description = "With --discover: the UDP port every node "
            + "announces to and listens on (default " + NicBeaconSender.DEFAULT_PORT + "); not the node's own port.")
    Integer beaconPort;

    @Option(names = "--accept", paramLabel = "NODEID", description = "Accept handshakes from this node id (nodes "
            + "known from beacons are accepted anyway). Repeatable.")
    List<String> accept = new ArrayList<>();

    @Option(names = "--heartbeat-ms", defaultValue = "1000", description = "Heartbeat interval (default "
            + "${DEFAULT-VALUE}).")
    long heartbeatMillis;

    @Option(names = "--suspect-ms", defaultValue = "3000", description = "Silence before a peer is suspected "
            + "(default ${DEFAULT-VALUE}).")
    long suspectMillis;

    @Option(names = "--fail-ms", defaultValue = "6000", description = "Silence before a peer has failed and is "
            + "evicted (default ${DEFAULT-VALUE}).")
    long failMillis;

    @Option(names = "--aead", description = "ChaCha20-Poly1305 backend: ${COMPLETION-CANDIDATES} (default: the "
            + "library's, AeadBackend.DEFAULT).")
    AeadBackend aead = AeadBackend.DEFAULT;

    @Option(names = "--inject-loss", paramLabel = "PERCENT", defaultValue = "0", description = "Test only: drop this "
            + "share of received datagrams on purpose (seeded 42; handshakes and beacons exempt).")
    double injectLoss;

    /** The node's configuration. @throws IllegalArgumentException naming the option to fix */
    MeshConfig config() {
        MeshConfig.Builder b = MeshConfig.builder()
                .psk(pskBytes())
                .bindAddress(PeerRef.parseAddress("--bind", bind))
                .heartbeatInterval(Duration.ofMillis(heartbeatMillis))
                .suspectTimeout(Duration.ofMillis(suspectMillis))
                .failTimeout(Duration.ofMillis(failMillis))
                .aeadBackend(aead);
        byte[] seedBytes = key("--seed", seed, seedFile);
        if (seedBytes != null) {
            b.identity(MeshIdentity.fromSeed(seedBytes));
        }
        if (discover) {
            b.beaconSender(nicDiscovery());
        } else if (beaconPort != null) {
            throw new IllegalArgumentException("--beacon-port " + beaconPort + " without --discover: add --discover "
                    + "to announce on every NIC, or drop --beacon-port");
        }
        List<InetSocketAddress> targets = new ArrayList<>();
        for (String t : beaconTargets) {
            InetSocketAddress a = PeerRef.parseAddress("--beacon-target", t);
            if (a.getPort() == 0) {
                throw new IllegalArgumentException("--beacon-target " + t + ": give the port the other node prints");
            }
            targets.add(a);
        }
        b.beaconTargets(targets);
        if (!(injectLoss >= 0 && injectLoss < 100)) {
            throw new IllegalArgumentException("--inject-loss " + injectLoss + " must be in [0, 100) percent");
        }
        if (injectLoss > 0) {
            b.lossInjection(LossInjection.onReceive(42, injectLoss / 100));
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (check --heartbeat-ms, --suspect-ms, --fail-ms)", e);
        }
    }

    /**
     * The per-NIC beacon sender of {@code --discover}. Its factory makes the sender when the node starts and is
     * attached to the node after that ({@code MeshTools} does both).
     */
    private NicBeaconSender.Factory nicDiscovery() {
        InetSocketAddress bound = PeerRef.parseAddress("--bind", bind);
        if (!(bound.getAddress() instanceof Inet4Address) || bound.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("--discover with --bind " + bind + ": beacons go out through the "
                    + "IPv4 NICs, which must reach the node; bind 0.0.0.0 (every NIC, the default) or a NIC's IPv4 "
                    + "address, or use --beacon-target instead of --discover on loopback");
        }
        int port = beaconPort == null ? NicBeaconSender.DEFAULT_PORT : beaconPort;
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("--beacon-port " + port + " must be in 1..65535 (the same fixed port at "
                    + "every node)");
        }
        return NicBeaconSender.factory(NicBeaconSender.setConfig(port).build());
    }

    /** The peers of {@code --connect}. */
    List<PeerRef> peers() {
        List<PeerRef> out = new ArrayList<>();
        for (String c : connect) {
            PeerRef p = PeerRef.parse("--connect", c);
            if (!p.byDiscovery() && p.address().getPort() == 0) {
                throw new IllegalArgumentException("--connect " + c + ": port 0; give the port the node printed");
            }
            out.add(p);
        }
        return out;
    }

    /** The node ids of {@code --accept}. */
    List<Long> accepted() {
        List<Long> out = new ArrayList<>();
        for (String a : accept) {
            out.add(PeerRef.parseNodeId("--accept", a, " (the node id another node prints)"));
        }
        return out;
    }

    private byte[] pskBytes() {
        byte[] key = key("--psk", psk, pskFile);
        if (key == null) {
            throw new IllegalArgumentException("no PSK: every node of a mesh shares one 32-byte key; pass --psk-file "
                    + "FILE or --psk HEX (make one with: meshwire keygen > mesh.psk)");
        }
        return key;
    }

    /** The key of {@code option HEX} or {@code option-file FILE}, or null when neither is given. */
    private static byte[] key(String option, String hex, Path file) {
        String fileOption = option + "-file";
        if (hex != null && file != null) {
            throw new IllegalArgumentException(option + " and " + fileOption + " both given; keep one");
        }
        if (hex != null) {
            return KeyText.parse(option, hex);
        }
        return file == null ? null : KeyText.read(fileOption, file);
    }
}
