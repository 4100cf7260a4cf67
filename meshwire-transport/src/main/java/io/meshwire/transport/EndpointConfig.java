package io.meshwire.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * Validated, immutable configuration of a {@link DatagramEndpoint}. Build one with {@link #builder()}.
 *
 * @param bindAddress        local address and port to bind; port 0 lets the kernel choose
 * @param connectAddress     peer to connect to, or {@code null} for an unconnected endpoint
 * @param receiveBufferSize  {@code SO_RCVBUF} requested; the kernel may cap it (see {@link SocketInfo})
 * @param sendBufferSize     {@code SO_SNDBUF} requested
 * @param reuseAddress       {@code SO_REUSEADDR}
 * @param reusePort          {@code SO_REUSEPORT} (native backend only; ignored by NIO with a log line)
 * @param broadcast          {@code SO_BROADCAST}
 * @param backend            which implementation to use
 * @param sendOnly           no receiver and no receive buffers
 * @param maxDatagramSize    largest datagram received whole; a larger one is dropped and counted as truncated
 * @param receiveBatchSize   messages per {@code recvmmsg} call and per queued batch
 * @param queueDepth         {@link ReceiveMode#DEDICATED_THREAD}: batches the receive thread may queue ahead of the
 *                           consumer before it parks; in both modes, at most {@code queueDepth + 2} batch buffers
 *                           exist (allocated on first use)
 * @param receiveMode        who calls {@code recvmmsg}: the consumer itself, or a dedicated receive thread
 * @param gso                send runs of equal-size datagrams with UDP GSO where the kernel supports it
 * @param gro                ask the kernel to coalesce received datagrams (UDP GRO); split back on receive
 * @param throughputTuning   best-effort {@code SO_BUSY_POLL} and don't-fragment, as net-mesh's
 *                           {@code configure_socket_for_throughput}
 * @param busyPollMicros     {@code SO_BUSY_POLL} value used when {@code throughputTuning} is on
 * @param instrumentation    record the receive batch histogram, syscall and packet counters, kernel drops
 * @param idleStrategy       how a receiver waits for data: spin, then yield, then block
 * @param sourceAddresses    native backend: have the kernel write each datagram's source address. Off, a receiver
 *                           that never replies (a sink) saves the kernel's per-datagram address copy (about 6 % of
 *                           the receive CPU under a loopback flood, BENCHMARKS.md), and {@link Datagram#source()}
 *                           throws. A connected endpoint never asks the kernel: all its datagrams come from the
 *                           connected peer, which {@link Datagram#source()} then returns
 */
public record EndpointConfig(
        InetSocketAddress bindAddress,
        InetSocketAddress connectAddress,
        int receiveBufferSize,
        int sendBufferSize,
        boolean reuseAddress,
        boolean reusePort,
        boolean broadcast,
        BackendPreference backend,
        boolean sendOnly,
        int maxDatagramSize,
        int receiveBatchSize,
        int queueDepth,
        boolean gso,
        boolean gro,
        boolean throughputTuning,
        int busyPollMicros,
        boolean instrumentation,
        ReceiveMode receiveMode,
        IdleStrategy idleStrategy,
        boolean sourceAddresses) {

    /** Default socket buffer request: 64 MiB each way, as net-mesh's production default. */
    public static final int DEFAULT_BUFFER_SIZE = 64 * 1024 * 1024;
    /** Default largest received datagram: net-mesh's {@code MAX_PACKET_SIZE}. */
    public static final int DEFAULT_MAX_DATAGRAM_SIZE = 8192;
    /** Largest UDP payload over IPv6 (65535 minus the 8-byte UDP header); IPv4 allows 28 bytes less. */
    public static final int MAX_UDP_PAYLOAD = 65527;
    /** The receive buffer per message when GRO is on: a coalesced super-datagram is at most 64 KiB. */
    public static final int GRO_BUFFER_SIZE = 65536;
    /** Messages per recvmmsg by default, as net-mesh's {@code MAX_BATCH_SIZE}. */
    public static final int DEFAULT_RECEIVE_BATCH_SIZE = 64;
    /** Default messages per recvmmsg with GRO on: each one may hold up to 64 datagrams already. */
    public static final int DEFAULT_GRO_RECEIVE_BATCH_SIZE = 16;
    /** Kernel limit on messages per recvmmsg/sendmmsg call ({@code UIO_MAXIOV}). */
    public static final int MAX_RECEIVE_BATCH_SIZE = 1024;
    /** Default queue depth in batches, as net-mesh's {@code RECV_BATCH_CHANNEL_DEPTH}. */
    public static final int DEFAULT_QUEUE_DEPTH = 64;

    /** Validates the record; {@link Builder#build()} is the usual way in. */
    public EndpointConfig {
        Objects.requireNonNull(bindAddress, "bindAddress must not be null");
        Objects.requireNonNull(backend, "backend must not be null");
        Objects.requireNonNull(receiveMode, "receiveMode must not be null");
        Objects.requireNonNull(idleStrategy, "idleStrategy must not be null");
        if (bindAddress.isUnresolved()) {
            throw new IllegalArgumentException("bindAddress must be resolved: " + bindAddress);
        }
        if (connectAddress != null && connectAddress.isUnresolved()) {
            throw new IllegalArgumentException("connectAddress must be resolved: " + connectAddress);
        }
        if (connectAddress != null && connectAddress.getPort() == 0) {
            throw new IllegalArgumentException("connectAddress port must not be 0: " + connectAddress);
        }
        requireRange("receiveBufferSize", receiveBufferSize, 1024, Integer.MAX_VALUE);
        requireRange("sendBufferSize", sendBufferSize, 1024, Integer.MAX_VALUE);
        requireRange("maxDatagramSize", maxDatagramSize, 1, GRO_BUFFER_SIZE);
        requireRange("receiveBatchSize", receiveBatchSize, 1, MAX_RECEIVE_BATCH_SIZE);
        requireRange("queueDepth", queueDepth, 1, 1 << 16);
        requireRange("busyPollMicros", busyPollMicros, 0, 1_000_000);
        if (gro && maxDatagramSize != GRO_BUFFER_SIZE) {
            throw new IllegalArgumentException("gro needs maxDatagramSize " + GRO_BUFFER_SIZE
                    + " (a coalesced message is up to 64 KiB), not " + maxDatagramSize
                    + "; leave maxDatagramSize unset and the builder sets it");
        }
        if (gro && backend == BackendPreference.NIO) {
            throw new IllegalArgumentException("gro needs the native backend; the NIO backend cannot read the "
                    + "segment size the kernel attaches; use backend AUTO or NATIVE, or gro(false)");
        }
    }

    private static void requireRange(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "]: " + value);
        }
    }

    /** True when the bind address is IPv6 (the socket is then AF_INET6, dual-stack). */
    public boolean ipv6() {
        return bindAddress.getAddress() instanceof java.net.Inet6Address;
    }

    /** A builder with the defaults: bind 0.0.0.0:0, 64 MiB buffers, AUTO backend, 64 × 64 batching. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder prefilled with this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.bindAddress = bindAddress;
        b.connectAddress = connectAddress;
        b.receiveBufferSize = receiveBufferSize;
        b.sendBufferSize = sendBufferSize;
        b.reuseAddress = reuseAddress;
        b.reusePort = reusePort;
        b.broadcast = broadcast;
        b.backend = backend;
        b.sendOnly = sendOnly;
        b.maxDatagramSize = maxDatagramSize;
        b.receiveBatchSize = receiveBatchSize;
        b.queueDepth = queueDepth;
        b.gso = gso;
        b.gro = gro;
        b.throughputTuning = throughputTuning;
        b.busyPollMicros = busyPollMicros;
        b.instrumentation = instrumentation;
        b.receiveMode = receiveMode;
        b.idleStrategy = idleStrategy;
        b.sourceAddresses = sourceAddresses;
        return b;
    }

    /** Which thread calls the kernel's receive ({@code recvmmsg}); the receive API is the same in both modes. */
    public enum ReceiveMode {
        /**
         * The consumer's own receive calls ({@code receive}, {@code tryReceive}, {@code pollBatch},
         * {@code receiveBatch}) read the socket: no extra thread and no hand-off. Nothing is read while nobody
         * calls, so backpressure is the kernel socket buffer alone. The default: it measured fastest on loopback
         * (see BENCHMARKS.md), above all on small machines, where a receive thread competes with the consumer
         * and the sender for cores.
         */
        INLINE,
        /**
         * A dedicated receive thread reads whole batches and hands them over a bounded queue of
         * {@link EndpointConfig#queueDepth()} batches; when it is full the thread parks and the kernel buffer takes
         * the rest. Use it when the consumer does long work between receive calls and the socket must keep being
         * drained meanwhile.
         */
        DEDICATED_THREAD
    }

    /**
     * How a receiver waits when nothing is there: it keeps trying without blocking for {@code spinNanos}
     * (busy), then for {@code yieldNanos} more with a {@link Thread#yield()} between tries, then for
     * {@code parkNanos} more asleep on a timer between tries, then blocks (in the kernel, or parked on the batch
     * queue). Staying awake keeps a busy receiver off the kernel's sleep/wake path, which on loopback the sender
     * pays for; it pays off only when the receiver has a core to itself. Applies to the inline consumer, to the
     * dedicated receive thread and to a consumer waiting on its queue.
     *
     * <p>The timer phase is interrupt moderation done by the receiver: while it sleeps on a timer it is on no
     * socket's wait queue, so arriving datagrams wake nobody (the sender skips the wake-up it would otherwise
     * pay for each one) and they are read together, in larger batches, when the timer fires. The price is
     * latency: a datagram that arrives within {@code parkNanos} of the last one waits up to one timer step
     * ({@value #PARK_STEP_NANOS} ns) plus the thread's timer slack (50 µs on Linux by default); measured, about
     * 100 µs more per request/response round trip (BENCHMARKS.md). A receiver idle for longer blocks as without
     * it, and its next datagram wakes it at once.
     *
     * @param spinNanos  how long to retry without yielding, 0 or more
     * @param yieldNanos how long to retry with a yield between tries after that, 0 or more
     * @param parkNanos  how long to retry with a timer sleep between tries after that, 0 or more
     */
    public record IdleStrategy(long spinNanos, long yieldNanos, long parkNanos) {

        /** The longest single sleep of the timer phase. */
        public static final long PARK_STEP_NANOS = 50_000;

        /**
         * Blocks at once: no CPU is spent while idle and no datagram waits. The default: on a machine whose cores
         * are shared (the 2-vCPU benchmark machine with other work on it) even 40 µs of spinning per idle period
         * cost the receiver more than the wake-ups it saved (BENCHMARKS.md).
         */
        public static final IdleStrategy BLOCK = new IdleStrategy(0, 0, 0);

        /** Validates the durations. */
        public IdleStrategy {
            requireRange("spinNanos", spinNanos, 0, Long.MAX_VALUE);
            requireRange("yieldNanos", yieldNanos, 0, Long.MAX_VALUE);
            requireRange("parkNanos", parkNanos, 0, Long.MAX_VALUE);
        }

        /** Spin, then yield, then block: no timer phase. */
        public IdleStrategy(long spinNanos, long yieldNanos) {
            this(spinNanos, yieldNanos, 0);
        }

        /** Never blocks: retries without yielding for as long as it waits (a core stays busy while idle). */
        public static IdleStrategy busySpin() {
            return new IdleStrategy(Long.MAX_VALUE, 0, 0);
        }

        /**
         * Reads, then sleeps on a timer between reads for up to {@code window} after the last datagram, then
         * blocks: fewer wake-ups and larger batches under steady load, for up to one timer step plus timer slack
         * of extra latency per wait (see the class comment). The throughput setting: flooded by two C senders on
         * two vCPUs, a receiver with a 1 ms window read about twice as many datagrams per call as with
         * {@link #BLOCK} and took 1.0–1.1× the rate of a C {@code recvmmsg} receiver, where {@code BLOCK} is at
         * parity with it (BENCHMARKS.md, receiver capacity).
         *
         * @param window how long after the last datagram the receiver keeps polling on a timer; positive
         */
        public static IdleStrategy moderated(Duration window) {
            Objects.requireNonNull(window, "window must not be null");
            if (window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("window must be positive, got " + window);
            }
            return new IdleStrategy(0, 0, window.toNanos());
        }

        /** Nanoseconds of waiting after which the receiver blocks (saturating). */
        long blockAfterNanos() {
            long sum = spinNanos + yieldNanos;
            if (sum < 0) {
                return Long.MAX_VALUE;
            }
            sum += parkNanos;
            return sum < 0 ? Long.MAX_VALUE : sum;
        }

        /**
         * One step of a wait that has lasted {@code idleNanos}: a spin hint, a yield, or a timer sleep of at most
         * {@code maxSleepNanos} (and {@value #PARK_STEP_NANOS}), by phase. False, having done nothing, once the
         * wait has lasted {@link #blockAfterNanos()} and the caller should block.
         */
        boolean idleStep(long idleNanos, long maxSleepNanos) {
            if (idleNanos < spinNanos) {
                Thread.onSpinWait();
                return true;
            }
            long afterSpin = idleNanos - spinNanos;
            if (afterSpin < yieldNanos) {
                Thread.yield();
                return true;
            }
            long parked = afterSpin - yieldNanos;
            if (parked < parkNanos) {
                LockSupport.parkNanos(
                        Math.max(1, Math.min(Math.min(PARK_STEP_NANOS, parkNanos - parked), maxSleepNanos)));
                return true;
            }
            return false;
        }
    }

    /** Which implementation an endpoint uses. */
    public enum BackendPreference {
        /** Native on Linux when native access is granted and {@code -Dmeshwire.native=false} is not set; else NIO. */
        AUTO,
        /** FFM {@code recvmmsg}/{@code sendmmsg}; opening fails with the reason when unavailable. */
        NATIVE,
        /** The portable {@link java.nio.channels.DatagramChannel} backend. */
        NIO
    }

    /** Fluent builder; {@link #build()} validates and returns the immutable snapshot. */
    public static final class Builder {
        private InetSocketAddress bindAddress = new InetSocketAddress(anyLocal(), 0);
        private InetSocketAddress connectAddress;
        private int receiveBufferSize = DEFAULT_BUFFER_SIZE;
        private int sendBufferSize = DEFAULT_BUFFER_SIZE;
        private boolean reuseAddress;
        private boolean reusePort;
        private boolean broadcast;
        private BackendPreference backend = BackendPreference.AUTO;
        private boolean sendOnly;
        private Integer maxDatagramSize;
        private Integer receiveBatchSize;
        private int queueDepth = DEFAULT_QUEUE_DEPTH;
        private boolean gso = true;
        private boolean gro;
        private boolean throughputTuning;
        private int busyPollMicros = 50;
        private boolean instrumentation;
        private ReceiveMode receiveMode = ReceiveMode.INLINE;
        private IdleStrategy idleStrategy = IdleStrategy.BLOCK;
        private boolean sourceAddresses = true;

        private Builder() {
        }

        private static InetAddress anyLocal() {
            try {
                return InetAddress.getByAddress(new byte[4]);
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError(e);
            }
        }

        /** Local address to bind. */
        public Builder bindAddress(InetSocketAddress v) { this.bindAddress = v; return this; }
        /** Local address and port to bind. */
        public Builder bind(String host, int port) { this.bindAddress = new InetSocketAddress(host, port); return this; }
        /** Peer to connect to. */
        public Builder connectAddress(InetSocketAddress v) { this.connectAddress = v; return this; }
        /** {@code SO_RCVBUF} to request. */
        public Builder receiveBufferSize(int v) { this.receiveBufferSize = v; return this; }
        /** {@code SO_SNDBUF} to request. */
        public Builder sendBufferSize(int v) { this.sendBufferSize = v; return this; }
        /** {@code SO_REUSEADDR}. */
        public Builder reuseAddress(boolean v) { this.reuseAddress = v; return this; }
        /** {@code SO_REUSEPORT}. */
        public Builder reusePort(boolean v) { this.reusePort = v; return this; }
        /** {@code SO_BROADCAST}. */
        public Builder broadcast(boolean v) { this.broadcast = v; return this; }
        /** Backend choice. */
        public Builder backend(BackendPreference v) { this.backend = v; return this; }
        /** Send-only: no receiver, no receive buffers. */
        public Builder sendOnly(boolean v) { this.sendOnly = v; return this; }
        /** Largest datagram received whole (default 8192, or 65536 with GRO). */
        public Builder maxDatagramSize(int v) { this.maxDatagramSize = v; return this; }
        /** Messages per recvmmsg (default 64, or 16 with GRO). */
        public Builder receiveBatchSize(int v) { this.receiveBatchSize = v; return this; }
        /** Batches queued ahead of the consumer (default 64). */
        public Builder queueDepth(int v) { this.queueDepth = v; return this; }
        /** Use UDP GSO for runs of equal-size datagrams in {@code sendBatch} (default on, where supported). */
        public Builder gso(boolean v) { this.gso = v; return this; }
        /** Ask the kernel for UDP GRO on receive (default off). */
        public Builder gro(boolean v) { this.gro = v; return this; }
        /** Best-effort busy-poll and don't-fragment. */
        public Builder throughputTuning(boolean v) { this.throughputTuning = v; return this; }
        /** {@code SO_BUSY_POLL} microseconds used by {@link #throughputTuning}. */
        public Builder busyPollMicros(int v) { this.busyPollMicros = v; return this; }
        /** Record batch histogram and counters (off: nothing is recorded on the hot path). */
        public Builder instrumentation(boolean v) { this.instrumentation = v; return this; }

        /** Who calls {@code recvmmsg}: the consumer ({@link ReceiveMode#INLINE}, default) or a receive thread. */
        public Builder receiveMode(ReceiveMode v) { this.receiveMode = v; return this; }
        /** How a waiting receiver spins, yields and blocks (default {@link IdleStrategy#BLOCK}). */
        public Builder idleStrategy(IdleStrategy v) { this.idleStrategy = v; return this; }
        /**
         * Whether received datagrams carry their source address (default on). Turn it off for a receiver that
         * never looks at sources: the kernel then skips copying one address per datagram. A connected endpoint
         * always knows its source without asking the kernel.
         */
        public Builder sourceAddresses(boolean v) { this.sourceAddresses = v; return this; }

        /** Validates and returns the configuration. */
        public EndpointConfig build() {
            int size = maxDatagramSize != null ? maxDatagramSize : gro ? GRO_BUFFER_SIZE : DEFAULT_MAX_DATAGRAM_SIZE;
            int batch = receiveBatchSize != null ? receiveBatchSize
                    : gro ? DEFAULT_GRO_RECEIVE_BATCH_SIZE : DEFAULT_RECEIVE_BATCH_SIZE;
            return new EndpointConfig(bindAddress, connectAddress, receiveBufferSize, sendBufferSize, reuseAddress,
                    reusePort, broadcast, backend, sendOnly, size, batch, queueDepth, gso, gro, throughputTuning,
                    busyPollMicros, instrumentation, receiveMode, idleStrategy, sourceAddresses);
        }
    }
}
