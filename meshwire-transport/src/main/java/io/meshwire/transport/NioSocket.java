package io.meshwire.transport;

import io.meshwire.transport.linux.LinuxSockets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The portable backend over a non-blocking {@link DatagramChannel}: a waiting receiver waits in a
 * {@link Selector} (woken by close), then drains up to a batch with {@code receive} until the socket is empty.
 * Used off Linux, when native access is not granted, with {@code -Dmeshwire.native=false}, and for wrapped
 * channels (the JDK exposes no descriptor to hand to native code).
 */
final class NioSocket implements SocketBackend {
    private static final Logger LOG = LoggerFactory.getLogger(NioSocket.class);

    private final DatagramChannel channel;
    private final Selector selector;
    private final SocketInfo info;
    private final boolean connected;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean shutdown;

    private NioSocket(DatagramChannel channel, EndpointConfig config, String reason, boolean configure)
            throws IOException {
        this.channel = channel;
        boolean ok = false;
        try {
            if (configure) {
                if (config.reuseAddress()) {
                    channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                }
                if (config.reusePort()) {
                    if (channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                        channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                    } else {
                        LOG.warn("SO_REUSEPORT is not supported on this platform; ignored");
                    }
                }
                if (config.broadcast()) {
                    channel.setOption(StandardSocketOptions.SO_BROADCAST, true);
                }
                channel.setOption(StandardSocketOptions.SO_RCVBUF, config.receiveBufferSize());
                channel.setOption(StandardSocketOptions.SO_SNDBUF, config.sendBufferSize());
                try {
                    channel.bind(config.bindAddress());
                } catch (BindException e) {
                    BindException be = new BindException("bind(" + config.bindAddress() + ") failed: " + e.getMessage()
                            + "; choose another port, use port 0, or set reuseAddress if sharing is intended");
                    be.initCause(e);
                    throw be;
                }
                if (config.connectAddress() != null) {
                    channel.connect(config.connectAddress());
                }
            }
            channel.configureBlocking(false);
            this.connected = channel.isConnected();
            this.selector = config.sendOnly() ? null : Selector.open();
            if (selector != null) {
                channel.register(selector, SelectionKey.OP_READ);
            }
            this.info = new SocketInfo((InetSocketAddress) channel.getLocalAddress(), Backend.NIO, reason,
                    config.receiveBufferSize(), channel.getOption(StandardSocketOptions.SO_RCVBUF),
                    config.sendBufferSize(), channel.getOption(StandardSocketOptions.SO_SNDBUF), false, false);
            ok = true;
        } finally {
            if (!ok) {
                channel.close();
            }
        }
    }

