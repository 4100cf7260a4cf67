package io.meshwire.mesh;

import io.meshwire.crypto.NetMeshHandshake;
import io.meshwire.crypto.PacketProtector;
import io.meshwire.crypto.SessionKeys;
import io.meshwire.transport.Datagram;
import io.meshwire.transport.DatagramEndpoint;
import io.meshwire.transport.DatagramHandler;
import io.meshwire.transport.EndpointConfig;
import io.meshwire.transport.SendBatch;
import io.meshwire.transport.TransportClosedException;
import io.meshwire.transport.TransportStats;
import io.meshwire.wire.DropCounters;
import io.meshwire.wire.DropReason;
import io.meshwire.wire.EventFrameReader;
import io.meshwire.wire.NetHeaderFlyweight;
import io.meshwire.wire.NetPacketParser;
import io.meshwire.wire.PacketFlags;
import io.meshwire.wire.PacketKind;
import io.meshwire.wire.RoutingHeaderFlyweight;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A net-mesh 0.27 node on one UDP socket: Noise NKpsk0 sessions, heartbeats and failure detection, streams
 * (fire-and-forget or reliable) with credit backpressure, channel pub/sub, and PSK-authenticated discovery beacons.
 * Wire-compatible with net-mesh where net-mesh defines the behaviour (spec §1–§4); see the module README for the
 * API overview and the deviations.
 *
 * <h2>Threads</h2>
 * {@link #start} opens the endpoint and starts one node thread, which reads every datagram, decrypts and
 * dispatches it, and runs the timers (heartbeats, failure detection, handshake retries, retransmissions, grants
 * and NACKs, beacons) about every millisecond. Streams send from the caller's thread. Inbound events go either to
 * the {@link EventHandler} given at start, on the node thread, or, without one, into a bounded buffer per stream
 * that {@link #poll} drains; the sender's credit comes back only as events are consumed, so a slow consumer causes
 * backpressure at the sender, not unbounded memory.
 *
 * <h2>Sessions</h2>
 * {@link #connect} runs the handshake as initiator: msg1 (empty payload) to the address, up to
 * {@link MeshConfig#handshakeTimeout()} for msg2, {@link MeshConfig#handshakeRetries()} more attempts with fresh
 * ephemeral keys. A responder must know the initiator's node id, because it is in the Noise prologue: it accepts
 * node ids named with {@link #accept}, its existing peers, and (by default) nodes known from beacons. Stream state
 * belongs to a session, as in net-mesh: a new handshake with a peer ends the streams of the session it replaces.
 *
 * <h2>Discovery beacons</h2>
 * 88 bytes, LE: magic 0x424D (wire "MB"), version 1, flags 0, port u16, reserved u16, node id u64, boot id u64,
 * sequence u64, wall clock ms u64, X25519 static public key [32], then a 16-byte tag, the first half of
 * BLAKE2s-256 keyed with K = BLAKE2s-256(key = PSK, "meshwire-beacon-v1") over the first 72 bytes. Only PSK
 * holders can announce; older (boot, sequence) pairs are dropped as replays.
 *
 * <p>{@link #close()} stops the node thread, ends every session and stream, and closes the socket; idempotent.
 */
public final class MeshNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MeshNode.class);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT_LE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int HEADER = NetHeaderFlyweight.HEADER_LENGTH;
    private static final int MAX_PACKET = NetHeaderFlyweight.MAX_PACKET_LENGTH;
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long HOUSEKEEPING_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int POLL_LIMIT = 256;
    private static final int BATCH_POOL_SIZE = 8;
    private static final int BATCH_DATAGRAMS = 32;
    private static final int MAX_CHANNELS_PER_PEER = 1024;
    private static final int MEMBERSHIP_ATTEMPTS = 3;
    private static final int MAX_HANDSHAKE_CANDIDATES = 64;
    private static final int SEEN_EPHEMERALS = 4096;
    private static final int RESET_COPIES = 3;
    private static final int PINGWAVE_LENGTH = 72;
    private static final int NAT_KEEPALIVE_LENGTH = 14;
    private static final byte[] EMPTY = new byte[0];

    private final MeshConfig config;
    final long nodeId;
    final long originHash;
    private final byte[] psk;
    private final DatagramEndpoint endpoint;
    private final EventHandler inlineHandler;
    final DropCounters drops = new DropCounters();
    final MeshCounters counters = new MeshCounters();
    private final LossInjector loss;
    private final ConcurrentHashMap<Long, Peer> peers = new ConcurrentHashMap<>();
    private final Set<Long> accepted = ConcurrentHashMap.newKeySet();
    private final CopyOnWriteArrayList<MeshListener> listeners = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final ArrayBlockingQueue<SendBatch> batchPool = new ArrayBlockingQueue<>(BATCH_POOL_SIZE);
    private final ArrayBlockingQueue<RxStream> ready;
    private final Object timedLock = new Object();
    private volatile MeshStream[] timedStreams = new MeshStream[0];
    private final ConcurrentHashMap<String, Roster> rosters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Discovery> discovery = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Warnings sendWarnings = new Warnings(LOG);
    private final Warnings handlerWarnings = new Warnings(LOG);
    private final Warnings loopWarnings = new Warnings(LOG);
    private final Beacons beacons;
    private final long bootId;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean closeFromNodeThread;
    /** Sends to {@link MeshConfig#beaconTargets()} and {@link #addBeaconTarget} targets; set at start. */
    private volatile UnicastBeaconSender unicastBeacons;
    /** The sender {@link MeshConfig#beaconSender()} made (e.g. per-NIC discovery), or null. */
    private volatile BeaconSender beaconSender;

    // ---- node thread only
    private final LongMap<Session> sessionsById = new LongMap<>(16);
    private final ArrayList<Session> sessions = new ArrayList<>();
    private final ArrayList<Peer> peerList = new ArrayList<>();
    private int rxStreamCount;
    private final byte[] rx = new byte[MAX_PACKET];
    private final ByteBuffer rxBuffer = ByteBuffer.wrap(rx);
    private final ByteBuffer rxView = rxBuffer.asReadOnlyBuffer();
    private final NetPacketParser parser = new NetPacketParser(drops);
    private final EventFrameReader reader = new EventFrameReader(drops);
    private final MeshEvent inlineEvent = new MeshEvent();
    private final byte[] tx = new byte[MAX_PACKET];
    private final ByteBuffer txBuffer = ByteBuffer.wrap(tx);
    private final NetHeaderFlyweight txHeader = new NetHeaderFlyweight().wrap(txBuffer, 0);
    private final byte[] control = new byte[512];
    private final DatagramHandler datagramHandler = this::onDatagram;
    private final Map<InetSocketAddress, PendingConnect> connecting = new LinkedHashMap<>();
    private final List<PendingConnect> awaitingDiscovery = new ArrayList<>();
    private final Map<Long, PendingMembership> memberships = new LinkedHashMap<>();
    private final Wire.Membership membership = new Wire.Membership();
    private final DropCounters trialDrops = new DropCounters();
    private final LinkedHashMap<String, Boolean> seenEphemerals = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > SEEN_EPHEMERALS;
        }
    };
    private final byte[] beacon = new byte[Beacons.LENGTH];
    private final ByteBuffer beaconBuffer = ByteBuffer.wrap(beacon);
    private long nextBeaconNanos;
    private long beaconSequence;
    private long nextHousekeepingNanos;

    // ---- the polling consumer
    private final ReentrantLock pollLock = new ReentrantLock();
    private final MeshEvent pollEvent = new MeshEvent();

    private MeshNode(MeshConfig config, EventHandler handler, DatagramEndpoint endpoint) {
        this.config = config;
        this.nodeId = config.identity().nodeId();
        this.originHash = config.identity().originHash();
        this.psk = config.psk();
        this.endpoint = endpoint;
        this.inlineHandler = handler;
        this.loss = config.lossInjection().enabled() ? new LossInjector(config.lossInjection()) : null;
        this.ready = new ArrayBlockingQueue<>(2 * config.maxStreams() + 16);
        this.beacons = new Beacons(psk);
        this.bootId = random.nextLong();
        this.thread = Thread.ofPlatform().name("meshwire-node-" + endpoint.localAddress().getPort())
                .daemon().unstarted(this::run);
        long now = System.nanoTime();
        this.nextBeaconNanos = now;
        this.nextHousekeepingNanos = now;
    }

    /**
     * Starts a node whose inbound events are read with {@link #poll}.
     *
     * @param config the configuration
     * @return the running node
     * @throws IOException if the socket cannot be opened or bound, or the beacon sender cannot be made
     */
    public static MeshNode start(MeshConfig config) throws IOException {
        return start(config, null);
    }

    /**
     * Starts a node that hands every inbound event to {@code handler} on its own thread (keep it short: while it
     * runs, the node reads no packets and sends no heartbeats); {@code null} for poll mode.
     *
     * @param config the configuration
     * @param handler the event handler, or {@code null}
     * @return the running node
     * @throws IOException if the socket cannot be opened or bound, or the beacon sender cannot be made
     */
    public static MeshNode start(MeshConfig config, EventHandler handler) throws IOException {
        Objects.requireNonNull(config, "config must not be null");
        EndpointConfig endpointConfig = EndpointConfig.builder()
                .bindAddress(config.bindAddress())
                .backend(config.backend())
                .receiveBufferSize(config.socketBufferBytes())
                .sendBufferSize(config.socketBufferBytes())
                .maxDatagramSize(MAX_PACKET)
                .instrumentation(true)
                .build();
        DatagramEndpoint endpoint = DatagramEndpoint.open(endpointConfig);
        MeshNode node;
        try {
            node = new MeshNode(config, handler, endpoint);
            node.unicastBeacons = new UnicastBeaconSender(endpoint, config.beaconTargets());
            BeaconSender.Factory factory = config.beaconSender();
            if (factory != null) {
                node.beaconSender = factory.create(endpoint);
            }
        } catch (IOException | RuntimeException e) {
            endpoint.close();
            throw e;
        }
        node.thread.start();
        try {
            if (node.beaconSender != null) {
                node.beaconSender.nodeStarted(node);
            }
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
        LOG.debug("mesh node {} started on {}", Long.toUnsignedString(node.nodeId, 16), endpoint.localAddress());
        return node;
    }

    // ------------------------------------------------------------------------------------------------ identity

    /** @return this node's id */
    public long nodeId() {
        return nodeId;
    }

    /** @return this node's identity */
    public MeshIdentity identity() {
        return config.identity();
    }

    /** @return the X25519 static public key peers pass to {@link #connect(InetSocketAddress, byte[], long)} */
    public byte[] staticPublicKey() {
        return config.identity().staticPublicKey();
    }

    /** @return the bound address (with the kernel's port when port 0 was configured) */
    public InetSocketAddress localAddress() {
        return endpoint.localAddress();
    }

    /** @return the configuration */
    public MeshConfig config() {
        return config;
    }

    /** @param listener called on the node thread for peer, stream and discovery events */
    public void addListener(MeshListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
    }

    /** @param listener a listener added before */
    public void removeListener(MeshListener listener) {
        listeners.remove(listener);
    }

    // ------------------------------------------------------------------------------------------------ sessions

    /**
     * Lets the node with this id connect to this one (net-mesh {@code accept}); any time, before or after it tries.
     *
     * @param peerNodeId the initiator's node id
     */
    public void accept(long peerNodeId) {
        accepted.add(peerNodeId);
    }

    /**
     * Connects to a peer (net-mesh {@code connect}): the NKpsk0 handshake with timeout and retries. Returns at once
     * if a session with the peer is already up.
     *
     * @param address the peer's UDP address
     * @param staticPublicKey the peer's X25519 static public key (32 bytes)
     * @param peerNodeId the peer's node id
     * @return completes with the peer when the session is up, or exceptionally with a {@link TimeoutException}
     *     after the last attempt (on the node thread: do not block in dependent stages)
     */
    public CompletableFuture<PeerInfo> connect(InetSocketAddress address, byte[] staticPublicKey, long peerNodeId) {
        Objects.requireNonNull(address, "address must not be null");
        if (address.isUnresolved() || address.getPort() == 0) {
            throw new IllegalArgumentException("address must be resolved with a port: " + address);
        }
        if (staticPublicKey == null || staticPublicKey.length != 32) {
            throw new IllegalArgumentException("staticPublicKey must be the peer's 32-byte X25519 public key");
        }
        if (peerNodeId == nodeId) {
            throw new IllegalArgumentException("cannot connect to this node itself");
        }
        PendingConnect pc = new PendingConnect(peerNodeId, address, staticPublicKey.clone());
        post(() -> beginConnect(pc, System.nanoTime()));
        return pc.future;
    }

    /**
     * Connects to a node known from its beacons, waiting for its first beacon for up to the whole handshake budget
     * (timeout × attempts).
     *
     * @param peerNodeId the node id
     * @return as {@link #connect(InetSocketAddress, byte[], long)}
     */
    public CompletableFuture<PeerInfo> connect(long peerNodeId) {
        if (peerNodeId == nodeId) {
            throw new IllegalArgumentException("cannot connect to this node itself");
        }
        PendingConnect pc = new PendingConnect(peerNodeId, null, null);
        post(() -> {
            long now = System.nanoTime();
            pc.discoveryDeadline = now + config.handshakeTimeout().toNanos() * (config.handshakeRetries() + 1);
            if (!connectDiscovered(pc, now)) {
                awaitingDiscovery.add(pc);
            }
        });
        return pc.future;
    }

    /** @return a snapshot of every peer */
    public List<PeerInfo> peers() {
        long now = System.nanoTime();
        List<PeerInfo> out = new ArrayList<>();
        for (Peer p : peers.values()) {
            out.add(p.info(now));
        }
        return out;
    }

    /**
     * @param peerNodeId a node id
     * @return the peer, if it has a session with this node
     */
    public Optional<PeerInfo> peer(long peerNodeId) {
        Peer p = peers.get(peerNodeId);
        return p == null ? Optional.empty() : Optional.of(p.info(System.nanoTime()));
    }

    /**
     * Waits until a session with the peer is up (e.g. on the accepting side).
     *
     * @param peerNodeId the peer
     * @param timeout longest wait
     * @return the peer
     * @throws TimeoutException if it did not connect in time
     * @throws InterruptedException if interrupted
     */
    public PeerInfo awaitPeer(long peerNodeId, Duration timeout) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Peer p = peers.get(peerNodeId);
            if (p != null && p.current != null && p.state != PeerState.FAILED) {
                return p.info(System.nanoTime());
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new TimeoutException("node " + Long.toUnsignedString(peerNodeId, 16) + " did not connect within "
                        + timeout);
            }
            Thread.sleep(1);
        }
    }

    // ------------------------------------------------------------------------------------------------ streams

    /**
     * Opens a stream to a connected peer with the default config ({@link MeshConfig#streamDefaults()}).
     *
     * @param peerNodeId the peer
     * @param streamId any id except 2^64−1 (the control stream)
     * @return the stream (the existing one if already open in this session)
     * @throws IllegalStateException if there is no session with the peer
     */
    public MeshStream openStream(long peerNodeId, long streamId) {
        return openStream(peerNodeId, streamId, config.streamDefaults());
    }

    /**
     * Opens a stream to a connected peer (net-mesh {@code open_stream}). Idempotent: the first config wins, and a
     * later open with another config gets the existing stream.
     *
     * @param peerNodeId the peer
     * @param streamId any id except 2^64−1 (the control stream)
     * @param streamConfig its configuration
     * @return the stream
     * @throws IllegalStateException if there is no session with the peer, or the session has too many streams
     */
    public MeshStream openStream(long peerNodeId, long streamId, StreamConfig streamConfig) {
        Objects.requireNonNull(streamConfig, "streamConfig must not be null");
        if (streamId == Wire.CONTROL_STREAM_ID) {
            throw new IllegalArgumentException("stream id 2^64-1 is net-mesh's control stream");
        }
        Peer p = peers.get(peerNodeId);
        Session s = p == null ? null : p.current;
        if (s == null || p.state == PeerState.FAILED || closed.get()) {
            throw new IllegalStateException("no session with node " + Long.toUnsignedString(peerNodeId, 16)
                    + "; connect first (connect(...) or wait for its handshake with awaitPeer)");
        }
        return openStreamOn(s, streamId, streamConfig, 0);
    }

    private MeshStream openStreamOn(Session s, long streamId, StreamConfig streamConfig, int channelHash) {
        MeshStream st = s.txStreams.get(streamId);
        if (st != null && st.isOpen()) {
            return st;
        }
        synchronized (s) {
            st = s.txStreams.get(streamId);
            if (st != null && st.isOpen()) {
                return st;
            }
            if (s.ended) {
                throw new IllegalStateException("the session with node " + Long.toUnsignedString(s.peer.nodeId, 16)
                        + " ended; open the stream again on the new session");
            }
            if (s.txStreams.size() >= config.maxStreams()) {
                throw new IllegalStateException("session with node " + Long.toUnsignedString(s.peer.nodeId, 16)
                        + " has " + config.maxStreams() + " streams (maxStreams); close some first");
            }
            st = new MeshStream(this, s, streamId, streamConfig, channelHash);
            s.txStreams.put(streamId, st);
        }
        if (st.timed()) {
            synchronized (timedLock) {
                MeshStream[] current = timedStreams;
                MeshStream[] next = Arrays.copyOf(current, current.length + 1);
                next[current.length] = st;
                timedStreams = next;
            }
        }
        return st;
    }

    /**
     * Poll mode: hands up to {@code maxEvents} waiting events to {@code handler} on the calling thread, without
     * waiting. Events of one stream come in order; streams take turns. One poller at a time.
     *
     * @param handler receives the events
     * @param maxEvents most events to hand out
     * @return events handed out
     * @throws IllegalStateException if the node was started with an event handler
     */
    public int poll(EventHandler handler, int maxEvents) {
        try {
            return poll(handler, maxEvents, Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /**
     * Poll mode, waiting up to {@code timeout} for the first event.
     *
     * @param handler receives the events
     * @param maxEvents most events to hand out
     * @param timeout longest wait for the first event
     * @return events handed out (0 when none came in time)
     * @throws InterruptedException if interrupted while waiting
     */
    public int poll(EventHandler handler, int maxEvents, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(handler, "handler must not be null");
        if (maxEvents < 1) {
            throw new IllegalArgumentException("maxEvents must be at least 1: " + maxEvents);
        }
        if (inlineHandler != null) {
            throw new IllegalStateException("this node hands events to the handler given at start; poll is for nodes "
                    + "started without one");
        }
        long wait = timeout.toNanos();
        pollLock.lock();
        try {
            int delivered = 0;
            while (delivered < maxEvents) {
                RxStream s = delivered == 0 && wait > 0 ? ready.poll(wait, TimeUnit.NANOSECONDS) : ready.poll();
                if (s == null) {
                    break;
                }
                delivered += s.drain(handler, pollEvent, maxEvents - delivered);
                s.queued.set(false);
                if (s.hasData() && s.queued.compareAndSet(false, true)) {
                    ready.offer(s);
                }
            }
            return delivered;
        } finally {
            pollLock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------------ channels

    /**
     * The publisher of a channel, with fire-and-forget per-subscriber streams and the default window.
     *
     * @param channel a valid channel name
     * @return the publisher (subscribers are kept per channel name, so repeated calls see the same set)
     */
    public ChannelPublisher publisher(String channel) {
        return publisher(channel, config.streamDefaults());
    }

    /**
     * @param channel a valid channel name
     * @param streamConfig configuration of the per-subscriber streams
     * @return the publisher
     */
    public ChannelPublisher publisher(String channel, StreamConfig streamConfig) {
        ChannelName name = new ChannelName(channel);
        return new ChannelPublisher(name, streamConfig, roster(name));
    }

    private Roster roster(ChannelName name) {
        return rosters.computeIfAbsent(name.name(), n -> new Roster(name));
    }

    /**
     * Publishes one event to every subscriber without waiting.
     *
     * @param publisher the channel
     * @param event the event
     * @return the delivery report
     */
    public PublishReport publish(ChannelPublisher publisher, ByteBuffer event) {
        return publish(publisher, List.of(event));
    }

    /**
     * Publishes events to every subscriber (one unicast stream each) without waiting for credit.
     *
     * @param publisher the channel
     * @param events the events, in order
     * @return the delivery report
     */
    public PublishReport publish(ChannelPublisher publisher, List<ByteBuffer> events) {
        try {
            return publish(publisher, events, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Publishes events to every subscriber, waiting for each subscriber's credit up to {@code timeout}.
     *
     * @param publisher the channel
     * @param events the events, in order
     * @param timeout longest wait per subscriber, or {@code null} not to wait
     * @return the delivery report
     * @throws InterruptedException if interrupted while waiting
     */
    public PublishReport publish(ChannelPublisher publisher, List<ByteBuffer> events, Duration timeout)
            throws InterruptedException {
        Peer[] members = publisher.roster.members();
        int delivered = 0;
        int backpressured = 0;
        int failed = 0;
        List<Long> missed = null;
        int channelHash = publisher.channel().wireHash();
        long streamId = publisher.channel().publishStreamId();
        for (Peer peer : members) {
            Session s = peer.current;
            int sent = -1;
            MeshStream st = null;
            if (s != null && !s.ended && peer.state != PeerState.FAILED) {
                try {
                    st = openStreamOn(s, streamId, publisher.config(), channelHash);
                    sent = timeout == null ? st.trySend(events) : st.send(events, timeout);
                } catch (IllegalStateException e) {
                    sent = -1;
                }
            }
            if (sent == events.size()) {
                delivered++;
                continue;
            }
            if (sent < 0 || !st.isOpen()) {
                failed++;
            } else {
                backpressured++;
            }
            if (missed == null) {
                missed = new ArrayList<>();
            }
            missed.add(peer.nodeId);
        }
        return new PublishReport(members.length, delivered, backpressured, failed, missed == null ? List.of() : missed);
    }

    /**
     * Subscribes to a connected publisher's channel (0x0A00 Subscribe, acked; 3 attempts).
     *
     * @param publisherNodeId the publisher
     * @param channel a valid channel name
     * @return completes when the publisher accepted, exceptionally when it refused or did not answer
     */
    public CompletableFuture<Void> subscribe(long publisherNodeId, String channel) {
        return membershipRequest(publisherNodeId, new ChannelName(channel), Wire.MEMBERSHIP_SUBSCRIBE);
    }

    /**
     * @param publisherNodeId the publisher
     * @param channel the channel
     * @return completes when the publisher acknowledged
     */
    public CompletableFuture<Void> unsubscribe(long publisherNodeId, String channel) {
        return membershipRequest(publisherNodeId, new ChannelName(channel), Wire.MEMBERSHIP_UNSUBSCRIBE);
    }

    private CompletableFuture<Void> membershipRequest(long publisherNodeId, ChannelName channel, int type) {
        PendingMembership pm = new PendingMembership(publisherNodeId, channel, type);
        post(() -> {
            Peer p = peers.get(publisherNodeId);
            if (p == null || p.current == null) {
                pm.future.completeExceptionally(new IllegalStateException("no session with node "
                        + Long.toUnsignedString(publisherNodeId, 16) + "; connect first"));
                return;
            }
            long nonce;
            do {
                nonce = random.nextLong();
            } while (memberships.containsKey(nonce));
            pm.nonce = nonce;
            memberships.put(nonce, pm);
            sendMembership(pm, System.nanoTime());
        });
        return pm.future;
    }

    // ------------------------------------------------------------------------------------------------ discovery

    /** @return the nodes known from beacons */
    public List<DiscoveredNode> discovered() {
        long now = System.nanoTime();
        List<DiscoveredNode> out = new ArrayList<>();
        for (Discovery d : discovery.values()) {
            out.add(d.snapshot(now));
        }
        return out;
    }

    /**
     * Adds a destination to the built-in {@link UnicastBeaconSender}, also when a {@link MeshConfig#beaconSender()}
     * sends the beacons elsewhere as well (e.g. on every NIC).
     *
     * @param target a resolved address with a port
     */
    public void addBeaconTarget(InetSocketAddress target) {
        unicastBeacons.addTarget(target);
    }

    /**
     * Hands in a beacon received on another socket (e.g. a per-NIC one); beacons on the node's own socket are read
     * without this. Checked and applied on the node thread.
     *
     * @param datagram the datagram, between position and limit (copied)
     * @param source where it came from
     */
    public void acceptBeacon(ByteBuffer datagram, InetSocketAddress source) {
        if (datagram.remaining() != Beacons.LENGTH) {
            drops.drop(DropReason.BAD_LENGTH);
            return;
        }
        byte[] copy = new byte[Beacons.LENGTH];
        datagram.get(datagram.position(), copy);
        post(() -> onBeacon(copy, 0, source, System.nanoTime()));
    }

    // ------------------------------------------------------------------------------------------------ stats

    /** @return a snapshot of the node's counters */
    public MeshStats stats() {
        TransportStats t = endpoint.stats();
        MeshCounters c = counters;
        return new MeshStats(c.eventsSent.sum(), c.eventBytesSent.sum(), c.packetsSent.sum(), c.bytesSent.sum(),
                t.sendSyscalls(), c.eventsReceived.sum(), c.eventBytesReceived.sum(), c.packetsReceived.sum(),
                c.bytesReceived.sum(), t.receiveSyscalls(), c.retransmits.sum(), c.gaps.sum(), c.backpressured.sum(),
                c.streamResets.sum(), c.heartbeatsSent.sum(), c.heartbeatsReceived.sum(), c.handshakesCompleted.sum(),
                c.handshakesFailed.sum(), t.kernelDrops(), drops.snapshot());
    }

    /** @return the drop counters, by reason */
    public DropCounters drops() {
        return drops;
    }

    /** @return a snapshot of every inbound stream (taken on the node thread; waits up to a second) */
    public List<InboundStats> inboundStats() {
        if (Thread.currentThread() == thread || closed.get()) {
            return collectInboundStats();
        }
        CompletableFuture<List<InboundStats>> f = new CompletableFuture<>();
        post(() -> f.complete(collectInboundStats()));
        try {
            return f.get(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        } catch (ExecutionException | TimeoutException e) {
            return List.of();
        }
    }

    private List<InboundStats> collectInboundStats() {
        List<InboundStats> out = new ArrayList<>();
        for (Session s : sessions) {
            for (int i = 0; i < s.rxStreams.capacity(); i++) {
                RxStream r = s.rxStreams.valueAt(i);
                if (r != null) {
                    out.add(r.stats());
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------ node thread

    private void post(Runnable command) {
        if (closed.get()) {
            throw new IllegalStateException("mesh node " + Long.toUnsignedString(nodeId, 16) + " is closed");
        }
        commands.add(command);
    }

    private void run() {
        long nextTick = System.nanoTime();
        while (running) {
            try {
                Datagram d = endpoint.receive(TICK_NANOS, TimeUnit.NANOSECONDS);
                if (d != null) {
                    try {
                        onDatagram(d);
                    } finally {
                        d.release();
                    }
                    endpoint.pollBatch(datagramHandler, POLL_LIMIT);
                }
                Runnable command;
                while ((command = commands.poll()) != null) {
                    command.run();
                }
                long now = System.nanoTime();
                if (now - nextTick >= 0) {
                    tick(now);
                    nextTick = now + TICK_NANOS;
                }
            } catch (TransportClosedException e) {
                if (running) {
                    LOG.error("mesh node {}: endpoint closed under it; the node stops", Long.toUnsignedString(nodeId, 16), e);
                }
                break;
            } catch (RuntimeException | Error e) {
                if (running) {
                    loopWarnings.warn("mesh node {}: unexpected failure in the node loop (continuing)",
                            Long.toUnsignedString(nodeId, 16), e);
                }
            }
        }
        if (closed.get() && closeFromNodeThread) {
            finishClose(); // close() was called from a handler or listener on this thread
        }
    }

    private void onDatagram(Datagram d) {
        int length = d.length();
        counters.packetsReceived.increment();
        counters.bytesReceived.add(length);
        if (length > rx.length) {
            drops.drop(DropReason.OVERSIZED);
            return;
        }
        if (length < 2) {
            drops.drop(DropReason.TRUNCATED);
            return;
        }
        MemorySegment.copy(d.memory(), ValueLayout.JAVA_BYTE, d.offset(), rx, 0, length);
        int magic = Short.toUnsignedInt((short) SHORT_LE.get(rx, 0));
        if (magic == NetHeaderFlyweight.MAGIC) {
            boolean handshake = length > NetHeaderFlyweight.FLAGS_OFFSET
                    && (rx[NetHeaderFlyweight.FLAGS_OFFSET] & PacketFlags.HANDSHAKE) != 0;
            if (!handshake && loss != null && loss.dropOnReceive()) {
                drops.drop(DropReason.INJECTED_LOSS);
                return;
            }
            onNetPacket(length, d);
        } else if (magic == Beacons.MAGIC && length == Beacons.LENGTH) {
            onBeacon(rx, 0, d.source(), System.nanoTime());
        } else if (magic == RoutingHeaderFlyweight.ROUTING_MAGIC || length == PINGWAVE_LENGTH || length == NAT_KEEPALIVE_LENGTH) {
            // relayed packets, pingwaves and NAT keep-alives: net-mesh features this node does not implement
            drops.drop(DropReason.UNSUPPORTED);
        } else {
            drops.drop(DropReason.BAD_MAGIC);
        }
    }

    private void onNetPacket(int length, Datagram d) {
        rxBuffer.clear();
        PacketKind kind = parser.parse(rxBuffer, 0, length);
        if (kind == PacketKind.DROPPED) {
            return;
        }
        NetHeaderFlyweight h = parser.header();
        long now = System.nanoTime();
        if (kind == PacketKind.HANDSHAKE) {
            onHandshake(h, d.source(), now);
            return;
        }
        Session s = sessionsById.get(h.sessionId());
        if (s == null) {
            drops.drop(DropReason.UNKNOWN_SESSION);
            return;
        }
        if (!s.protector.open(h)) {
            return; // counted: AUTH_FAILED, REPLAYED, COUNTER_OUT_OF_RANGE
        }
        onAuthenticated(s, d.source(), now);
        if (kind == PacketKind.HEARTBEAT) {
            counters.heartbeatsReceived.increment();
            return;
        }
        int payloadLength = h.payloadLength();
        int eventCount = h.eventCount();
        if (!reader.validate(rxBuffer, HEADER, payloadLength, eventCount)) {
            return; // counted: FRAME_*
        }
        int subprotocol = h.subprotocolId();
        switch (subprotocol) {
            case Wire.SUBPROTOCOL_EVENTS -> onEvents(s, h, payloadLength, eventCount, length, now);
            case Wire.SUBPROTOCOL_STREAM_WINDOW, Wire.SUBPROTOCOL_STREAM_NACK, Wire.SUBPROTOCOL_STREAM_RESET ->
                    onControl(s, subprotocol, eventCount, now);
            case Wire.SUBPROTOCOL_CHANNEL_MEMBERSHIP -> onMembership(s, eventCount);
            default -> drops.drop(DropReason.UNSUPPORTED);
        }
    }

    private void onAuthenticated(Session s, InetSocketAddress source, long now) {
        s.lastReceivedNanos = now;
        Peer p = s.peer;
        p.lastHeardNanos = now;
        if (!s.confirmed) {
            makeCurrent(p, s); // the initiator uses its new session: the responder follows
        }
        if (!source.equals(p.address) && s == p.current) {
            p.address = source; // authenticated and fresh: the peer moved (another NIC, NAT rebinding)
        }
        if (p.state == PeerState.SUSPECTED) {
            p.state = PeerState.CONNECTED;
            PeerInfo info = p.info(now);
            notifyListeners(l -> l.onPeerRecovered(info));
        }
    }

    private void onEvents(Session s, NetHeaderFlyweight h, int payloadLength, int eventCount, int wire, long now) {
        long streamId = h.streamId();
        RxStream r = s.rxStreams.get(streamId);
        if (r == null) {
            if (rxStreamCount >= config.maxStreams()) {
                drops.drop(DropReason.STREAM_LIMIT);
                return;
            }
            r = new RxStream(this, s, streamId, inlineHandler != null, config.inboundBufferBytes(), now);
            s.rxStreams.put(streamId, r);
            rxStreamCount++;
        }
        r.onPacket(rx, rxView, HEADER, payloadLength, eventCount, wire, h.sequence(), h.channelHash(),
                (h.flags() & PacketFlags.RELIABLE) != 0, now);
        r.grantIfDue(now);
    }

    private void onControl(Session s, int subprotocol, int eventCount, long now) {
        int expected = subprotocol == Wire.SUBPROTOCOL_STREAM_RESET ? Wire.RESET_LENGTH : Wire.WINDOW_LENGTH;
        if (eventCount != 1 || !reader.next() || reader.eventLength() != expected) {
            drops.drop(DropReason.MALFORMED_CONTROL);
            return;
        }
        int p = reader.eventOffset();
        long streamId = Wire.getLong(rx, p);
        if (subprotocol == Wire.SUBPROTOCOL_STREAM_RESET) {
            RxStream r = s.rxStreams.get(streamId);
            if (r != null) {
                r.onReset();
                counters.streamResets.increment();
                long peerId = s.peer.nodeId;
                notifyListeners(l -> l.onStreamReset(peerId, streamId, true));
            }
            return;
        }
        MeshStream st = s.txStreams.get(streamId);
        if (st == null) {
            return; // a grant for a stream closed here; harmless
        }
        long a = Wire.getLong(rx, p + 8);
        long b = Wire.getLong(rx, p + 16);
        if (subprotocol == Wire.SUBPROTOCOL_STREAM_WINDOW) {
            st.onGrant(a, b, now);
        } else if (st.onNack(a, b, now)) {
            resetStream(st);
        }
    }

    private void onMembership(Session s, int eventCount) {
        if (eventCount != 1 || !reader.next() || !membership.decode(rx, reader.eventOffset(), reader.eventLength())) {
            drops.drop(DropReason.MALFORMED_CONTROL);
            return;
        }
        Peer peer = s.peer;
        switch (membership.type) {
            case Wire.MEMBERSHIP_SUBSCRIBE -> {
                Roster roster = roster(new ChannelName(membership.channel));
                boolean ok = true;
                int reason = Wire.ACK_OK;
                if (!roster.contains(peer)) {
                    if (peer.channelCount >= MAX_CHANNELS_PER_PEER) {
                        ok = false;
                        reason = Wire.ACK_TOO_MANY_CHANNELS;
                    } else if (roster.add(peer)) {
                        peer.channelCount++;
                    }
                }
                sendMembershipAck(s, membership.nonce, ok, reason);
            }
            case Wire.MEMBERSHIP_UNSUBSCRIBE -> {
                Roster roster = rosters.get(membership.channel);
                if (roster != null && roster.remove(peer)) {
                    peer.channelCount--;
                }
                sendMembershipAck(s, membership.nonce, true, Wire.ACK_OK);
            }
            default -> {
                PendingMembership pm = memberships.remove(membership.nonce);
                if (pm != null) {
                    if (membership.accepted) {
                        pm.future.complete(null);
                    } else {
                        pm.future.completeExceptionally(new IOException("node " + Long.toUnsignedString(pm.peerNodeId, 16)
                                + " refused the membership request for " + pm.channel + " (reason " + membership.reason
                                + ")"));
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ handshakes

    private void beginConnect(PendingConnect pc, long now) {
        Peer p = peers.get(pc.peerNodeId);
        if (p != null && p.current != null && p.state != PeerState.FAILED) {
            pc.future.complete(p.info(now));
            return;
        }
        PendingConnect existing = connecting.get(pc.address);
        if (existing != null) {
            if (existing.peerNodeId == pc.peerNodeId) {
                existing.future.whenComplete((info, error) -> {
                    if (error != null) {
                        pc.future.completeExceptionally(error);
                    } else {
                        pc.future.complete(info);
                    }
                });
                return;
            }
            existing.future.completeExceptionally(new IllegalStateException("superseded by a connect to node "
                    + Long.toUnsignedString(pc.peerNodeId, 16) + " at the same address"));
        }
        connecting.put(pc.address, pc);
        sendMessage1(pc, now);
    }

    private boolean connectDiscovered(PendingConnect pc, long now) {
        Discovery d = discovery.get(pc.peerNodeId);
        if (d == null) {
            return false;
        }
        PendingConnect direct = new PendingConnect(pc.peerNodeId, d.addresses.getFirst(), d.staticPublicKey, pc.future);
        beginConnect(direct, now);
        return true;
    }

    private void sendMessage1(PendingConnect pc, long now) {
        pc.attempts++;
        pc.handshake = NetMeshHandshake.initiator(psk, pc.staticPublicKey, nodeId, pc.peerNodeId, random, trialDrops);
        txBuffer.clear();
        int length = pc.handshake.writeHandshakePacket(EMPTY, txBuffer, 0);
        pc.deadline = now + config.handshakeTimeout().toNanos();
        sendRaw(length, pc.address, false);
    }

    private void onHandshake(NetHeaderFlyweight h, InetSocketAddress source, long now) {
        int length = h.payloadLength();
        byte[] message = Arrays.copyOfRange(rx, HEADER, HEADER + length);
        PendingConnect pc = connecting.get(source);
        if (pc != null && pc.handshake != null && !pc.handshake.isFailed() && !pc.handshake.isComplete()) {
            byte[] payload = pc.handshake.readMessage(message, 0, length);
            if (payload != null && pc.handshake.isComplete()) {
                connecting.remove(source);
                Peer p = establish(pc.peerNodeId, source, pc.handshake.sessionKeys(), true, now);
                counters.handshakesCompleted.increment();
                pc.future.complete(p.info(now));
                return;
            }
            // Not this attempt's msg2 (a late reply to an earlier attempt, or the peer's own msg1): start the next
            // attempt at once rather than at the timeout, and try the message as a msg1 below.
            if (pc.attempts <= config.handshakeRetries()) {
                sendMessage1(pc, now);
            }
        }
        respond(message, source, now);
    }

    private void respond(byte[] message, InetSocketAddress source, long now) {
        if (message.length < 48) {
            drops.drop(DropReason.HANDSHAKE_FAILED);
            return;
        }
        // msg1 starts with the initiator's ephemeral key in clear; a retry always has a new one, so a repeat is a
        // replay (or a duplicated datagram), and answering it would only replace a working session.
        String ephemeral = HexFormat.of().formatHex(message, 0, 32);
        if (seenEphemerals.containsKey(ephemeral)) {
            drops.drop(DropReason.REPLAYED);
            return;
        }
        NetMeshHandshake responder = null;
        long initiatorId = 0;
        for (long candidate : responderCandidates(source)) {
            NetMeshHandshake hs = NetMeshHandshake.responder(psk, config.identity().staticKeyPair(), nodeId, candidate,
                    random, trialDrops);
            if (hs.readMessage(message, 0, message.length) != null) {
                responder = hs;
                initiatorId = candidate;
                break;
            }
        }
        if (responder == null) {
            // wrong PSK, unknown initiator, a stale msg2, or garbage: all look the same from here
            drops.drop(DropReason.HANDSHAKE_FAILED);
            return;
        }
        seenEphemerals.put(ephemeral, Boolean.TRUE);
        txBuffer.clear();
        int length = responder.writeHandshakePacket(EMPTY, txBuffer, 0);
        sendRaw(length, source, false);
        establish(initiatorId, source, responder.sessionKeys(), false, now);
        counters.handshakesCompleted.increment();
    }

    /**
     * Node ids a msg1 from {@code source} may come from, most likely first: the prologue holds the initiator's id,
     * which a direct msg1 does not carry, so the responder tries each (one DH each).
     */
    private Set<Long> responderCandidates(InetSocketAddress source) {
        Set<Long> out = new LinkedHashSet<>();
        for (Peer p : peers.values()) {
            if (source.equals(p.address)) {
                out.add(p.nodeId);
            }
        }
        for (Discovery d : discovery.values()) {
            if (d.addresses.contains(source) && (config.acceptDiscovered() || accepted.contains(d.nodeId))) {
                out.add(d.nodeId);
            }
        }
        for (Long id : accepted) {
            if (out.size() >= MAX_HANDSHAKE_CANDIDATES) {
                return out;
            }
            out.add(id);
        }
        for (Peer p : peers.values()) {
            if (out.size() >= MAX_HANDSHAKE_CANDIDATES) {
                return out;
            }
            out.add(p.nodeId);
        }
        if (config.acceptDiscovered()) {
            for (Discovery d : discovery.values()) {
                if (out.size() >= MAX_HANDSHAKE_CANDIDATES) {
                    return out;
                }
                out.add(d.nodeId);
            }
        }
        return out;
    }

    private Peer establish(long peerNodeId, InetSocketAddress address, SessionKeys keys, boolean initiator, long now) {
        Peer p = peers.get(peerNodeId);
        boolean fresh = p == null;
        if (fresh) {
            p = new Peer(peerNodeId, address, now);
            peers.put(peerNodeId, p);
            peerList.add(p);
        }
        p.address = address;
        p.lastHeardNanos = now;
        Session old = sessionsById.get(keys.sessionId());
        if (old != null) {
            removeSession(old);
        }
        Session s = new Session(p, keys.sessionId(), new PacketProtector(keys, config.aeadBackend(), drops), now,
                initiator || p.current == null);
        sessionsById.put(s.id, s);
        sessions.add(s);
        p.sessions.add(s);
        if (s.confirmed) {
            makeCurrent(p, s);
        }
        p.state = PeerState.CONNECTED;
        sendHeartbeat(p, s, now); // lets a responder switch to this session at once
        if (fresh || s.confirmed) {
            PeerInfo info = p.info(now);
            notifyListeners(l -> l.onPeerConnected(info));
        }
        return p;
    }

    private void makeCurrent(Peer p, Session s) {
        Session old = p.current;
        s.confirmed = true;
        p.current = s;
        if (old != null && old != s) {
            old.end(); // its streams end; the session still decrypts until it goes quiet
        }
    }

    // ------------------------------------------------------------------------------------------------ timers

    private void tick(long now) {
        tickHandshakes(now);
        for (int i = peerList.size() - 1; i >= 0; i--) {
            tickPeer(peerList.get(i), now);
        }
        for (int i = 0; i < sessions.size(); i++) {
            Session s = sessions.get(i);
            LongMap<RxStream> streams = s.rxStreams;
            for (int j = 0; j < streams.capacity(); j++) {
                RxStream r = streams.valueAt(j);
                if (r != null) {
                    r.maintain(now);
                }
            }
        }
        MeshStream[] timed = timedStreams;
        boolean pruned = false;
        for (MeshStream st : timed) {
            if (!st.isOpen()) {
                pruned = true;
            } else if (st.onTick(now)) {
                resetStream(st);
            }
        }
        if (pruned) {
            pruneTimedStreams();
        }
        if (now - nextBeaconNanos >= 0) {
            sendBeacon();
            nextBeaconNanos = now + config.beaconInterval().toNanos();
        }
        if (now - nextHousekeepingNanos >= 0) {
            housekeeping(now);
            nextHousekeepingNanos = now + HOUSEKEEPING_NANOS;
        }
    }

    private void tickHandshakes(long now) {
        if (!connecting.isEmpty()) {
            List<PendingConnect> expired = null;
            for (PendingConnect pc : connecting.values()) {
                if (now - pc.deadline >= 0) {
                    if (expired == null) {
                        expired = new ArrayList<>();
                    }
                    expired.add(pc);
                }
            }
            if (expired != null) {
                for (PendingConnect pc : expired) {
                    if (pc.attempts <= config.handshakeRetries()) {
                        sendMessage1(pc, now);
                    } else {
                        connecting.remove(pc.address);
                        counters.handshakesFailed.increment();
                        pc.future.completeExceptionally(new TimeoutException("no handshake reply from node "
                                + Long.toUnsignedString(pc.peerNodeId, 16) + " at " + pc.address + " after "
                                + pc.attempts + " attempts of " + config.handshakeTimeout() + "; check the address, "
                                + "the node id and static key, that both nodes share the PSK, and that the peer "
                                + "accepts this node (accept(nodeId) or discovery)"));
                    }
                }
            }
        }
        if (!awaitingDiscovery.isEmpty()) {
            for (int i = awaitingDiscovery.size() - 1; i >= 0; i--) {
                PendingConnect pc = awaitingDiscovery.get(i);
                if (connectDiscovered(pc, now)) {
                    awaitingDiscovery.remove(i);
                } else if (now - pc.discoveryDeadline >= 0) {
                    awaitingDiscovery.remove(i);
                    counters.handshakesFailed.increment();
                    pc.future.completeExceptionally(new TimeoutException("node " + Long.toUnsignedString(pc.peerNodeId, 16)
                            + " was not discovered in time; no beacon from it arrived (check beacon targets and PSK)"));
                }
            }
        }
        if (!memberships.isEmpty()) {
            List<PendingMembership> due = null;
            for (PendingMembership pm : memberships.values()) {
                if (now - pm.deadline >= 0) {
                    if (due == null) {
                        due = new ArrayList<>();
                    }
                    due.add(pm);
                }
            }
            if (due != null) {
                for (PendingMembership pm : due) {
                    if (pm.attempts < MEMBERSHIP_ATTEMPTS) {
                        sendMembership(pm, now);
                    } else {
                        memberships.remove(pm.nonce);
                        pm.future.completeExceptionally(new TimeoutException("no membership ack from node "
                                + Long.toUnsignedString(pm.peerNodeId, 16) + " for " + pm.channel + " after "
                                + pm.attempts + " attempts"));
                    }
                }
            }
        }
    }

    private void tickPeer(Peer p, long now) {
        long silence = now - p.lastHeardNanos;
        if (silence >= config.failTimeout().toNanos()) {
            evict(p, now);
            return;
        }
        if (silence >= config.suspectTimeout().toNanos() && p.state == PeerState.CONNECTED) {
            p.state = PeerState.SUSPECTED;
            PeerInfo info = p.info(now);
            notifyListeners(l -> l.onPeerSuspected(info));
        }
        Session s = p.current;
        if (s != null && now - p.lastHeartbeatNanos >= config.heartbeatInterval().toNanos()) {
            sendHeartbeat(p, s, now);
        }
    }

    private void evict(Peer p, long now) {
        p.state = PeerState.FAILED;
        peers.remove(p.nodeId, p);
        peerList.remove(p);
        for (Session s : new ArrayList<>(p.sessions)) {
            removeSession(s);
        }
        p.current = null;
        for (Roster r : rosters.values()) {
            r.remove(p);
        }
        p.channelCount = 0;
        List<PendingMembership> orphaned = new ArrayList<>();
        for (PendingMembership pm : memberships.values()) {
            if (pm.peerNodeId == p.nodeId) {
                orphaned.add(pm);
            }
        }
        for (PendingMembership pm : orphaned) {
            memberships.remove(pm.nonce);
            pm.future.completeExceptionally(new IllegalStateException("node " + Long.toUnsignedString(p.nodeId, 16)
                    + " failed"));
        }
        PeerInfo info = p.info(now);
        LOG.debug("mesh node {}: peer {} failed after {} ms of silence", Long.toUnsignedString(nodeId, 16),
                Long.toUnsignedString(p.nodeId, 16), info.silenceNanos() / 1_000_000);
        notifyListeners(l -> l.onPeerFailed(info));
    }

    private void removeSession(Session s) {
        s.end();
        sessionsById.remove(s.id);
        sessions.remove(s);
        s.peer.sessions.remove(s);
        if (s.peer.current == s) {
            s.peer.current = null;
        }
        rxStreamCount -= s.rxStreams.size();
        s.rxStreams.clear();
    }

    private void housekeeping(long now) {
        long quiet = config.failTimeout().toNanos();
        for (int i = sessions.size() - 1; i >= 0; i--) {
            Session s = sessions.get(i);
            if (s != s.peer.current && now - s.lastReceivedNanos >= quiet) {
                removeSession(s); // replaced by a newer handshake and silent since
            }
        }
        long expiry = config.discoveryExpiry().toNanos();
        discovery.values().removeIf(d -> now - d.lastSeenNanos > expiry);
    }

    private void pruneTimedStreams() {
        synchronized (timedLock) {
            MeshStream[] current = timedStreams;
            int open = 0;
            for (MeshStream st : current) {
                if (st.isOpen()) {
                    open++;
                }
            }
            MeshStream[] next = new MeshStream[open];
            int k = 0;
            for (MeshStream st : current) {
                if (st.isOpen()) {
                    next[k++] = st;
                }
            }
            timedStreams = next;
        }
    }

    private void resetStream(MeshStream st) {
        if (!st.markReset()) {
            return;
        }
        Session s = st.session;
        long streamId = st.streamId();
        s.txStreams.remove(streamId, st);
        if (!s.ended) {
            Wire.putLong(control, 0, streamId);
            for (int i = 0; i < RESET_COPIES; i++) {
                // idempotent, and the only thing that tells the receiver to start over, so send it a few times
                sendControl(s, Wire.SUBPROTOCOL_STREAM_RESET, Wire.CONTROL_STREAM_ID, s.controlSeq++, Wire.RESET_LENGTH);
            }
        }
        counters.streamResets.increment();
        long peerId = s.peer.nodeId;
        LOG.debug("mesh node {}: reliable stream {} to {} reset after {} retries", Long.toUnsignedString(nodeId, 16),
                streamId, Long.toUnsignedString(peerId, 16), st.config().maxRetries());
        notifyListeners(l -> l.onStreamReset(peerId, streamId, false));
    }

    // ------------------------------------------------------------------------------------------------ sending

    private void sendHeartbeat(Peer p, Session s, long now) {
        txBuffer.clear();
        txHeader.wrap(txBuffer, 0);
        int length = s.protector.sealHeartbeat(txHeader);
        sendRaw(length, p.address, true);
        counters.heartbeatsSent.increment();
        p.lastHeartbeatNanos = now;
    }

    void sendWindow(Session s, long streamId, long consumed, long ackSeq) {
        Wire.put3Longs(control, 0, streamId, consumed, ackSeq);
        sendControl(s, Wire.SUBPROTOCOL_STREAM_WINDOW, Wire.CONTROL_STREAM_ID, s.controlSeq++, Wire.WINDOW_LENGTH);
        counters.grantsSent.increment();
    }

    void sendNack(Session s, long streamId, long nextExpected, long missing) {
        Wire.put3Longs(control, 0, streamId, nextExpected, missing);
        sendControl(s, Wire.SUBPROTOCOL_STREAM_NACK, Wire.CONTROL_STREAM_ID, s.controlSeq++, Wire.NACK_LENGTH);
        counters.nacksSent.increment();
    }

    private void sendMembership(PendingMembership pm, long now) {
        Peer p = peers.get(pm.peerNodeId);
        Session s = p == null ? null : p.current;
        pm.attempts++;
        pm.deadline = now + config.membershipTimeout().toNanos();
        if (s == null) {
            return; // retried at the deadline; fails when the peer does
        }
        int length = Wire.putMembershipRequest(control, 0, pm.type, pm.nonce, pm.channel);
        sendControl(s, Wire.SUBPROTOCOL_CHANNEL_MEMBERSHIP, Wire.MEMBERSHIP_STREAM_ID, s.membershipSeq++, length);
    }

    private void sendMembershipAck(Session s, long nonce, boolean ok, int reason) {
        int length = Wire.putMembershipAck(control, 0, nonce, ok, reason);
        sendControl(s, Wire.SUBPROTOCOL_CHANNEL_MEMBERSHIP, Wire.MEMBERSHIP_STREAM_ID, s.membershipSeq++, length);
    }

    /** A control message as the single event frame of a packet (net-mesh {@code build_subprotocol}). */
    private void sendControl(Session s, int subprotocol, long streamId, long seq, int payloadLength) {
        txBuffer.clear();
        txHeader.wrap(txBuffer, 0).initialize()
                .subprotocolId(subprotocol)
                .sessionId(s.id)
                .streamId(streamId)
                .sequence(seq)
                .originHash(originHash)
                .payloadLength(4 + payloadLength)
                .eventCount(1);
        INT_LE.set(tx, HEADER, payloadLength);
        System.arraycopy(control, 0, tx, HEADER + 4, payloadLength);
        int length = s.protector.seal(txHeader);
        sendRaw(length, s.peer.address, true);
    }

    private void sendBeacon() {
        UnicastBeaconSender unicast = unicastBeacons;
        BeaconSender configured = beaconSender;
        boolean toTargets = unicast != null && !unicast.targets().isEmpty();
        if (configured == null && !toTargets) {
            return;
        }
        beacons.encode(beacon, endpoint.localAddress().getPort(), nodeId, bootId, ++beaconSequence,
                System.currentTimeMillis(), config.identity().staticPublicKey());
        // each sender on its own: one that cannot send (e.g. no NIC up yet) must not keep the beacon from the other
        boolean sent = configured != null && sendBeacon(configured);
        sent |= toTargets && sendBeacon(unicast);
        if (sent) {
            counters.beaconsSent.increment();
        }
    }

    private boolean sendBeacon(BeaconSender sender) {
        beaconBuffer.clear();
        try {
            sender.send(beaconBuffer);
            return true;
        } catch (IOException | RuntimeException e) {
            sendWarnings.warn("mesh node {}: beacon not sent by {}: {}", Long.toUnsignedString(nodeId, 16),
                    sender.getClass().getSimpleName(), e.toString());
            return false;
        }
    }

    private void onBeacon(byte[] b, int off, InetSocketAddress source, long now) {
        if (!beacons.verify(b, off)) {
            drops.drop(DropReason.AUTH_FAILED); // made without the mesh PSK, or corrupted
            return;
        }
        counters.beaconsReceived.increment();
        long id = Wire.getLong(b, off + Beacons.NODE_ID_OFFSET);
        if (id == nodeId) {
            return;
        }
        long boot = Wire.getLong(b, off + Beacons.BOOT_ID_OFFSET);
        long seq = Wire.getLong(b, off + Beacons.SEQUENCE_OFFSET);
        long time = Wire.getLong(b, off + Beacons.TIME_OFFSET);
        byte[] key = Arrays.copyOfRange(b, off + Beacons.KEY_OFFSET, off + Beacons.KEY_OFFSET + 32);
        int port = Beacons.port(b, off);
        InetSocketAddress address = port == 0 || port == source.getPort() ? source
                : new InetSocketAddress(source.getAddress(), port);
        Discovery d = discovery.get(id);
        boolean announce;
        if (d == null) {
            d = new Discovery(id, key, address, boot, seq, time, now);
            discovery.put(id, d);
            announce = true;
        } else {
            boolean newer = boot == d.bootId ? Long.compareUnsigned(seq, d.sequence) > 0 : time >= d.timeMillis;
            if (!newer) {
                drops.drop(DropReason.REPLAYED);
                return;
            }
            d.bootId = boot;
            d.sequence = seq;
            d.timeMillis = time;
            d.staticPublicKey = key;
            d.lastSeenNanos = now;
            announce = d.sawAddress(address);
        }
        if (announce) {
            DiscoveredNode node = d.snapshot(now);
            notifyListeners(l -> l.onNodeDiscovered(node));
        }
    }

    /** Sends {@code tx[0, length)} from the node thread. */
    private void sendRaw(int length, InetSocketAddress to, boolean lossApplies) {
        if (lossApplies && injectSendLoss()) {
            return;
        }
        txBuffer.clear().limit(length);
        sendOne(txBuffer, to);
    }

    /** Sends one datagram; I/O errors count as loss (logged, rate-limited). */
    void sendOne(ByteBuffer datagram, InetSocketAddress to) {
        int length = datagram.remaining();
        try {
            endpoint.send(datagram, to);
            counters.packetsSent.increment();
            counters.bytesSent.add(length);
        } catch (IOException e) {
            counters.sendErrors.increment();
            if (running) {
                sendWarnings.warn("mesh node {}: send to {} failed: {}", Long.toUnsignedString(nodeId, 16), to,
                        e.toString());
            }
        }
    }

    /**
     * Sends a stream's batch. @return false when the node's socket is closed (the stream ends); other I/O errors
     * count as loss
     */
    boolean sendBatch(SendBatch batch, InetSocketAddress to) {
        try {
            int sent = endpoint.sendBatch(batch, to);
            counters.packetsSent.add(sent);
            counters.bytesSent.add(batch.bytes());
            return true;
        } catch (TransportClosedException e) {
            return false;
        } catch (IOException e) {
            counters.sendErrors.increment();
            sendWarnings.warn("mesh node {}: batch send to {} failed: {}", Long.toUnsignedString(nodeId, 16), to,
                    e.toString());
            return true;
        }
    }

    boolean injectSendLoss() {
        if (loss != null && loss.dropOnSend()) {
            drops.drop(DropReason.INJECTED_LOSS);
            return true;
        }
        return false;
    }

    SendBatch borrowBatch() {
        SendBatch b = batchPool.poll();
        return b != null ? b : SendBatch.allocate(BATCH_DATAGRAMS, BATCH_DATAGRAMS * MAX_PACKET);
    }

    void returnBatch(SendBatch b) {
        b.clear();
        synchronized (batchPool) {
            if (closed.get() || !batchPool.offer(b)) {
                b.close();
            }
        }
    }

    void markReady(RxStream r) {
        if (!ready.offer(r)) {
            r.queued.set(false);
            loopWarnings.warn("mesh node {}: ready queue full", Long.toUnsignedString(nodeId, 16));
        }
    }

    void deliverInline(RxStream r, byte[] data, ByteBuffer view, int offset, int eventCount, long seq, int channelHash,
                       boolean reliable, long nanos) {
        MeshEvent event = inlineEvent;
        event.set(r.peerNodeId, r.streamId, channelHash, seq, reliable, nanos);
        int p = offset;
        long bytes = 0;
        for (int k = 0; k < eventCount; k++) {
            int length = (int) INT_LE.get(data, p);
            event.bytes(view, p + 4, length);
            invoke(inlineHandler, event);
            p += 4 + length;
            bytes += length;
        }
        counters.eventsReceived.add(eventCount);
        counters.eventBytesReceived.add(bytes);
    }

    void invoke(EventHandler handler, MeshEvent event) {
        try {
            handler.onEvent(event);
        } catch (RuntimeException e) {
            handlerWarnings.warn("mesh node {}: event handler threw (event dropped, delivery goes on)",
                    Long.toUnsignedString(nodeId, 16), e);
        }
    }

    private interface ListenerCall {
        void call(MeshListener listener);
    }

    private void notifyListeners(ListenerCall call) {
        for (MeshListener l : listeners) {
            try {
                call.call(l);
            } catch (RuntimeException e) {
                LOG.warn("mesh node {}: listener {} threw", Long.toUnsignedString(nodeId, 16), l, e);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ close

    /**
     * Stops the node thread, fails pending connects and subscriptions, ends every session and stream, closes the
     * beacon sender and the socket. Idempotent; peers notice by the silence.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running = false;
        if (Thread.currentThread() == thread) {
            // From a handler or listener: the node thread is inside the endpoint's receive call, so the endpoint
            // cannot close here; the loop finishes the close when it unwinds.
            closeFromNodeThread = true;
            return;
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.error("mesh node {}: node thread did not stop within 5 s", Long.toUnsignedString(nodeId, 16));
        }
        finishClose();
    }

    private void finishClose() {
        Runnable command;
        while ((command = commands.poll()) != null) {
            // connects and subscribes posted just before close: run them so they register, then fail below
            try {
                command.run();
            } catch (RuntimeException ignored) {
                // nothing more to do on a closing node
            }
        }
        IllegalStateException closedError = new IllegalStateException("mesh node " + Long.toUnsignedString(nodeId, 16)
                + " closed");
        for (PendingConnect pc : connecting.values()) {
            pc.future.completeExceptionally(closedError);
        }
        for (PendingConnect pc : awaitingDiscovery) {
            pc.future.completeExceptionally(closedError);
        }
        for (PendingMembership pm : memberships.values()) {
            pm.future.completeExceptionally(closedError);
        }
        for (Session s : sessions) {
            s.end();
        }
        for (Peer p : peers.values()) {
            p.current = null;
        }
        BeaconSender sender = beaconSender;
        if (sender != null) {
            try {
                sender.close();
            } catch (RuntimeException e) {
                LOG.warn("mesh node {}: beacon sender close failed", Long.toUnsignedString(nodeId, 16), e);
            }
        }
        endpoint.close();
        synchronized (batchPool) {
            SendBatch b;
            while ((b = batchPool.poll()) != null) {
                b.close();
            }
        }
    }

    /** @return whether {@link #close()} was called */
    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public String toString() {
        return "MeshNode(" + Long.toUnsignedString(nodeId, 16) + " on " + endpoint.localAddress() + ", "
                + peers.size() + " peers" + (closed.get() ? ", closed" : "") + ")";
    }

    /** An outstanding {@code connect}. */
    private static final class PendingConnect {
        final long peerNodeId;
        final InetSocketAddress address;
        final byte[] staticPublicKey;
        final CompletableFuture<PeerInfo> future;
        NetMeshHandshake handshake;
        int attempts;
        long deadline;
        long discoveryDeadline;

        PendingConnect(long peerNodeId, InetSocketAddress address, byte[] staticPublicKey) {
            this(peerNodeId, address, staticPublicKey, new CompletableFuture<>());
        }

        PendingConnect(long peerNodeId, InetSocketAddress address, byte[] staticPublicKey,
                       CompletableFuture<PeerInfo> future) {
            this.peerNodeId = peerNodeId;
            this.address = address;
            this.staticPublicKey = staticPublicKey;
            this.future = future;
        }
    }

    /** An outstanding subscribe or unsubscribe. */
    private static final class PendingMembership {
        final long peerNodeId;
        final ChannelName channel;
        final int type;
        final CompletableFuture<Void> future = new CompletableFuture<>();
        long nonce;
        int attempts;
        long deadline;

        PendingMembership(long peerNodeId, ChannelName channel, int type) {
            this.peerNodeId = peerNodeId;
            this.channel = channel;
            this.type = type;
        }
    }
}
