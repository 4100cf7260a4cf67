package io.meshwire.mesh;

import io.meshwire.nic.FanoutResult;
import io.meshwire.nic.NicDatagram;
import io.meshwire.nic.NicSetConfig;
import io.meshwire.nic.NicSocketSet;
import io.meshwire.nic.SendResult;
import io.meshwire.transport.DatagramEndpoint;
import io.meshwire.transport.TransportClosedException;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Discovery on every NIC: a {@link BeaconSender} over a {@link NicSocketSet} on a beacon port that every node of
 * the mesh listens on.
 *
 * <h2>Design</h2>
 * <ul>
 *   <li><b>Beacon port.</b> The set binds one socket per NIC address on a fixed port P (the beacon port, e.g.
 *       {@link #DEFAULT_PORT}) plus a receive-only wildcard socket on P. Fixed ports are shared through
 *       {@code SO_REUSEADDR}/{@code SO_REUSEPORT}, and broadcasts reach every socket bound to them, so several
 *       nodes on one host can all discover and be discovered. P is not the node's port: the node keeps its own
 *       unicast socket (any port), which it advertises in the beacon.
 *   <li><b>Sending.</b> Each beacon is fanned out to {@code 255.255.255.255:P}, one copy per up, non-loopback NIC,
 *       each leaving through its own NIC ({@link NicSocketSet#fanout}). Limited broadcast, not the subnet
 *       broadcast: one destination for every NIC, and it is heard only by the wildcard socket, so a receiver gets
 *       one copy per NIC it shares with the sender (the set is opened without per-subnet broadcast sockets, which
 *       would be a second copy). Broadcasts do not cross routers: discovery reaches the directly attached
 *       subnets; beyond them, add unicast targets ({@link MeshConfig#beaconTargets()},
 *       {@link MeshNode#addBeaconTarget}): the node sends each beacon to those as well.
 *   <li><b>Receiving.</b> A daemon thread reads the set and passes every 88-byte datagram to
 *       {@link MeshNode#acceptBeacon} with its source address; the node checks the PSK tag and replays. The thread
 *       drops, before the node sees them, datagrams of another length ({@link #ignored()}), the node's own beacons
 *       looped back ({@link #ownBeacons()}, checked by node id; a forged "own" beacon only hides itself) and exact
 *       copies of a beacon passed on moments before ({@link #duplicates()}: a sender with two NICs on the same
 *       subnet reaches a receiver twice, and the node would count the second copy as a replay).
 *   <li><b>Which address a discovered node is reached at.</b> The copy leaving NIC k is sent from the socket
 *       bound to NIC k's address, so its source address is that NIC's; the node records (source address,
 *       advertised port). A receiver therefore reaches the announcing node at the address of the NIC that faces
 *       it: with a host on {@code 10.1.0.1} and {@code 10.2.0.1}, a peer on {@code 10.1.0.0/24} connects to
 *       {@code 10.1.0.1:nodePort} and one on {@code 10.2.0.0/24} to {@code 10.2.0.1:nodePort}. When a node is
 *       heard through several NICs, {@link DiscoveredNode#address()} is the source of the most recent beacon (the
 *       first copy of each beacon to arrive), the others stay in {@link DiscoveredNode#addresses()};
 *       {@code connect(nodeId)} uses the most recent, and the session stays on the address it was opened with.
 *       For that address to reach the node, the node must listen on every NIC address: bind it to the wildcard
 *       ({@code 0.0.0.0}, the default). A node bound to one NIC address announces only through that NIC; a node
 *       bound to loopback cannot announce here at all (the factory refuses it).
 * </ul>
 *
 * <h2>Use</h2>
 * <pre>{@code
 * NicBeaconSender.Factory nics = NicBeaconSender.factory(NicBeaconSender.setConfig(47950).build());
 * MeshNode node = MeshNode.start(MeshConfig.builder().psk(psk).beaconSender(nics).build());
 * node.connect(peerNodeId);        // no address: found by beacon (or all in one: NicBeaconSender.start(builder, 47950))
 * }</pre>
 * The node makes the sender when it starts, which then starts handing it the beacons heard on every NIC, and closes
 * it when it closes; {@link #close()} is idempotent.
 */
public final class NicBeaconSender implements BeaconSender {
    /** A beacon port for meshes that do not pick their own (unassigned by IANA). */
    public static final int DEFAULT_PORT = 47950;

    private static final Logger LOG = LoggerFactory.getLogger(NicBeaconSender.class);
    private static final Duration RECEIVE_WAIT = Duration.ofMillis(200);
    private static final int RECENT = 16;
    private static final long JOIN_MILLIS = 2_000;

    private final NicSocketSet set;
    private final InetSocketAddress destination;
    /** The NIC address the node is bound to, or {@code null} for the wildcard (announce on every NIC). */
    private final InetAddress nodeAddress;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final LongAdder copiesSent = new LongAdder();
    private final LongAdder sendErrors = new LongAdder();
    private final LongAdder passed = new LongAdder();
    private final LongAdder ignored = new LongAdder();
    private final LongAdder ownBeacons = new LongAdder();
    private final LongAdder duplicates = new LongAdder();

    // receive thread only
    private final byte[][] recent = new byte[RECENT][Beacons.LENGTH];
    private final byte[] incoming = new byte[Beacons.LENGTH];
    private final ByteBuffer incomingBuffer = ByteBuffer.wrap(incoming);
    private int recentNext;
    private MeshNode node;
    private long nodeId;

    private volatile Thread receiveThread;

    private NicBeaconSender(NicSocketSet set, InetAddress nodeAddress) {
        this.set = set;
        this.nodeAddress = nodeAddress;
        this.destination = new InetSocketAddress(limitedBroadcast(), set.port());
    }

    /**
     * A set configuration for beacons on {@code beaconPort}: IPv4, a socket per non-loopback NIC address, the
     * wildcard receive socket, no per-subnet broadcast sockets, {@code SO_BROADCAST}, small buffers, following
     * NICs that come and go. Adjust it (e.g. {@code refreshPeriod}, {@code interfaceMap}) before {@code build()}.
     *
     * @param beaconPort the port every node of the mesh announces to and listens on, 1..65535
     * @return a builder with those settings
     */
    public static NicSetConfig.Builder setConfig(int beaconPort) {
        if (beaconPort < 1 || beaconPort > 65535) {
            throw new IllegalArgumentException("beaconPort must be in [1, 65535] (a fixed port every node listens "
                    + "on): " + beaconPort);
        }
        return NicSetConfig.builder()
                .family(StandardProtocolFamily.INET)
                .port(beaconPort)
                .includeLoopback(false)
                .wildcardRx(true)
                .broadcastRx(false)
                .broadcast(true)
                .receiveBufferSize(256 * 1024)
                .sendBufferSize(64 * 1024)
                .maxDatagramSize(2048)
                .receiveBatchSize(16)
                .queueDepth(8)
                .followInterfaces(true);
    }

    /**
     * A factory for one node's sender; pass it to {@link MeshConfig.Builder#beaconSender} and start the node, which
     * attaches itself.
     *
     * @param setConfig the beacon set, usually from {@link #setConfig(int)}: IPv4, a fixed port, the wildcard
     *     receive socket, {@code SO_BROADCAST}, no per-subnet broadcast sockets
     * @return the factory (it makes one sender)
     * @throws IllegalArgumentException if {@code setConfig} cannot carry beacons; the message names the fix
     */
    public static Factory factory(NicSetConfig setConfig) {
        Objects.requireNonNull(setConfig, "setConfig must not be null");
        if (setConfig.ipv6()) {
            throw new IllegalArgumentException("beacons go to IPv4 limited broadcast: use an INET set "
                    + "(NicBeaconSender.setConfig(port))");
        }
        if (setConfig.port() == 0 || !setConfig.wildcardRx()) {
            throw new IllegalArgumentException("beacons need a fixed port with the wildcard receive socket (the only "
                    + "one that hears 255.255.255.255): set port(P) and wildcardRx(true), as "
                    + "NicBeaconSender.setConfig(P) does");
        }
        if (!setConfig.broadcast()) {
            throw new IllegalArgumentException("beacons are broadcasts: set broadcast(true) (SO_BROADCAST)");
        }
        if (setConfig.broadcastRx()) {
            throw new IllegalArgumentException("set broadcastRx(false): beacons go to 255.255.255.255, and per-subnet "
                    + "broadcast sockets would only add second copies of other subnet broadcasts on the port");
        }
        return new Factory(setConfig);
    }

    /**
     * Starts a node whose beacons go out on every NIC: sets {@code builder}'s beacon sender to a new factory on
     * {@link #setConfig(int) setConfig(beaconPort)} and starts the node.
     *
     * @param builder the node's configuration (its beacon sender is replaced)
     * @param beaconPort the mesh's beacon port
     * @param handler inbound events, or {@code null} to poll
     * @return the started node; closing it closes the beacon set
     * @throws IOException if the node or the beacon set cannot start
     */
    public static MeshNode start(MeshConfig.Builder builder, int beaconPort, EventHandler handler) throws IOException {
        Factory factory = factory(setConfig(beaconPort).build());
        return MeshNode.start(builder.beaconSender(factory).build(), handler);
    }

    /** Makes one node's {@link NicBeaconSender}; the node attaches itself to it when it has started. */
    public static final class Factory implements BeaconSender.Factory {
        private final NicSetConfig setConfig;
        private volatile NicBeaconSender sender;

        private Factory(NicSetConfig setConfig) {
            this.setConfig = setConfig;
        }

        @Override
        public synchronized BeaconSender create(DatagramEndpoint nodeEndpoint) throws IOException {
            if (sender != null) {
                throw new IllegalStateException("this NicBeaconSender.Factory already made the sender of a node; "
                        + "make one factory per node (NicBeaconSender.factory(...))");
            }
            InetSocketAddress local = nodeEndpoint.localAddress();
            InetAddress bound = local.getAddress();
            if (!(bound instanceof Inet4Address)) {
                throw new IllegalArgumentException("NicBeaconSender announces IPv4 nodes; this node is bound to "
                        + local + ": bind it to 0.0.0.0");
            }
            if (bound.isLoopbackAddress()) {
                throw new IllegalArgumentException("the node is bound to " + local + ", which no NIC can reach: bind "
                        + "it to 0.0.0.0 (every NIC) for discovery on every NIC, or use beaconTargets on loopback");
            }
            NicSocketSet set = NicSocketSet.open(setConfig);
            NicBeaconSender s = new NicBeaconSender(set, bound.isAnyLocalAddress() ? null : bound);
            if (s.nodeAddress != null && set.sockets().stream().noneMatch(k -> k.role().sends()
                    && k.nic().address().equals(s.nodeAddress))) {
                set.close();
                throw new IllegalArgumentException("the node is bound to " + local + " but the beacon set has no NIC "
                        + "with that address (" + set.sockets() + "): bind the node to 0.0.0.0 or to a NIC address");
            }
            sender = s;
            return s;
        }

        /**
         * The sender made for {@code node}, whose receive loop hands beacons heard on every NIC to the node. The node
         * attached itself at start ({@link BeaconSender#nodeStarted}), so this only looks it up.
         *
         * @param node the node started with this factory
         * @return the sender
         * @throws IllegalStateException if {@code node} was not started with this factory
         */
        public NicBeaconSender attach(MeshNode node) {
            Objects.requireNonNull(node, "node must not be null");
            NicBeaconSender s = sender;
            if (s == null || node.config().beaconSender() != this) {
                throw new IllegalStateException("attach the node that was started with this factory "
                        + "(MeshConfig.builder().beaconSender(factory)), after MeshNode.start");
            }
            s.nodeStarted(node);
            return s;
        }

        /** @return the sender made for the node, or {@code null} before the node started */
        public NicBeaconSender sender() {
            return sender;
        }
    }

    /** Starts the receive loop for {@code n}; idempotent for the same node. */
    @Override
    public synchronized void nodeStarted(MeshNode n) {
        if (receiveThread != null) {
            if (node == n) {
                return;
            }
            throw new IllegalStateException("another node is already attached to " + this);
        }
        if (closed.get()) {
            throw new IllegalStateException(this + " is closed (was the node closed?)");
        }
        this.node = n;
        this.nodeId = n.nodeId();
        Thread t = new Thread(this::receiveLoop, "meshwire-beacons-" + Long.toUnsignedString(nodeId, 16));
        t.setDaemon(true);
        receiveThread = t;
        t.start();
    }

    @Override
    public void send(ByteBuffer beacon) throws IOException {
        if (closed.get()) {
            throw new IOException(this + " is closed");
        }
        if (nodeAddress != null) {
            SendResult r = set.sendVia(beacon, destination, nodeAddress);
            if (r != SendResult.SENT) {
                sendErrors.increment();
                throw new IOException("beacon via " + nodeAddress.getHostAddress() + " not sent: " + r);
            }
            copiesSent.increment();
            return;
        }
        FanoutResult r = set.fanout(beacon, destination);
        int sent = r.sent();
        copiesSent.add(sent);
        if (sent < r.attempted()) {
            sendErrors.add(r.attempted() - sent);
        }
        if (sent == 0) {
            // One NIC failing is counted and skipped; none sending at all is worth the node's (rate-limited) warning.
            throw new IOException(r.attempted() == 0 ? "no up, non-loopback NIC to announce on"
                    : "beacon sent through no NIC: " + r);
        }
    }

    private void receiveLoop() {
        try {
            while (!closed.get()) {
                set.receive(this::onDatagram, 16, RECEIVE_WAIT);
            }
        } catch (TransportClosedException e) {
            // closed: the loop ends
        } catch (RuntimeException e) {
            if (!closed.get()) {
                LOG.error("{}: beacon receive loop failed; this node hears no more beacons", this, e);
            }
        }
    }

    private void onDatagram(NicDatagram d) {
        if (d.length() != Beacons.LENGTH) {
            ignored.increment();
            return;
        }
        incomingBuffer.clear();
        d.copyTo(incomingBuffer);
        if (Wire.getLong(incoming, Beacons.NODE_ID_OFFSET) == nodeId) {
            ownBeacons.increment(); // our own broadcast, looped back by the kernel
            return;
        }
        for (byte[] r : recent) {
            if (Arrays.equals(r, incoming)) {
                duplicates.increment();
                return;
            }
        }
        System.arraycopy(incoming, 0, recent[recentNext], 0, Beacons.LENGTH);
        recentNext = (recentNext + 1) % RECENT;
        passed.increment();
        node.acceptBeacon(incomingBuffer.flip(), d.source());
    }

    /** @return the beacon port */
    public int port() {
        return set.port();
    }

    /** @return the socket set beacons go out and come in on */
    public NicSocketSet socketSet() {
        return set;
    }

    /** @return beacon copies sent, one per NIC per beacon */
    public long copiesSent() {
        return copiesSent.sum();
    }

    /** @return per-NIC beacon copies that failed to send */
    public long sendErrors() {
        return sendErrors.sum();
    }

    /** @return beacons handed to the node (it still checks tag and replays) */
    public long passed() {
        return passed.sum();
    }

    /** @return datagrams on the beacon port that were not 88 bytes long */
    public long ignored() {
        return ignored.sum();
    }

    /** @return the node's own beacons heard back */
    public long ownBeacons() {
        return ownBeacons.sum();
    }

    /** @return exact copies of a recent beacon (heard through a second NIC) */
    public long duplicates() {
        return duplicates.sum();
    }

    /** Stops the receive loop and closes the set. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        set.close();
        Thread t = receiveThread;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "NicBeaconSender[port " + set.port() + (nodeAddress == null ? ", every NIC" : ", via "
                + nodeAddress.getHostAddress()) + "]";
    }

    private static InetAddress limitedBroadcast() {
        try {
            return InetAddress.getByAddress(new byte[] {-1, -1, -1, -1});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always a valid IPv4 address
        }
    }
}
