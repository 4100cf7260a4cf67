package io.meshwire.transport;

import io.meshwire.transport.linux.LinuxSockets;
import io.meshwire.util.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A UDP endpoint: one socket, a dedicated receive thread that reads whole batches (up to
 * {@link EndpointConfig#receiveBatchSize()} datagrams per {@code recvmmsg}) into pooled native memory and hands
 * them over a bounded queue, and send calls including batched and GSO sends.
 *
 * <h2>Receiving</h2>
 * Pull one datagram at a time with {@link #receive()}, {@link #receive(long, TimeUnit)} or {@link #tryReceive()}
 * (arrival order kept; each {@link Datagram} is a zero-copy view valid until released), or hand a batch to a
 * {@link DatagramHandler} with {@link #pollBatch} / {@link #receiveBatch}. Receive calls are for one consumer
 * thread at a time; {@link Datagram#release()} may run on any thread.
 *
 * <p>Backpressure: when {@link EndpointConfig#queueDepth()} batches are queued, or the consumer still holds every
 * buffer, the receive thread parks and the kernel socket buffer absorbs the rest; what the kernel then drops is
 * counted in {@link TransportStats#kernelDrops()} when instrumentation is on.
 *
 * <h2>Failure</h2>
 * Transient receive errors back off exponentially (1 ms to 100 ms, logged at most once a second). EBADF and
 * ENOTSOCK end the receive thread: the consumer drains what was queued, then gets a
 * {@link TransportClosedException} carrying the cause. {@link #close()} is idempotent, bounded in time and never
 * deadlocks, also with a full queue and no consumer.
 */
public final class DatagramEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DatagramEndpoint.class);
    private static final AtomicBoolean WARNED_RECEIVE_BUFFER = new AtomicBoolean();
    private static final AtomicBoolean WARNED_SEND_BUFFER = new AtomicBoolean();
    private static final long MAX_BACKOFF_MS = 100;
    private static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int SPINS = 256;
    private static final long JOIN_MILLIS = 5_000;

    private final EndpointConfig config;
    private final SocketBackend socket;
    private final ReceiveCounters receiveCounters;
    private final SendCounters sendCounters = new SendCounters();
    private final SourceCache sourceCache = new SourceCache();
    private final int maxPayload;
    private final RateLimitedLog receiveErrorLog = new RateLimitedLog(LOG, 1_000);

    // receive pipeline; null/unused when send-only
    private final Arena batchArena;
    private final RecvBatch[] pool;
    private int allocated;
    private int scan;
    private final RecvBatch[] ring;
    private final AtomicLong head = new AtomicLong();
    private final AtomicLong tail = new AtomicLong();
    private volatile boolean producerWaiting;
    private volatile boolean consumerWaiting;
    private volatile Thread consumerThread;
    private final Thread receiveThread;
    private RecvBatch current;

    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean closing;
    private volatile boolean terminated;
    private volatile Throwable terminationCause;

    private DatagramEndpoint(EndpointConfig config, SocketBackend socket) {
        this.config = config;
        this.socket = socket;
        this.maxPayload = config.ipv6() ? EndpointConfig.MAX_UDP_PAYLOAD : EndpointConfig.MAX_UDP_PAYLOAD - 20;
        this.receiveCounters = new ReceiveCounters(config.instrumentation(), config.receiveBatchSize());
        warnIfCapped(socket.info());
        if (config.sendOnly()) {
            batchArena = null;
            pool = null;
            ring = null;
            receiveThread = null;
        } else {
            batchArena = Arena.ofShared();
            // queued batches + the one being filled + the one being consumed
            pool = new RecvBatch[config.queueDepth() + 2];
            ring = new RecvBatch[config.queueDepth()];
            receiveThread = Thread.ofPlatform().daemon().name("meshwire-recv-" + socket.info().localAddress().getPort())
                    .unstarted(this::receiveLoop);
            receiveThread.start();
        }
    }

    /**
     * Opens an endpoint: creates, tunes and binds the socket (and connects it when configured), then starts the
     * receive thread unless the endpoint is send-only.
     *
     * @throws java.net.BindException when the address cannot be bound (the message names the fix)
     * @throws IOException            on other socket errors, or when NATIVE was required and is unavailable
     */
    public static DatagramEndpoint open(EndpointConfig config) throws IOException {
        Objects.requireNonNull(config, "config must not be null");
        NativeSupport.logOnce();
        SocketBackend socket = switch (config.backend()) {
            case NIO -> NioSocket.open(config, "NIO backend requested");
            case NATIVE -> {
                if (!NativeSupport.isAvailable()) {
                    throw new IOException("native backend requested but unavailable: " + NativeSupport.reason()
                            + "; use backend AUTO or NIO");
                }
                yield NativeSocket.open(config, NativeSupport.reason());
            }
            case AUTO -> NativeSupport.isAvailable()
                    ? NativeSocket.open(config, NativeSupport.reason())
                    : NioSocket.open(config, NativeSupport.reason());
        };
        return new DatagramEndpoint(config, socket);
    }

    /**
     * Wraps an existing, bound {@link DatagramChannel}; it is switched to non-blocking mode and closed with the
     * endpoint. Always the NIO backend (the JDK exposes no descriptor for FFM). Socket options in
     * {@code config} are not applied; the batching, queue and send-only settings are.
     */
    public static DatagramEndpoint wrap(DatagramChannel channel, EndpointConfig config) throws IOException {
        Objects.requireNonNull(channel, "channel must not be null");
        Objects.requireNonNull(config, "config must not be null");
        if (config.backend() == EndpointConfig.BackendPreference.NATIVE || config.gro()) {
            throw new IllegalArgumentException("a wrapped DatagramChannel always uses the NIO backend: "
                    + "use backend AUTO or NIO and gro(false)");
        }
        return new DatagramEndpoint(config, NioSocket.wrap(channel, config));
    }

    private static void warnIfCapped(SocketInfo info) {
        if (info.receiveBufferCapped() && WARNED_RECEIVE_BUFFER.compareAndSet(false, true)) {
            LOG.warn("receive buffer capped: requested {} bytes, kernel granted {} (reported doubled); raise it with "
                    + "'sysctl -w net.core.rmem_max={}'", info.requestedReceiveBuffer(), info.grantedReceiveBuffer(),
                    info.requestedReceiveBuffer());
        }
        if (info.sendBufferCapped() && WARNED_SEND_BUFFER.compareAndSet(false, true)) {
            LOG.warn("send buffer capped: requested {} bytes, kernel granted {} (reported doubled); raise it with "
                    + "'sysctl -w net.core.wmem_max={}'", info.requestedSendBuffer(), info.grantedSendBuffer(),
                    info.requestedSendBuffer());
        }
    }

    /** The configuration this endpoint was opened with. */
    public EndpointConfig config() {
        return config;
    }

    /** What the kernel granted, and which backend runs, and why. */
    public SocketInfo socketInfo() {
        return socket.info();
    }

    /** The bound local address (with the kernel-chosen port when port 0 was configured). */
    public InetSocketAddress localAddress() {
        return socket.info().localAddress();
    }

    /** The backend in use. */
    public Backend backend() {
        return socket.kind();
    }

    // ------------------------------------------------------------------------------------------------ receive

    private void receiveLoop() {
        long backoffMs = 1;
        RecvBatch b = null;
        try {
            while (!closing) {
                if (b == null) {
                    b = acquireFreeBatch();
                    if (b == null) {
                        break;
                    }
                }
                int r = socket.receive(b, receiveCounters);
                if (r > 0) {
                    backoffMs = 1;
                    if (b.packetCount == 0) {
                        continue; // everything was truncated and counted; refill the same batch
                    }
                    if (!publish(b)) {
                        break;
                    }
                    b = null;
                } else if (r == SocketBackend.CLOSED) {
                    break;
                } else if (r == -LinuxSockets.EINTR || r == -LinuxSockets.EAGAIN) {
                    continue;
                } else if (r == -LinuxSockets.EBADF || r == -LinuxSockets.ENOTSOCK) {
                    if (!closing) {
                        terminationCause = new IOException("receive failed with " + LinuxSockets.errnoName(r)
                                + ": the socket is gone; the receive thread ended");
                        LOG.error("receive thread for {} ended: {}", localAddress(), LinuxSockets.errnoName(r));
                    }
                    break;
                } else if (r == -LinuxSockets.ECONNREFUSED || r == -LinuxSockets.EHOSTUNREACH
                        || r == -LinuxSockets.ENETUNREACH) {
                    // an ICMP error queued on a connected socket: about one destination, not the socket
                    receiveCounters.add(ReceiveCounters.ERRORS, 1);
                    receiveErrorLog.warn("receive on {}: peer reported {}", localAddress(), LinuxSockets.errnoName(r));
                } else {
                    receiveCounters.add(ReceiveCounters.ERRORS, 1);
                    receiveErrorLog.warn("receive on {} failed: {}; backing off", localAddress(),
                            LinuxSockets.errnoName(r));
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoffMs));
                    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
                }
            }
        } catch (Throwable t) {
            if (!closing) {
                terminationCause = t;
                LOG.error("receive thread for {} failed", localAddress(), t);
            }
        } finally {
            terminated = true;
            wakeConsumer();
        }
    }

    /** A batch nobody holds, allocated lazily up to the pool size; parks while the consumer holds them all. */
    private RecvBatch acquireFreeBatch() {
        boolean counted = false;
        while (!closing) {
            for (int k = 0; k < allocated; k++) {
                int i = scan + k;
                if (i >= allocated) {
                    i -= allocated;
                }
                RecvBatch c = pool[i];
                if (c.refs.get() == 0) {
                    scan = i + 1 == allocated ? 0 : i + 1;
                    return c;
                }
            }
            if (allocated < pool.length) {
                int slot = socket.kind() == Backend.NIO ? config.maxDatagramSize() + 1 : config.maxDatagramSize();
                RecvBatch c = socket.newBatch(batchArena, config.receiveBatchSize(), slot);
                pool[allocated++] = c;
                return c;
            }
            if (!counted) {
                receiveCounters.add(ReceiveCounters.BUFFER_WAITS, 1);
                counted = true;
            }
            producerWaiting = true;
            LockSupport.parkNanos(this, PARK_NANOS);
            producerWaiting = false;
        }
        return null;
    }

    private boolean publish(RecvBatch b) {
        b.refs.set(b.packetCount);
        int depth = ring.length;
        boolean counted = false;
        while (true) {
            long t = tail.get();
            if (t - head.get() < depth) {
                ring[(int) (t % depth)] = b;
                tail.set(t + 1);
                wakeConsumer();
                return true;
            }
            if (closing) {
                return false;
            }
            if (!counted) {
                receiveCounters.add(ReceiveCounters.QUEUE_FULL, 1);
                counted = true;
            }
            producerWaiting = true;
            if (tail.get() - head.get() >= depth && !closing) {
                LockSupport.parkNanos(this, PARK_NANOS);
            }
            producerWaiting = false;
        }
    }

    private void wakeConsumer() {
        if (consumerWaiting) {
            Thread c = consumerThread;
            if (c != null) {
                LockSupport.unpark(c);
            }
        }
    }

    private void wakeProducer() {
        if (producerWaiting) {
            LockSupport.unpark(receiveThread);
        }
    }

    /** Called by {@link Datagram#release()}. */
    void release(RecvBatch batch) {
        if (batch.refs.decrementAndGet() == 0) {
            wakeProducer();
        }
    }

    SourceCache sourceCache() {
        return sourceCache;
    }

    /**
     * The next queued batch. {@code deadline}: 0 = do not wait, -1 = wait forever, otherwise a
     * {@link System#nanoTime()} deadline. Returns null when none arrived in time.
     */
    private RecvBatch nextBatch(long deadline) throws TransportClosedException {
        int spins = 0;
        while (true) {
            if (closing) {
                throw new TransportClosedException("endpoint " + localAddress() + " is closed");
            }
            long h = head.get();
            if (h < tail.get()) {
                int i = (int) (h % ring.length);
                RecvBatch b = ring[i];
                ring[i] = null;
                head.set(h + 1);
                wakeProducer();
                return b;
            }
            if (terminated) {
                if (h < tail.get()) {
                    continue; // published just before the thread ended
                }
                Throwable cause = terminationCause;
                throw cause == null
                        ? new TransportClosedException("receive thread of " + localAddress() + " ended")
                        : new TransportClosedException(cause.getMessage(), cause);
            }
            if (deadline == 0) {
                return null;
            }
            long wait = PARK_NANOS;
            if (deadline > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                wait = Math.min(wait, left);
            }
            if (spins < SPINS) {
                spins++;
                Thread.onSpinWait();
                continue;
            }
            consumerThread = Thread.currentThread();
            consumerWaiting = true;
            if (head.get() == tail.get() && !terminated && !closing) {
                LockSupport.parkNanos(this, wait);
            }
            consumerWaiting = false;
        }
    }

    private void requireReceiver() {
        if (ring == null) {
            throw new IllegalStateException("endpoint " + localAddress() + " is send-only: it has no receiver");
        }
    }

    private Datagram next(long deadline) throws TransportClosedException {
        requireReceiver();
        if (closing) {
            throw new TransportClosedException("endpoint " + localAddress() + " is closed");
        }
        RecvBatch b = current;
        if (b == null || b.cursor >= b.packetCount) {
            current = null;
            b = nextBatch(deadline);
            if (b == null) {
                return null;
            }
            current = b;
        }
        return b.view(b.cursor++, this);
    }

    /**
     * Blocks until a datagram arrives and returns it; release it when done.
     *
     * @throws TransportClosedException when the endpoint is closed, or its receive thread ended and everything
     *                                  queued before that was handed out
     */
    public Datagram receive() throws TransportClosedException {
        return next(-1);
    }

    /** As {@link #receive()}, waiting at most {@code timeout}; returns {@code null} when none arrived in time. */
    public Datagram receive(long timeout, TimeUnit unit) throws TransportClosedException {
        Objects.requireNonNull(unit, "unit must not be null");
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        return next(deadline == 0 ? 1 : deadline);
    }

    /** The next datagram if one is waiting, else {@code null} at once. */
    public Datagram tryReceive() throws TransportClosedException {
        return next(0);
    }

    /**
     * Hands up to {@code limit} waiting datagrams to {@code handler} without blocking; each is released when the
     * handler returns. Returns how many were handed out (0 when none was waiting).
     */
    public int pollBatch(DatagramHandler handler, int limit) throws TransportClosedException {
        return drain(handler, limit, 0);
    }

    /** As {@link #pollBatch}, but blocks until at least one datagram arrived. */
    public int receiveBatch(DatagramHandler handler, int limit) throws TransportClosedException {
        return drain(handler, limit, -1);
    }

    private int drain(DatagramHandler handler, int limit, long firstDeadline) throws TransportClosedException {
        Objects.requireNonNull(handler, "handler must not be null");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        requireReceiver();
        if (closing) {
            throw new TransportClosedException("endpoint " + localAddress() + " is closed");
        }
        int n = 0;
        while (n < limit) {
            RecvBatch b = current;
            if (b == null || b.cursor >= b.packetCount) {
                current = null;
                b = nextBatch(n == 0 ? firstDeadline : 0);
                if (b == null) {
                    break;
                }
                current = b;
            }
            // finish the batch we hold before looking at the queue again
            int end = Math.min(b.packetCount, b.cursor + (limit - n));
            while (b.cursor < end) {
                Datagram d = b.view(b.cursor++, this);
                n++;
                try {
                    handler.onDatagram(d);
                } finally {
                    d.release();
                }
            }
        }
        return n;
    }

    // ------------------------------------------------------------------------------------------------ send

    private void checkSendable(int length) throws TransportClosedException {
        if (closing) {
            throw new TransportClosedException("endpoint " + localAddress() + " is closed");
        }
        if (length > maxPayload) {
            throw new IllegalArgumentException("datagram of " + length + " bytes exceeds the UDP maximum of "
                    + maxPayload + " bytes for this " + (config.ipv6() ? "IPv6" : "IPv4") + " socket");
        }
    }

    private InetSocketAddress checkDest(InetSocketAddress dest) {
        if (dest == null) {
            if (config.connectAddress() == null) {
                throw new IllegalArgumentException("dest must not be null on an unconnected endpoint");
            }
            return null;
        }
        if (dest.isUnresolved()) {
            throw new IllegalArgumentException("dest must be resolved: " + dest);
        }
        if (dest.getPort() == 0) {
            throw new IllegalArgumentException("dest port must not be 0: " + dest);
        }
        if (!config.ipv6() && dest.getAddress() instanceof java.net.Inet6Address) {
            throw new IllegalArgumentException("dest " + dest + " is IPv6 but the endpoint is bound to IPv4 ("
                    + localAddress() + "); bind to an IPv6 address such as [::] to send to it");
        }
        return dest;
    }

    /**
     * Sends {@code src}'s remaining bytes as one datagram to {@code dest}, blocking while the send buffer is full.
     * The buffer's position is not moved.
     *
     * @return bytes sent
     * @throws PortUnreachableException on a connected endpoint whose peer answered ICMP port unreachable
     * @throws IllegalArgumentException when the datagram is larger than UDP allows or {@code dest} is unusable
     */
    public int send(ByteBuffer src, InetSocketAddress dest) throws IOException {
        Objects.requireNonNull(src, "src must not be null");
        InetSocketAddress to = checkDest(dest);
        checkSendable(src.remaining());
        long r = socket.send(src, to, false, sendCounters);
        return (int) check(r, src.remaining(), to);
    }

    /** Sends to the connected peer. */
    public int send(ByteBuffer src) throws IOException {
        return send(src, null);
    }

    /**
     * Sends without blocking.
     *
     * @return false when the send buffer is full (nothing was sent)
     */
    public boolean trySend(ByteBuffer src, InetSocketAddress dest) throws IOException {
        Objects.requireNonNull(src, "src must not be null");
        InetSocketAddress to = checkDest(dest);
        checkSendable(src.remaining());
        long r = socket.send(src, to, true, sendCounters);
        if (r == -LinuxSockets.EAGAIN) {
            return false;
        }
        check(r, src.remaining(), to);
        return true;
    }

    /**
     * Sends every datagram of {@code batch} to {@code dest} with as few syscalls as the kernel allows:
     * {@code sendmmsg} in chunks, looping over partial sends, and with GSO each run of equal-size datagrams as
     * one super-datagram. Returns how many datagrams went; fewer than {@code batch.size()} only when an error
     * stopped the batch part-way (it is counted in {@link TransportStats#sendErrors()} and logged).
     */
    public int sendBatch(SendBatch batch, InetSocketAddress dest) throws IOException {
        Objects.requireNonNull(batch, "batch must not be null");
        InetSocketAddress to = checkDest(dest);
        if (closing) {
            throw new TransportClosedException("endpoint " + localAddress() + " is closed");
        }
        for (int i = 0; i < batch.size(); i++) {
            if (batch.lengthUnchecked(i) > maxPayload) {
                throw new IllegalArgumentException("datagram " + i + " of " + batch.lengthUnchecked(i)
                        + " bytes exceeds the UDP maximum of " + maxPayload + " bytes");
            }
        }
        long r = socket.sendBatch(batch, to, sendCounters);
        if (r < batch.size() && r >= 0) {
            LOG.warn("sendBatch to {}: {} of {} datagrams sent; the rest failed", to, r, batch.size());
        }
        return (int) check(r, batch.bytes(), to);
    }

    /** Sends a batch to the connected peer. */
    public int sendBatch(SendBatch batch) throws IOException {
        return sendBatch(batch, null);
    }

    private long check(long r, int length, InetSocketAddress to) throws IOException {
        if (r >= 0) {
            return r;
        }
        int errno = (int) -r;
        if (closing || errno == LinuxSockets.EBADF || errno == 32 /* EPIPE after shutdown */) {
            throw new TransportClosedException("endpoint " + localAddress() + " is closed");
        }
        String target = to == null ? String.valueOf(config.connectAddress()) : to.toString();
        if (errno == LinuxSockets.ECONNREFUSED) {
            throw new PortUnreachableException("send to " + target + ": peer refused (ICMP port unreachable)");
        }
        if (errno == LinuxSockets.EMSGSIZE) {
            throw new IOException("send of " + length + " bytes to " + target + " failed: EMSGSIZE (larger than the "
                    + "path MTU with don't-fragment set, or than the socket allows)");
        }
        throw new IOException("send to " + target + " failed: " + LinuxSockets.errnoName(errno));
    }

    // ------------------------------------------------------------------------------------------------ stats, close

    /** A snapshot of the counters. */
    public TransportStats stats() {
        ReceiveCounters r = receiveCounters;
        SendCounters s = sendCounters;
        return new TransportStats(r.get(ReceiveCounters.PACKETS), r.get(ReceiveCounters.BYTES),
                r.get(ReceiveCounters.SYSCALLS), r.histogram(), r.get(ReceiveCounters.MAX_BATCH),
                r.get(ReceiveCounters.QUEUE_FULL), r.get(ReceiveCounters.BUFFER_WAITS),
                r.get(ReceiveCounters.KERNEL_DROPS), r.get(ReceiveCounters.TRUNCATED), r.get(ReceiveCounters.ERRORS),
                s.packets.sum(), s.bytes.sum(), s.syscalls.sum(), s.errors.sum(), s.gsoSends.sum());
    }

    /** True once {@link #close()} was called. */
    public boolean isClosed() {
        return closing;
    }

    /** Test hook (native backend): the receive thread reads {@code badFd} from its next call on. */
    void injectReceiveDescriptorForTest(int badFd) {
        if (!(socket instanceof NativeSocket n)) {
            throw new IllegalStateException("descriptor injection needs the native backend");
        }
        n.injectReceiveDescriptor(badFd);
    }

    /**
     * Stops the receive thread, closes the socket and frees the buffers. Idempotent; returns within a bounded
     * time even with a full queue and no consumer. Datagrams still held become unreadable (accessing them throws
     * {@link IllegalStateException}).
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        boolean joined = true;
        if (receiveThread != null) {
            socket.wakeupReceiver();
            LockSupport.unpark(receiveThread);
            try {
                receiveThread.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            joined = !receiveThread.isAlive();
            if (!joined) {
                LOG.error("receive thread of {} did not stop within {} ms; its buffers are left to the GC",
                        localAddress(), JOIN_MILLIS);
            }
        }
        if (joined) {
            socket.close();
        }
        wakeConsumer();
        if (batchArena != null && joined) {
            batchArena.close();
        }
    }

    @Override
    public String toString() {
        return "DatagramEndpoint[" + localAddress() + ", " + backend() + (closing ? ", closed" : "") + "]";
    }
}
