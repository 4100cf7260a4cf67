package io.meshwire.transport;

import io.meshwire.transport.linux.AddressCache;
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
 * A UDP endpoint: one socket, receive calls that read whole batches (up to
 * {@link EndpointConfig#receiveBatchSize()} datagrams per {@code recvmmsg}) into pooled native memory, and send
 * calls including batched and GSO sends.
 *
 * <h2>Receiving</h2>
 * Pull one datagram at a time with {@link #receive()}, {@link #receive(long, TimeUnit)} or {@link #tryReceive()}
 * (arrival order kept; each {@link Datagram} is a zero-copy view valid until released), or hand a batch to a
 * {@link DatagramHandler} with {@link #pollBatch} / {@link #receiveBatch}. Receive calls are for one consumer
 * thread at a time; {@link Datagram#release()} may run on any thread.
 *
 * <p>Who reads the socket is {@link EndpointConfig#receiveMode()}. {@link EndpointConfig.ReceiveMode#INLINE}
 * (the default): the receive calls themselves read it, so there is no thread hand-off; nothing is read while
 * nobody calls, and the kernel socket buffer is the only queue. {@link EndpointConfig.ReceiveMode#DEDICATED_THREAD}:
 * a receive thread reads and hands whole batches over a bounded queue; when {@link EndpointConfig#queueDepth()}
 * batches are queued, or the consumer still holds every buffer, it parks and the kernel buffer absorbs the rest.
 * Either way, what the kernel drops is reported by {@link TransportStats#kernelDrops()} when instrumentation is on,
 * and a waiting receiver follows {@link EndpointConfig#idleStrategy()} (spin, yield, sleep on a timer, then block in
 * the kernel).
 *
 * <h2>Failure</h2>
 * Transient receive errors back off exponentially (1 ms to 100 ms, logged at most once a second). EBADF and
 * ENOTSOCK end receiving: the consumer drains what was already read, then gets a
 * {@link TransportClosedException} carrying the cause. {@link #close()} is idempotent, bounded in time and never
 * deadlocks, also with a full queue and no consumer, or with the consumer blocked in the kernel.
 */
public final class DatagramEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DatagramEndpoint.class);
    private static final AtomicBoolean WARNED_RECEIVE_BUFFER = new AtomicBoolean();
    private static final AtomicBoolean WARNED_SEND_BUFFER = new AtomicBoolean();
    private static final long MAX_BACKOFF_MS = 100;
    private static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long CLOSE_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    private static final long JOIN_MILLIS = 5_000;

    private final EndpointConfig config;
    private final SocketBackend socket;
    private final ReceiveCounters receiveCounters;
    private final SendCounters sendCounters = new SendCounters();
    private final AddressCache sourceCache = new AddressCache();
    /** Datagrams' sources come from the configuration ({@link #knownSource()}), not from the kernel. */
    final boolean sourceFromConfig;
    private final int maxPayload;
    private final RateLimitedLog receiveErrorLog = new RateLimitedLog(LOG, 1_000);
    private final boolean inline;
    private final EndpointConfig.IdleStrategy idle;
    private final long blockAfterNanos;

    // batch buffers, both modes; null/unused when send-only
    private final Arena batchArena;
    private final RecvBatch[] pool;
    private int allocated;
    private int scan;

    // dedicated-thread mode: the queue between the receive thread and the consumer
    private final RecvBatch[] ring;
    private final AtomicLong head = new AtomicLong();
    private final AtomicLong tail = new AtomicLong();
    private volatile boolean producerWaiting;
    private final Thread receiveThread;

    // consumer side, both modes
    private volatile boolean consumerWaiting;
    private volatile Thread consumerThread;
    /**
     * The batch being handed out; null once its last datagram is handed out. Dropped then, not on the next call:
     * when its last datagram is released the batch is free, and the receive thread may already be refilling it
     * (reset() rewrites cursor and packetCount), so the consumer must not read it again to see it is used up.
     */
    private RecvBatch current;

    // inline mode: the consumer reads the socket
    /** The consumer is inside a socket call; close waits for it to leave before freeing the socket. */
    private volatile boolean receiving;
    /** The last inline read filled its batch, so more is probably queued in the kernel. */
    private boolean lastReadFull;
    private long backoffMs = 1;
    private long backoffUntil;

    /** The kernel's drop count as last read by {@link #stats()}. */
    private volatile long lastKernelDrops;

    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean closing;
    private volatile boolean terminated;
    private volatile Throwable terminationCause;

    private DatagramEndpoint(EndpointConfig config, SocketBackend socket) {
        this.config = config;
        this.sourceFromConfig = !config.sourceAddresses() || config.connectAddress() != null;
        this.socket = socket;
        this.maxPayload = config.ipv6() ? EndpointConfig.MAX_UDP_PAYLOAD : EndpointConfig.MAX_UDP_PAYLOAD - 20;
        this.receiveCounters = new ReceiveCounters(config.instrumentation(), config.receiveBatchSize());
        this.inline = config.receiveMode() == EndpointConfig.ReceiveMode.INLINE;
        this.idle = config.idleStrategy();
        this.blockAfterNanos = config.idleStrategy().blockAfterNanos();
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
            if (inline) {
                ring = null;
                receiveThread = null;
            } else {
                ring = new RecvBatch[config.queueDepth()];
                receiveThread = Thread.ofPlatform().daemon()
                        .name("meshwire-recv-" + socket.info().localAddress().getPort()).unstarted(this::receiveLoop);
                receiveThread.start();
            }
        }
    }

    /**
     * Opens an endpoint: creates, tunes and binds the socket (and connects it when configured), then, in
     * {@link EndpointConfig.ReceiveMode#DEDICATED_THREAD} mode and unless the endpoint is send-only, starts the
     * receive thread.
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

    /** A failed receive call: try again at once. */
    private static final int RETRY = 0;
    /** A failed receive call: a transient error, wait {@link #backoffMs} first. */
    private static final int BACK_OFF = 1;
    /** A failed receive call: receiving is over (closed, or the socket is gone). */
    private static final int END = 2;

    /** Classifies a failed receive result, counting and logging it; EBADF/ENOTSOCK record the cause. */
    private int onReceiveFailure(int r) {
        if (r == -LinuxSockets.EINTR || r == -LinuxSockets.EAGAIN) {
            return RETRY;
        }
        if (r == SocketBackend.CLOSED) {
            return END;
        }
        if (r == -LinuxSockets.EBADF || r == -LinuxSockets.ENOTSOCK) {
            if (!closing) {
                terminationCause = new IOException("receive failed with " + LinuxSockets.errnoName(r)
                        + ": the socket is gone; receiving ended");
                LOG.error("receiving on {} ended: {}", localAddress(), LinuxSockets.errnoName(r));
            }
            return END;
        }
        receiveCounters.add(ReceiveCounters.ERRORS, 1);
        if (r == -LinuxSockets.ECONNREFUSED || r == -LinuxSockets.EHOSTUNREACH || r == -LinuxSockets.ENETUNREACH) {
            // an ICMP error queued on a connected socket: about one destination, not the socket
            receiveErrorLog.warn("receive on {}: peer reported {}", localAddress(), LinuxSockets.errnoName(r));
            return RETRY;
        }
        receiveErrorLog.warn("receive on {} failed: {}; backing off", localAddress(), LinuxSockets.errnoName(r));
        return BACK_OFF;
    }

    private long nextBackoffNanos() {
        long nanos = TimeUnit.MILLISECONDS.toNanos(backoffMs);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
        return nanos;
    }

    /** A batch nobody holds, allocated lazily up to the pool size; null while the consumer holds them all. */
    private RecvBatch freeBatch() {
        int n = allocated;
        for (int k = 0; k < n; k++) {
            int i = scan + k;
            if (i >= n) {
                i -= n;
            }
            RecvBatch c = pool[i];
            if (c.refs.get() == 0) {
                // inline: reuse the batch just handed back, its memory is still in cache; thread: round robin, the
                // batches ahead of the scan are likely still queued
                if (inline) {
                    scan = i;
                } else {
                    scan = i + 1 < n ? i + 1 : 0;
                }
                return c;
            }
        }
        if (n < pool.length) {
            int slot = socket.kind() == Backend.NIO ? config.maxDatagramSize() + 1 : config.maxDatagramSize();
            RecvBatch c = socket.newBatch(batchArena, config.receiveBatchSize(), slot);
            pool[n] = c;
            allocated = n + 1;
            if (inline) {
                scan = n;
            }
            return c;
        }
        return null;
    }

    private boolean anyFree() {
        for (int i = 0; i < allocated; i++) {
            if (pool[i].refs.get() == 0) {
                return true;
            }
        }
        return allocated < pool.length;
    }

    // ---- dedicated-thread mode

    private void receiveLoop() {
        RecvBatch b = null;
        long idleSince = 0;
        try {
            while (!closing) {
                if (b == null) {
                    b = acquireFreeBatch();
                    if (b == null) {
                        break;
                    }
                }
                boolean block = blockAfterNanos == 0
                        || idleSince != 0 && System.nanoTime() - idleSince >= blockAfterNanos;
                int r = socket.receive(b, receiveCounters, block);
                if (r > 0) {
                    backoffMs = 1;
                    idleSince = 0;
                    if (b.packetCount == 0) {
                        continue; // everything was truncated and counted; refill the same batch
                    }
                    if (!publish(b)) {
                        break;
                    }
                    b = null;
                    continue;
                }
                if (r == -LinuxSockets.EAGAIN && !block) {
                    long now = System.nanoTime();
                    if (idleSince == 0) {
                        idleSince = now;
                    } else {
                        // past the idle phases this does nothing, and the next read blocks
                        idle.idleStep(now - idleSince, Long.MAX_VALUE);
                    }
                    continue;
                }
                int action = onReceiveFailure(r);
                if (action == END) {
                    break;
                }
                if (action == BACK_OFF) {
                    LockSupport.parkNanos(this, nextBackoffNanos());
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

    /** A free batch for the receive thread; parks while the consumer holds them all. Null once closing. */
    private RecvBatch acquireFreeBatch() {
        boolean counted = false;
        while (!closing) {
            RecvBatch c = freeBatch();
            if (c != null) {
                return c;
            }
            if (!counted) {
                receiveCounters.add(ReceiveCounters.BUFFER_WAITS, 1);
                counted = true;
            }
            producerWaiting = true;
            // look again after announcing the wait: a release in between would not have unparked us
            c = freeBatch();
            if (c == null && !closing) {
                LockSupport.parkNanos(this, PARK_NANOS);
            }
            producerWaiting = false;
            if (c != null) {
                return c;
            }
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
            batchFreed();
        }
    }

    /** Releases {@code count} handed-out datagrams of {@code batch} at once (one atomic update, not one each). */
    private void releaseMany(RecvBatch batch, int count) {
        if (batch.refs.addAndGet(-count) == 0) {
            batchFreed();
        }
    }

    /** A batch became free: wake whoever may be waiting for one. */
    private void batchFreed() {
        if (inline) {
            wakeConsumer();
        } else {
            wakeProducer();
        }
    }

    AddressCache sourceCache() {
        return sourceCache;
    }

    /**
     * The source of every datagram when the endpoint reads none from the kernel (connected, or source addresses
     * off): its connected peer.
     */
    InetSocketAddress knownSource() {
        InetSocketAddress peer = config.connectAddress();
        if (peer == null) {
            throw new IllegalStateException("this endpoint receives without source addresses: build its "
                    + "EndpointConfig with sourceAddresses(true) (the default) to read them");
        }
        return peer;
    }

    /**
     * Dedicated-thread mode: the next queued batch. {@code deadline}: 0 = do not wait, -1 = wait forever,
     * otherwise a {@link System#nanoTime()} deadline. Returns null when none arrived in time.
     */
    private RecvBatch nextQueued(long deadline) throws TransportClosedException {
        long idleSince = 0;
        while (true) {
            if (closing) {
                throw closedException();
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
                throw endedException();
            }
            if (deadline == 0) {
                return null;
            }
            long now = System.nanoTime();
            long wait = PARK_NANOS;
            if (deadline > 0) {
                long left = deadline - now;
                if (left <= 0) {
                    return null;
                }
                wait = Math.min(wait, left);
            }
            if (idleSince == 0) {
                idleSince = now;
                continue;
            }
            if (idle.idleStep(now - idleSince, wait)) {
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

    // ---- inline mode

    /**
     * Inline mode: reads the next batch from the socket on the calling thread. {@code deadline} as in
     * {@link #nextQueued}. Returns null when nothing arrived in time.
     */
    private RecvBatch readInline(long deadline) throws TransportClosedException {
        long idleSince = 0;
        boolean countedWait = false;
        while (true) {
            checkReceivable();
            RecvBatch b = freeBatch();
            if (b == null) {
                if (!countedWait) {
                    receiveCounters.add(ReceiveCounters.BUFFER_WAITS, 1);
                    countedWait = true;
                }
                if (!awaitFreeBatch(deadline)) {
                    return null;
                }
                continue;
            }
            if (backoffUntil != 0) {
                long left = backoffUntil - System.nanoTime();
                if (left > 0) {
                    if (!sleep(deadline, left)) {
                        return null;
                    }
                    continue;
                }
                backoffUntil = 0;
            }
            boolean block = deadline < 0 && (blockAfterNanos == 0
                    || idleSince != 0 && System.nanoTime() - idleSince >= blockAfterNanos);
            int r = read(b, block);
            if (r > 0) {
                backoffMs = 1;
                if (b.packetCount == 0) {
                    continue; // everything was truncated and counted
                }
                b.refs.set(b.packetCount);
                lastReadFull = r == b.messageCapacity;
                return b;
            }
            if (r == -LinuxSockets.EAGAIN && !block) {
                if (deadline == 0) {
                    return null;
                }
                long now = System.nanoTime();
                if (deadline > 0 && deadline - now <= 0) {
                    return null;
                }
                if (idleSince == 0) {
                    idleSince = now;
                }
                if (!idle.idleStep(now - idleSince, deadline > 0 ? deadline - now : Long.MAX_VALUE)
                        && deadline > 0) {
                    int w = await(deadline - now);
                    if (w < 0 && onReceiveFailure(w) == END) {
                        terminated = true;
                    }
                }
                // deadline < 0 past the idle phase: the next read blocks in the kernel
                continue;
            }
            int action = onReceiveFailure(r);
            if (action == END) {
                terminated = true;
            } else if (action == BACK_OFF) {
                backoffUntil = System.nanoTime() + nextBackoffNanos();
            }
        }
    }

    /** One receive call, marked so that close waits for it to return before freeing the socket. */
    private int read(RecvBatch b, boolean block) {
        receiving = true;
        try {
            // after raising the flag: close sets closing before it looks at the flag, so one of us sees the other
            return closing ? SocketBackend.CLOSED : socket.receive(b, receiveCounters, block);
        } finally {
            receiving = false;
        }
    }

    /** As {@link #read}, for a timed wait until the socket is readable. */
    private int await(long nanos) {
        receiving = true;
        try {
            return closing ? SocketBackend.CLOSED : socket.awaitReadable(nanos);
        } finally {
            receiving = false;
        }
    }

    /** Parks until a batch is released or the deadline; false when the deadline passed (or was 0). */
    private boolean awaitFreeBatch(long deadline) {
        if (deadline == 0) {
            return false;
        }
        long wait = PARK_NANOS;
        if (deadline > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait = Math.min(wait, left);
        }
        consumerThread = Thread.currentThread();
        consumerWaiting = true;
        if (!anyFree() && !closing) {
            LockSupport.parkNanos(this, wait);
        }
        consumerWaiting = false;
        return true;
    }

    /** Sleeps up to {@code nanos} within the deadline; false when the deadline does not allow it. */
    private static boolean sleep(long deadline, long nanos) {
        if (deadline == 0) {
            return false;
        }
        long wait = nanos;
        if (deadline > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait = Math.min(wait, left);
        }
        LockSupport.parkNanos(wait);
        return true;
    }

    private void checkReceivable() throws TransportClosedException {
        if (closing) {
            throw closedException();
        }
        if (terminated) {
            throw endedException();
        }
    }

    private TransportClosedException closedException() {
        return new TransportClosedException("endpoint " + localAddress() + " is closed");
    }

    private TransportClosedException endedException() {
        Throwable cause = terminationCause;
        return cause == null
                ? new TransportClosedException("receiving on " + localAddress() + " ended")
                : new TransportClosedException(cause.getMessage(), cause);
    }

    // ---- the consumer API, both modes

    private RecvBatch nextBatch(long deadline) throws TransportClosedException {
        return inline ? readInline(deadline) : nextQueued(deadline);
    }

    private void requireReceiver() {
        if (pool == null) {
            throw new IllegalStateException("endpoint " + localAddress() + " is send-only: it has no receiver");
        }
    }

    private Datagram next(long deadline) throws TransportClosedException {
        requireReceiver();
        if (closing) {
            throw closedException();
        }
        RecvBatch b = current;
        if (b == null) {
            b = nextBatch(deadline);
            if (b == null) {
                return null;
            }
            current = b;
        }
        int i = b.cursor++;
        if (i + 1 == b.packetCount) {
            // let go with the last datagram, before the caller can release it: see the comment on current
            current = null;
        }
        return b.view(i, this);
    }

    /**
     * Blocks until a datagram arrives and returns it; release it when done.
     *
     * @throws TransportClosedException when the endpoint is closed, or receiving ended (the socket is gone) and
     *                                  everything read before that was handed out
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
        return next(deadline == 0 || deadline == -1 ? 1 : deadline);
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
            throw closedException();
        }
        int n = 0;
        while (n < limit) {
            RecvBatch b = current;
            if (b == null) {
                if (n > 0) {
                    // inline: a read that did not fill its batch emptied the kernel queue; another would find
                    // nothing and cost a syscall
                    if (inline && !lastReadFull) {
                        break;
                    }
                    try {
                        b = nextBatch(0);
                    } catch (TransportClosedException e) {
                        break; // report what was handed out; the next call throws
                    }
                } else {
                    b = nextBatch(firstDeadline);
                }
                if (b == null) {
                    break;
                }
                current = b;
            }
            n += handOut(b, handler, limit - n);
        }
        return n;
    }

    /**
     * Hands the batch's next datagrams (up to {@code max}) to the handler and releases them together when it
     * returns: one atomic update per run instead of one per datagram. Past the handler calls it reads only locals:
     * a handler that releases a datagram itself may hand the batch back to the receive thread.
     */
    private int handOut(RecvBatch b, DatagramHandler handler, int max) {
        int start = b.cursor;
        int count = b.packetCount;
        int end = Math.min(count, start + max);
        int i = start;
        int released = 0;
        Datagram d = null;
        try {
            while (i < end) {
                d = b.view(i, this);
                b.cursor = ++i;
                handler.onDatagram(d);
                if (d.armed) {
                    d.armed = false;
                    released++;
                }
            }
            d = null;
        } finally {
            // also when the handler threw: the datagrams not handed out yet keep the batch ours
            current = i < count ? b : null;
            if (d != null && d.armed) {
                d.armed = false;
                released++;
            }
            if (released > 0) {
                releaseMany(b, released);
            }
        }
        return i - start;
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

    /**
     * A snapshot of the counters. With instrumentation on and the native backend, this asks the kernel for the
     * socket's drop count (one {@code getsockopt}); after close the last count read is reported.
     */
    public TransportStats stats() {
        ReceiveCounters r = receiveCounters;
        SendCounters s = sendCounters;
        long drops = lastKernelDrops;
        if (config.instrumentation() && pool != null && !closing) {
            long now = socket.kernelDrops();
            if (now >= 0) {
                drops = now;
                lastKernelDrops = now;
            }
        }
        return new TransportStats(r.get(ReceiveCounters.PACKETS), r.get(ReceiveCounters.BYTES),
                r.get(ReceiveCounters.SYSCALLS), r.histogram(), r.get(ReceiveCounters.MAX_BATCH),
                r.get(ReceiveCounters.QUEUE_FULL), r.get(ReceiveCounters.BUFFER_WAITS),
                drops, r.get(ReceiveCounters.TRUNCATED), r.get(ReceiveCounters.ERRORS),
                s.packets.sum(), s.bytes.sum(), s.syscalls.sum(), s.errors.sum(), s.gsoSends.sum());
    }

    /** True once {@link #close()} was called. */
    public boolean isClosed() {
        return closing;
    }

    /** Test hook (native backend): the receiver reads {@code badFd} from its next call on. */
    void injectReceiveDescriptorForTest(int badFd) {
        if (!(socket instanceof NativeSocket n)) {
            throw new IllegalStateException("descriptor injection needs the native backend");
        }
        n.injectReceiveDescriptor(badFd);
    }

    /**
     * Stops receiving (wakes a consumer blocked in the kernel, or stops the receive thread), closes the socket
     * and frees the buffers. Idempotent; returns within a bounded time even with a full queue and no consumer.
     * Datagrams still held become unreadable (accessing them throws {@link IllegalStateException}).
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        // the socket and the buffers are freed only once nobody can be inside a receive call that uses them
        boolean quiet = true;
        if (receiveThread != null) {
            socket.wakeupReceiver();
            LockSupport.unpark(receiveThread);
            try {
                receiveThread.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            quiet = !receiveThread.isAlive();
            if (!quiet) {
                LOG.error("receive thread of {} did not stop within {} ms; its buffers are left to the GC",
                        localAddress(), JOIN_MILLIS);
            }
        } else if (pool != null) {
            // inline: shutdown wakes a consumer blocked in recvmmsg or poll; it then sees closing and leaves
            socket.wakeupReceiver();
            wakeConsumer();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_MILLIS);
            while (receiving && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(CLOSE_POLL_NANOS);
            }
            quiet = !receiving;
            if (!quiet) {
                LOG.error("the consumer of {} did not leave its receive call within {} ms; the socket and buffers "
                        + "are left to the GC", localAddress(), JOIN_MILLIS);
            }
        }
        if (quiet) {
            socket.close();
        }
        wakeConsumer();
        if (batchArena != null && quiet) {
            batchArena.close();
        }
    }

    @Override
    public String toString() {
        return "DatagramEndpoint[" + localAddress() + ", " + backend() + (closing ? ", closed" : "") + "]";
    }
}