    static NioSocket open(EndpointConfig config, String reason) throws IOException {
        DatagramChannel ch = DatagramChannel.open(config.ipv6() ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        return new NioSocket(ch, config, reason, true);
    }

    static NioSocket wrap(DatagramChannel channel, EndpointConfig config) throws IOException {
        if (channel.getLocalAddress() == null) {
            throw new IllegalArgumentException("channel must be bound before it is wrapped: call bind() first");
        }
        return new NioSocket(channel, config, "wrapped DatagramChannel (the JDK exposes no descriptor for FFM)", false);
    }

    @Override
    public Backend kind() {
        return Backend.NIO;
    }

    @Override
    public SocketInfo info() {
        return info;
    }

    @Override
    public RecvBatch newBatch(Arena arena, int messages, int slotSize) {
        return new RecvBatch(arena, messages, slotSize, false, false, false, false);
    }

    @Override
    public int receive(RecvBatch b, ReceiveCounters counters, boolean wait) {
        try {
            int cap = b.messageCapacity;
            b.reset();
            int n = 0;
            long bytes = 0;
            while (true) {
                if (shutdown) {
                    return CLOSED;
                }
                while (n < cap) {
                    ByteBuffer slot = b.slotBuffers[n].clear();
                    SocketAddress from;
                    try {
                        from = channel.receive(slot);
                    } catch (PortUnreachableException e) {
                        // ICMP error on a connected channel: per-destination, count it and keep receiving
                        counters.add(ReceiveCounters.ERRORS, 1);
                        continue;
                    }
                    if (from == null) {
                        break;
                    }
                    int len = slot.position();
                    if (len == slot.capacity()) {
                        // DatagramChannel silently discards what does not fit: a full slot may be cut, so it is
                        // counted as truncated and dropped (maxDatagramSize must be larger than any datagram)
                        counters.add(ReceiveCounters.TRUNCATED, 1);
                        continue;
                    }
                    b.nioSources[n] = (InetSocketAddress) from;
                    b.addPacket(n * b.slotSize, len, n);
                    bytes += len;
                    n++;
                }
                if (n > 0) {
                    if (counters.instrumented) {
                        counters.recordBatch(n, n, bytes);
                    }
                    return n;
                }
                if (!wait) {
                    return -LinuxSockets.EAGAIN;
                }
                selector.select();
                selector.selectedKeys().clear();
            }
        } catch (ClosedChannelException | java.nio.channels.ClosedSelectorException e) {
            return shutdown ? CLOSED : -LinuxSockets.EBADF;
        } catch (IOException e) {
            LOG.debug("receive failed", e);
            return -LinuxSockets.EIO;
        }
    }

    @Override
    public int awaitReadable(long timeoutNanos) {
        if (shutdown) {
            return CLOSED;
        }
        try {
            // Selector.select takes milliseconds; round up so a short wait is not a busy loop
            long millis = Math.max(1, (timeoutNanos + 999_999) / 1_000_000);
            int r = selector.select(millis);
            selector.selectedKeys().clear();
            return shutdown ? CLOSED : Math.max(r, 0);
        } catch (ClosedChannelException | java.nio.channels.ClosedSelectorException e) {
            return shutdown ? CLOSED : -LinuxSockets.EBADF;
        } catch (IOException e) {
            LOG.debug("select failed", e);
            return -LinuxSockets.EIO;
        }
    }

    @Override
    public long kernelDrops() {
        return -1; // the JDK exposes neither SO_MEMINFO nor SO_RXQ_OVFL
    }

    @Override
    public void wakeupReceiver() {
        shutdown = true;
        if (selector != null) {
            selector.wakeup();
        }
    }

    @Override
    public long send(ByteBuffer src, InetSocketAddress dest, boolean dontWait, SendCounters counters)
            throws IOException {
        int pos = src.position();
        sendLock.lock();
        try {
            while (true) {
                int r = connected && dest == null ? channel.write(src) : channel.send(src, dest);
                if (r > 0 || src.remaining() == 0) {
                    counters.record(1, r);
                    return r;
                }
                if (dontWait) {
                    return -LinuxSockets.EAGAIN;
                }
                // non-blocking channel with a full send buffer: wait briefly and retry
                LockSupport.parkNanos(1_000);
            }
        } catch (PortUnreachableException e) {
            counters.errors.increment();
            throw e;
        } catch (ClosedChannelException e) {
            throw new TransportClosedException("endpoint is closed");
        } finally {
            src.position(pos);
            sendLock.unlock();
        }
    }

    @Override
    public long sendBatch(SendBatch batch, InetSocketAddress dest, SendCounters counters) throws IOException {
        ByteBuffer view = batch.view();
        int sent = 0;
        sendLock.lock();
        try {
            for (int i = 0; i < batch.size(); i++) {
                int off = batch.offsetUnchecked(i);
                view.limit(off + batch.lengthUnchecked(i)).position(off);
                while (true) {
                    int r = connected && dest == null ? channel.write(view) : channel.send(view, dest);
                    if (r > 0 || batch.lengthUnchecked(i) == 0) {
                        counters.record(1, r);
                        break;
                    }
                    LockSupport.parkNanos(1_000);
                }
                sent++;
            }
            return sent;
        } catch (PortUnreachableException e) {
            counters.errors.increment();
            if (sent == 0) {
                throw e;
            }
            return sent;
        } catch (ClosedChannelException e) {
            if (sent == 0) {
                throw new TransportClosedException("endpoint is closed");
            }
            return sent;
        } finally {
            view.clear();
            sendLock.unlock();
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            shutdown = true;
            try {
                if (selector != null) {
                    selector.close();
                }
            } catch (IOException e) {
                LOG.debug("selector close failed", e);
            }
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("channel close failed", e);
            }
        }
    }
}
