package io.meshwire.mesh;

import io.meshwire.crypto.AeadBackend;
import io.meshwire.transport.EndpointConfig;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Validated, immutable configuration of a {@link MeshNode}. Build one with {@link #builder()}; the timing defaults
 * are net-mesh's (spec §2.2, §4.5).
 *
 * @param identity node id, origin hash and the X25519 static key pair
 * @param psk the mesh's 32-byte pre-shared key (Noise NKpsk0, and the beacon MAC key)
 * @param bindAddress UDP address to bind; port 0 lets the kernel choose
 * @param backend datagram endpoint backend
 * @param socketBufferBytes {@code SO_RCVBUF}/{@code SO_SNDBUF} request
 * @param heartbeatInterval how often each peer gets an authenticated heartbeat (net-mesh: 5 s)
 * @param suspectTimeout silence after which a peer is suspected (net-mesh: 2 × session_timeout = 60 s)
 * @param failTimeout silence after which a peer has failed and is evicted (net-mesh: 3 × session_timeout = 90 s)
 * @param handshakeTimeout how long an initiator waits for msg2 per attempt (net-mesh: 5 s)
 * @param handshakeRetries attempts after the first (net-mesh: 3)
 * @param streamDefaults the config of {@code openStream} without one
 * @param inboundBufferBytes per inbound stream, bytes of received events held until polled; keep it at least the
 *     senders' window, or a sender can overrun it (counted as {@code INBOUND_FULL})
 * @param maxStreams most streams (inbound and outbound) per session, as net-mesh's 4096
 * @param beaconInterval how often discovery beacons go out
 * @param beaconTargets where the built-in {@link UnicastBeaconSender} sends beacons, with or without a
 *     {@code beaconSender} (empty: none but the {@code beaconSender}'s)
 * @param beaconSender makes a second {@link BeaconSender} at start that gets every beacon too (e.g.
 *     {@link NicBeaconSender}: on every NIC), or {@code null} for the unicast one alone
 * @param discoveryExpiry how long a discovered node is kept after its last beacon
 * @param acceptDiscovered accept handshakes from nodes known by beacon, besides those named with
 *     {@link MeshNode#accept(long)}
 * @param membershipTimeout how long a subscribe or unsubscribe waits for its ack per attempt (3 attempts)
 * @param aeadBackend ChaCha20-Poly1305 implementation (default {@link AeadBackend#DEFAULT}, {@link AeadBackend#JAVA},
 *     allocates nothing per packet; {@link AeadBackend#JDK} is faster on large packets and allocates per packet)
 * @param lossInjection test only: seeded datagram loss ({@link LossInjection#NONE} in production)
 */
public record MeshConfig(
        MeshIdentity identity,
        byte[] psk,
        InetSocketAddress bindAddress,
        EndpointConfig.BackendPreference backend,
        int socketBufferBytes,
        Duration heartbeatInterval,
        Duration suspectTimeout,
        Duration failTimeout,
        Duration handshakeTimeout,
        int handshakeRetries,
        StreamConfig streamDefaults,
        int inboundBufferBytes,
        int maxStreams,
        Duration beaconInterval,
        List<InetSocketAddress> beaconTargets,
        BeaconSender.Factory beaconSender,
        Duration discoveryExpiry,
        boolean acceptDiscovered,
        Duration membershipTimeout,
        AeadBackend aeadBackend,
        LossInjection lossInjection) {

    /** Validates everything and copies the arrays and lists. */
    public MeshConfig {
        Objects.requireNonNull(identity, "identity must not be null");
        if (psk == null || psk.length != 32) {
            throw new IllegalArgumentException("psk must be 32 bytes (the mesh's shared key), got "
                    + (psk == null ? "null" : psk.length + " bytes"));
        }
        psk = psk.clone();
        Objects.requireNonNull(bindAddress, "bindAddress must not be null");
        if (bindAddress.isUnresolved()) {
            throw new IllegalArgumentException("bindAddress must be resolved: " + bindAddress);
        }
        Objects.requireNonNull(backend, "backend must not be null");
        if (socketBufferBytes < 64 * 1024) {
            throw new IllegalArgumentException("socketBufferBytes must be at least 65536: " + socketBufferBytes);
        }
        positive("heartbeatInterval", heartbeatInterval);
        positive("suspectTimeout", suspectTimeout);
        positive("failTimeout", failTimeout);
        positive("handshakeTimeout", handshakeTimeout);
        positive("beaconInterval", beaconInterval);
        positive("discoveryExpiry", discoveryExpiry);
        positive("membershipTimeout", membershipTimeout);
        if (suspectTimeout.compareTo(heartbeatInterval) <= 0) {
            throw new IllegalArgumentException("suspectTimeout (" + suspectTimeout + ") must be longer than "
                    + "heartbeatInterval (" + heartbeatInterval + "), or every peer is suspected between heartbeats");
        }
        if (failTimeout.compareTo(suspectTimeout) < 0) {
            throw new IllegalArgumentException("failTimeout (" + failTimeout + ") must not be shorter than "
                    + "suspectTimeout (" + suspectTimeout + ")");
        }
        if (handshakeRetries < 0 || handshakeRetries > 100) {
            throw new IllegalArgumentException("handshakeRetries must be in [0, 100]: " + handshakeRetries);
        }
        Objects.requireNonNull(streamDefaults, "streamDefaults must not be null");
        if (inboundBufferBytes < 16 * 1024) {
            throw new IllegalArgumentException("inboundBufferBytes must be at least 16384: " + inboundBufferBytes);
        }
        if (maxStreams < 1 || maxStreams > 1 << 20) {
            throw new IllegalArgumentException("maxStreams must be in [1, 1048576]: " + maxStreams);
        }
        beaconTargets = List.copyOf(Objects.requireNonNull(beaconTargets, "beaconTargets must not be null"));
        for (InetSocketAddress target : beaconTargets) {
            if (target.isUnresolved() || target.getPort() == 0) {
                throw new IllegalArgumentException("beacon target must be resolved with a port: " + target);
            }
        }
        Objects.requireNonNull(aeadBackend, "aeadBackend must not be null");
        Objects.requireNonNull(lossInjection, "lossInjection must not be null (use LossInjection.NONE)");
    }

    private static void positive(String name, Duration d) {
        Objects.requireNonNull(d, name + " must not be null");
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }

    @Override
    public byte[] psk() {
        return psk.clone();
    }

    /** @return a builder with net-mesh's defaults, a random identity, bind 0.0.0.0:0 and no PSK (set one) */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String toString() {
        return "MeshConfig(" + identity + ", bind=" + bindAddress + ", heartbeat=" + heartbeatInterval + ", suspect="
                + suspectTimeout + ", fail=" + failTimeout + ", handshake=" + handshakeTimeout + "x"
                + (handshakeRetries + 1) + ", streams=" + streamDefaults + ", beacons=" + beaconTargets + ", loss="
                + lossInjection + ", psk=<redacted>)";
    }

    /** Fluent builder; {@link #build()} validates and returns the immutable snapshot. */
    public static final class Builder {
        private MeshIdentity identity;
        private byte[] psk;
        private InetSocketAddress bindAddress = new InetSocketAddress("0.0.0.0", 0);
        private EndpointConfig.BackendPreference backend = EndpointConfig.BackendPreference.AUTO;
        private int socketBufferBytes = 8 * 1024 * 1024;
        private Duration heartbeatInterval = Duration.ofSeconds(5);
        private Duration suspectTimeout = Duration.ofSeconds(60);
        private Duration failTimeout = Duration.ofSeconds(90);
        private Duration handshakeTimeout = Duration.ofSeconds(5);
        private int handshakeRetries = 3;
        private StreamConfig streamDefaults = StreamConfig.fireAndForget();
        private int inboundBufferBytes = 256 * 1024;
        private int maxStreams = 4096;
        private Duration beaconInterval = Duration.ofSeconds(1);
        private List<InetSocketAddress> beaconTargets = List.of();
        private BeaconSender.Factory beaconSender;
        private Duration discoveryExpiry = Duration.ofSeconds(30);
        private boolean acceptDiscovered = true;
        private Duration membershipTimeout = Duration.ofSeconds(2);
        private AeadBackend aeadBackend = AeadBackend.DEFAULT;
        private LossInjection lossInjection = LossInjection.NONE;

        private Builder() {
        }

        /** Identity (default: a new random one). @return this */
        public Builder identity(MeshIdentity v) { this.identity = v; return this; }
        /** The mesh's 32-byte PSK (required). @return this */
        public Builder psk(byte[] v) { this.psk = v == null ? null : v.clone(); return this; }
        /** Address to bind. @return this */
        public Builder bindAddress(InetSocketAddress v) { this.bindAddress = v; return this; }
        /** Host and port to bind. @return this */
        public Builder bind(String host, int port) { this.bindAddress = new InetSocketAddress(host, port); return this; }
        /** Endpoint backend. @return this */
        public Builder backend(EndpointConfig.BackendPreference v) { this.backend = v; return this; }
        /** Socket buffer request, each way. @return this */
        public Builder socketBufferBytes(int v) { this.socketBufferBytes = v; return this; }
        /** Heartbeat interval. @return this */
        public Builder heartbeatInterval(Duration v) { this.heartbeatInterval = v; return this; }
        /** Silence before a peer is suspected. @return this */
        public Builder suspectTimeout(Duration v) { this.suspectTimeout = v; return this; }
        /** Silence before a peer has failed. @return this */
        public Builder failTimeout(Duration v) { this.failTimeout = v; return this; }
        /** Wait for msg2 per handshake attempt. @return this */
        public Builder handshakeTimeout(Duration v) { this.handshakeTimeout = v; return this; }
        /** Handshake attempts after the first. @return this */
        public Builder handshakeRetries(int v) { this.handshakeRetries = v; return this; }
        /** Default stream configuration. @return this */
        public Builder streamDefaults(StreamConfig v) { this.streamDefaults = v; return this; }
        /** Inbound buffer per stream, bytes. @return this */
        public Builder inboundBufferBytes(int v) { this.inboundBufferBytes = v; return this; }
        /** Most streams per session. @return this */
        public Builder maxStreams(int v) { this.maxStreams = v; return this; }
        /** Beacon interval. @return this */
        public Builder beaconInterval(Duration v) { this.beaconInterval = v; return this; }
        /** Addresses the built-in beacon sender announces to. @return this */
        public Builder beaconTargets(List<InetSocketAddress> v) { this.beaconTargets = v; return this; }
        /** A custom beacon sender (e.g. per-NIC fanout), made at start. @return this */
        public Builder beaconSender(BeaconSender.Factory v) { this.beaconSender = v; return this; }
        /** How long a discovered node is kept after its last beacon. @return this */
        public Builder discoveryExpiry(Duration v) { this.discoveryExpiry = v; return this; }
        /** Accept handshakes from nodes known by beacon. @return this */
        public Builder acceptDiscovered(boolean v) { this.acceptDiscovered = v; return this; }
        /** Wait for a membership ack per attempt. @return this */
        public Builder membershipTimeout(Duration v) { this.membershipTimeout = v; return this; }
        /** AEAD implementation. @return this */
        public Builder aeadBackend(AeadBackend v) { this.aeadBackend = v; return this; }
        /** Test only: seeded loss. @return this */
        public Builder lossInjection(LossInjection v) { this.lossInjection = v; return this; }

        /**
         * @return the validated configuration
         * @throws IllegalArgumentException naming the setting to fix
         */
        public MeshConfig build() {
            if (psk == null) {
                throw new IllegalArgumentException("psk is required: every node of a mesh shares one 32-byte key "
                        + "(MeshConfig.builder().psk(...))");
            }
            MeshIdentity id = identity != null ? identity : MeshIdentity.generate(new SecureRandom());
            return new MeshConfig(id, psk, bindAddress, backend, socketBufferBytes, heartbeatInterval, suspectTimeout,
                    failTimeout, handshakeTimeout, handshakeRetries, streamDefaults, inboundBufferBytes, maxStreams,
                    beaconInterval, beaconTargets, beaconSender, discoveryExpiry, acceptDiscovered, membershipTimeout,
                    aeadBackend, lossInjection);
        }
    }
}
