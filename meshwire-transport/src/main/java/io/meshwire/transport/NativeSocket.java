package io.meshwire.transport;

import io.meshwire.transport.linux.DestinationSockAddr;
import io.meshwire.transport.linux.LinuxSockets;
import io.meshwire.transport.linux.SockAddr;
import io.meshwire.transport.linux.SocketDrops;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.meshwire.transport.linux.LinuxSockets.*;

/**
 * The Linux FFM backend: a natively created UDP socket read with {@code recvmmsg} and written with
 * {@code sendto}/{@code sendmmsg}, with UDP GSO on send and GRO on receive where the kernel has them.
 *
 * <p>A waiting receiver blocks in the kernel ({@code MSG_WAITFORONE}: wait for the first message, then take what
 * is queued without waiting more), so an idle receiver costs nothing; {@link #wakeupReceiver()} shuts the socket
 * down, which wakes a blocked {@code recvmmsg} (inet_shutdown wakes waiters even on an unconnected UDP socket).
 * A shut-down socket does not make recvmmsg return 0: it returns one empty message with no source address
 * ({@code msg_namelen} 0), which no real datagram has; that is how {@link #receive} tells shutdown apart. A
 * receiver that asks for no source addresses (connected, or {@link EndpointConfig#sourceAddresses()} off) cannot
 * see that mark, so there an empty first message counts as shutdown only once {@link #wakeupReceiver()} ran.
 */
final class NativeSocket implements SocketBackend {
    private static final Logger LOG = LoggerFactory.getLogger(NativeSocket.class);
    /** Messages per sendmmsg call. */
    static final int SEND_MESSAGES = 64;
    /** Kernel limit on segments per GSO send (UDP_MAX_SEGMENTS was 64 before Linux 5.x raised it). */
    static final int MAX_GSO_SEGMENTS = 64;
    /** Largest GSO payload: an IPv4 datagram is at most 65535 bytes with 20 of IP and 8 of UDP header. */
    static final int MAX_GSO_BYTES = 65507;
    private static final long GSO_CMSG_SPACE = cmsgSpace(2);

    private final Arena arena = Arena.ofShared();
    private final int fd;
    /** Descriptor the receiver reads; differs from {@link #fd} only when a test injects a bad one. */
    private volatile int receiveFd;
    private final boolean ipv6;
    private final boolean connected;
    private final boolean withControl;
    /** The kernel writes each datagram's source address (msg_name); off when connected or not wanted. */
    private final boolean withNames;
    /** msg_namelen to offer: 0 without source addresses (a NULL msg_name leaves it unwritten). */
    private final int nameLength;
    /**
     * Whether a receive must restore the value-result header fields before the next call. Without a msg_name the
     * kernel never writes msg_namelen, and without a msg_control it writes 0 into msg_controllen, the value it
     * already holds (____sys_recvmsg), so a batch with neither needs no per-message writes at all.
     */
    private final boolean resetsHeaders;
    /** Set by {@link #wakeupReceiver()} before the shutdown, for receivers without source addresses. */
    private volatile boolean shutdownRequested;
    private final SocketInfo info;
    private final MemorySegment receiveState;
    private final MemorySegment pollFd;

    /** Guards the send buffers, and the descriptor against close. */
    private final Object sendLock = new Object();
    private final MemorySegment sendState;
    private final MemorySegment destination;
    private final MemorySegment scratch;
    private final MemorySegment sendMessages;
    private final MemorySegment sendIovs;
    private final MemorySegment sendControl;
    /** Read under {@link #sendLock} when stats are taken. */
    private final SocketDrops drops;
    private final MemorySegment[] sendMessageSlices = new MemorySegment[SEND_MESSAGES];
    private final int[] messageFirstDatagram = new int[SEND_MESSAGES];
    private final int[] messageDatagrams = new int[SEND_MESSAGES];
    private final int[] messageBytes = new int[SEND_MESSAGES];
    /** Results of {@link #transmit}, read right after it under {@link #sendLock}. */
    private int transmitted;
    private int stoppedAt;
    private final DestinationSockAddr sendDestination;
    private volatile boolean gso;
    /**
     * Datagrams of this size or more are sent without GSO: a route whose MTU is smaller than the segment size refuses
     * the whole run (EMSGSIZE or EINVAL from udp_send_skb), while the same datagram sent alone is IP-fragmented.
     */
    private volatile int gsoSegmentLimit = Integer.MAX_VALUE;
    private final AtomicBoolean closed = new AtomicBoolean();

    private NativeSocket(EndpointConfig config, String backendReason) throws IOException {
        this.ipv6 = config.ipv6();
        this.connected = config.connectAddress() != null;
        this.withNames = config.sourceAddresses() && !connected;
        this.nameLength = withNames ? SOCKADDR_STORAGE_LENGTH : 0;
        MemorySegment state = LinuxSockets.newCallState(arena);
        this.receiveState = LinuxSockets.newCallState(arena);
        this.pollFd = arena.allocate(POLLFD_LENGTH, 8);
        this.sendState = LinuxSockets.newCallState(arena);
        this.destination = arena.allocate(SOCKADDR_STORAGE_LENGTH, 8);
        this.sendDestination = new DestinationSockAddr(destination, ipv6);
        this.scratch = arena.allocate(EndpointConfig.GRO_BUFFER_SIZE, 64);
        this.sendMessages = arena.allocate(MMSGHDR_SIZE * SEND_MESSAGES, 8);
        this.sendIovs = arena.allocate(IOVEC_SIZE * SEND_MESSAGES, 8);
        this.sendControl = arena.allocate(GSO_CMSG_SPACE * SEND_MESSAGES, 8);
        this.drops = new SocketDrops(arena);
        for (int i = 0; i < SEND_MESSAGES; i++) {
            sendMessageSlices[i] = sendMessages.asSlice(MMSGHDR_SIZE * i);
            long m = MMSGHDR_SIZE * i;
            sendMessages.set(ValueLayout.JAVA_LONG, m + MSG_IOV_OFFSET, sendIovs.address() + IOVEC_SIZE * i);
            sendMessages.set(ValueLayout.JAVA_LONG, m + MSG_IOVLEN_OFFSET, 1L);
            long c = GSO_CMSG_SPACE * i;
            sendControl.set(ValueLayout.JAVA_LONG, c + CMSG_LEN_OFFSET, cmsgLen(2));
            sendControl.set(ValueLayout.JAVA_INT, c + CMSG_LEVEL_OFFSET, SOL_UDP);
            sendControl.set(ValueLayout.JAVA_INT, c + CMSG_TYPE_OFFSET, UDP_SEGMENT);
        }

        int s = LinuxSockets.socket(state, ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0) {
            arena.close();
            throw new IOException("socket(" + (ipv6 ? "AF_INET6" : "AF_INET") + ", SOCK_DGRAM) failed: "
                    + errnoName(s));
        }
        this.fd = s;
        this.receiveFd = s;
        boolean ok = false;
        try {
            if (ipv6) {
                setInt(state, IPPROTO_IPV6, IPV6_V6ONLY, 0, "IPV6_V6ONLY=0 (dual stack)", false);
            }
            if (config.reuseAddress()) {
                setInt(state, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR", true);
            }
            if (config.reusePort()) {
                setInt(state, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT", true);
            }
            if (config.broadcast()) {
                setInt(state, SOL_SOCKET, SO_BROADCAST, 1, "SO_BROADCAST", true);
            }
            int grantedReceive = setBuffer(state, SO_RCVBUF, SO_RCVBUFFORCE, config.receiveBufferSize(), "SO_RCVBUF");
            int grantedSend = setBuffer(state, SO_SNDBUF, SO_SNDBUFFORCE, config.sendBufferSize(), "SO_SNDBUF");
            if (config.throughputTuning()) {
                // best effort, as net-mesh's configure_socket_for_throughput: busy-poll needs CAP_NET_ADMIN
                // above net.core.busy_read, and DF only matters off loopback
                setInt(state, SOL_SOCKET, SO_BUSY_POLL, config.busyPollMicros(), "SO_BUSY_POLL", false);
                setInt(state, ipv6 ? IPPROTO_IPV6 : IPPROTO_IP, ipv6 ? IPV6_MTU_DISCOVER : IP_MTU_DISCOVER,
                        ipv6 ? IPV6_PMTUDISC_DO : IP_PMTUDISC_DO, "don't-fragment", false);
            }
            boolean gro = false;
            if (config.gro() && !config.sendOnly()) {
                gro = setInt(state, SOL_UDP, UDP_GRO, 1, "UDP_GRO", false);
                if (!gro) {
                    LOG.warn("UDP_GRO is not supported by this kernel; receiving datagrams one by one");
                }
            }
            // Kernel drops are read with SO_MEMINFO when stats are taken, not from a per-datagram SO_RXQ_OVFL
            // control message: that kept cmsg parsing out of the receive loop, whose never-taken branch otherwise
            // deoptimised the compiled loop the moment drops began (BENCHMARKS.md), and gives an exact count at once.
            this.withControl = gro;
            this.resetsHeaders = withNames || gro;

            int len = SockAddr.encode(config.bindAddress(), ipv6, destination, 0);
            int r = LinuxSockets.bind(state, fd, destination, len);
            if (r < 0) {
                String msg = "bind(" + config.bindAddress() + ") failed: " + errnoName(r);
                if (r == -EADDRINUSE) {
                    throw new BindException(msg + "; the port is taken: choose another port, use port 0, or set "
                            + "reuseAddress/reusePort if sharing is intended");
                }
                if (r == -EADDRNOTAVAIL) {
                    throw new BindException(msg + "; the address is not assigned to any interface of this host");
                }
                throw new BindException(msg);
            }
            if (connected) {
                len = SockAddr.encode(config.connectAddress(), ipv6, destination, 0);
                r = LinuxSockets.connect(state, fd, destination, len);
                if (r < 0) {
                    throw new IOException("connect(" + config.connectAddress() + ") failed: " + errnoName(r));
                }
            }
            MemorySegment nameLen = arena.allocate(ValueLayout.JAVA_INT);
            nameLen.set(ValueLayout.JAVA_INT, 0, SOCKADDR_STORAGE_LENGTH);
            MemorySegment name = arena.allocate(SOCKADDR_STORAGE_LENGTH, 8);
            r = LinuxSockets.getsockname(state, fd, name, nameLen);
            if (r < 0) {
                throw new IOException("getsockname failed: " + errnoName(r));
            }
            InetSocketAddress local = SockAddr.decode(name, 0);
            // UDP_SEGMENT as a readable socket option means the kernel knows GSO (Linux 4.18+)
            boolean gsoSupported = getInt(state, SOL_UDP, UDP_SEGMENT) >= 0;
            this.gso = config.gso() && gsoSupported;
            this.info = new SocketInfo(local, Backend.NATIVE, backendReason, config.receiveBufferSize(),
                    grantedReceive, config.sendBufferSize(), grantedSend, gso, gro);
            ok = true;
        } finally {
            if (!ok) {
                LinuxSockets.close(state, fd);
                arena.close();
            }
        }
    }

    static NativeSocket open(EndpointConfig config, String backendReason) throws IOException {
        return new NativeSocket(config, backendReason);
    }

    private boolean setInt(MemorySegment state, int level, int name, int value, String what, boolean required)
            throws IOException {
        MemorySegment v = arena.allocate(ValueLayout.JAVA_INT);
        v.set(ValueLayout.JAVA_INT, 0, value);
        int r = LinuxSockets.setsockopt(state, fd, level, name, v, 4);
        if (r < 0) {
            if (required) {
                throw new IOException("setsockopt " + what + "=" + value + " failed: " + errnoName(r));
            }
            LOG.debug("setsockopt {}={} failed: {} (best effort, continuing)", what, value, errnoName(r));
            return false;
        }
        return true;
    }

    /**
     * Sets a socket buffer size and returns what the kernel granted. When net.core.[rw]mem_max caps the request,
     * the FORCE variant is tried: it ignores the cap for a process with CAP_NET_ADMIN (socket(7)), and fails
     * harmlessly with EPERM otherwise, leaving the capped size.
     */
    private int setBuffer(MemorySegment state, int option, int forceOption, int size, String what)
            throws IOException {
        setInt(state, SOL_SOCKET, option, size, what, true);
        int granted = getInt(state, SOL_SOCKET, option);
        if (granted >= 0 && (long) granted < 2L * size
                && setInt(state, SOL_SOCKET, forceOption, size, what + "FORCE", false)) {
            granted = getInt(state, SOL_SOCKET, option);
        }
        return granted;
    }

    /** getsockopt of an int, or -errno. */
    private int getInt(MemorySegment state, int level, int name) {
        MemorySegment v = arena.allocate(ValueLayout.JAVA_INT);
        MemorySegment len = arena.allocate(ValueLayout.JAVA_INT);
        len.set(ValueLayout.JAVA_INT, 0, 4);
        int r = LinuxSockets.getsockopt(state, fd, level, name, v, len);
        return r < 0 ? r : v.get(ValueLayout.JAVA_INT, 0);
    }

    @Override
    public Backend kind() {
        return Backend.NATIVE;
    }

    @Override
    public SocketInfo info() {
        return info;
    }

    @Override
    public RecvBatch newBatch(Arena batchArena, int messages, int slotSize) {
        return new RecvBatch(batchArena, messages, slotSize, true, withNames, withControl, info.groEnabled());
    }

    @Override
    public int receive(RecvBatch b, ReceiveCounters counters, boolean wait) {
        MemorySegment msgs = b.messages;
        int cap = b.messageCapacity;
        long controlLength = withControl ? RecvBatch.CONTROL_LENGTH : 0;
        // msg_namelen and msg_controllen are value-result fields: reset the ones the last call wrote
        for (int i = 0, dirty = b.dirtyMessages; i < dirty; i++) {
            long m = MMSGHDR_SIZE * i;
            msgs.set(ValueLayout.JAVA_INT, m + MSG_NAMELEN_OFFSET, nameLength);
            msgs.set(ValueLayout.JAVA_LONG, m + MSG_CONTROLLEN_OFFSET, controlLength);
        }
        b.dirtyMessages = 0;
        int n = recvmmsg(msgs, cap, wait);
        if (n <= 0) {
            return n == 0 ? CLOSED : n;
        }
        b.dirtyMessages = resetsHeaders ? n : 0;
        if (msgs.get(ValueLayout.JAVA_INT, MSG_NAMELEN_OFFSET) == 0 && isShutdownMark(msgs)) {
            return CLOSED;
        }
        b.reset();
        long bytes = 0;
        int slot = b.slotSize;
        for (int i = 0; i < n; i++) {
            long m = MMSGHDR_SIZE * i;
            int len = msgs.get(ValueLayout.JAVA_INT, m + MSG_LEN_OFFSET);
            int flags = msgs.get(ValueLayout.JAVA_INT, m + MSG_FLAGS_OFFSET);
            int segment = 0;
            if (withControl) {
                long clen = msgs.get(ValueLayout.JAVA_LONG, m + MSG_CONTROLLEN_OFFSET);
                if (clen > 0) {
                    segment = readControl(b.control, (long) RecvBatch.CONTROL_LENGTH * i, clen);
                }
            }
            if ((flags & MSG_TRUNC) != 0) {
                // never hand out a cut datagram: drop it and count it
                counters.add(ReceiveCounters.TRUNCATED, 1);
                continue;
            }
            int offset = i * slot;
            if (segment > 0 && len > segment) {
                for (int p = 0; p < len; p += segment) {
                    if (!b.addPacket(offset + p, Math.min(segment, len - p), i)) {
                        counters.add(ReceiveCounters.TRUNCATED, 1);
                    }
                }
            } else {
                b.addPacket(offset, len, i);
            }
            bytes += len;
        }
        if (counters.instrumented) {
            counters.recordBatch(n, b.packetCount, bytes);
        }
        return n;
    }

    /**
     * One {@code recvmmsg}: a waiting call on an unconnected socket goes without errno capture (see
     * {@link LinuxSockets#recvmmsgUnconnected}: the capture costs a 40-byte slice per call that C2 often keeps).
     */
    private int recvmmsg(MemorySegment msgs, int cap, boolean wait) {
        if (wait && !connected) {
            return LinuxSockets.recvmmsgUnconnected(receiveState, receiveFd, msgs, cap, MSG_WAITFORONE);
        }
        return LinuxSockets.recvmmsg(receiveState, receiveFd, msgs, cap, wait ? MSG_WAITFORONE : MSG_DONTWAIT);
    }

    /**
     * Whether the first message of a batch whose {@code msg_namelen} is 0 is shutdown's empty no-address message
     * (see the class comment) rather than a datagram. Without source addresses every message has length 0 there,
     * so it takes an empty message after {@link #wakeupReceiver()}. Kept out of {@link #receive}: its few
     * bytecodes there cost the JIT the scalar replacement of the FFM errno-capture slice (40 B per call).
     */
    private boolean isShutdownMark(MemorySegment msgs) {
        return withNames || msgs.get(ValueLayout.JAVA_INT, MSG_LEN_OFFSET) == 0 && shutdownRequested;
    }

    /** Walks one message's control data; returns the GRO segment size, or 0. */
    private static int readControl(MemorySegment control, long base, long length) {
        int segment = 0;
        long o = base;
        long end = base + Math.min(length, RecvBatch.CONTROL_LENGTH);
        while (o + CMSG_DATA_OFFSET <= end) {
            long cmsgLen = control.get(ValueLayout.JAVA_LONG, o + CMSG_LEN_OFFSET);
            if (cmsgLen < CMSG_DATA_OFFSET || o + cmsgLen > end) {
                break;
            }
            int level = control.get(ValueLayout.JAVA_INT, o + CMSG_LEVEL_OFFSET);
            int type = control.get(ValueLayout.JAVA_INT, o + CMSG_TYPE_OFFSET);
            if (level == SOL_UDP && type == UDP_GRO) {
                segment = control.get(ValueLayout.JAVA_INT_UNALIGNED, o + CMSG_DATA_OFFSET);
            }
            o += cmsgAlign(cmsgLen);
        }
        return segment;
    }

    @Override
    public int awaitReadable(long timeoutNanos) {
        // poll(2) takes milliseconds: round up so a short wait is not a busy loop
        long millis = Math.min(Integer.MAX_VALUE, (timeoutNanos + 999_999) / 1_000_000);
        pollFd.set(ValueLayout.JAVA_INT, POLLFD_FD_OFFSET, receiveFd);
        pollFd.set(ValueLayout.JAVA_SHORT, POLLFD_EVENTS_OFFSET, POLLIN);
        pollFd.set(ValueLayout.JAVA_SHORT, POLLFD_REVENTS_OFFSET, (short) 0);
        int r = LinuxSockets.poll(receiveState, pollFd, 1, (int) millis);
        if (r > 0 && (pollFd.get(ValueLayout.JAVA_SHORT, POLLFD_REVENTS_OFFSET) & POLLNVAL) != 0) {
            return -EBADF; // poll reports a closed descriptor as an event, not as an error
        }
        return r;
    }

    @Override
    public long kernelDrops() {
        synchronized (sendLock) {
            if (closed.get()) {
                return -1;
            }
            return drops.read(fd);
        }
    }

    @Override
    public void wakeupReceiver() {
        shutdownRequested = true;
        LinuxSockets.shutdown(sendState, fd, SHUT_RDWR);
    }

    /** Test hook: make the receiver use {@code badFd} from its next call on. */
    void injectReceiveDescriptor(int badFd) {
        receiveFd = badFd;
    }

    @Override
    public long send(ByteBuffer src, InetSocketAddress dest, boolean dontWait, SendCounters counters)
            throws IOException {
        int len = src.remaining();
        synchronized (sendLock) {
            long address;
            if (src.isDirect()) {
                address = MemorySegment.ofBuffer(src).address();
            } else {
                if (len > scratch.byteSize()) {
                    throw new IllegalArgumentException("datagram of " + len + " bytes exceeds the UDP maximum");
                }
                if (src.hasArray()) {
                    MemorySegment.copy(src.array(), src.arrayOffset() + src.position(), scratch,
                            ValueLayout.JAVA_BYTE, 0, len);
                } else {
                    MemorySegment.copy(MemorySegment.ofBuffer(src), 0, scratch, 0, len);
                }
                address = scratch.address();
            }
            MemorySegment to = MemorySegment.NULL;
            int toLen = 0;
            if (dest != null) {
                toLen = sendDestination.encode(dest);
                to = destination;
            }
            int flags = dontWait ? MSG_DONTWAIT : 0;
            long r;
            do {
                r = LinuxSockets.sendto(sendState, fd, address, len, flags, to, toLen);
            } while (r == -EINTR);
            if (r >= 0) {
                counters.record(1, r);
            } else if (r != -EAGAIN) {
                counters.errors.increment();
            }
            return r;
        }
    }

    @Override
    public long sendBatch(SendBatch batch, InetSocketAddress dest, SendCounters counters) throws IOException {
        int count = batch.size();
        if (count == 0) {
            return 0;
        }
        synchronized (sendLock) {
            long name = 0;
            int nameLen = 0;
            if (dest != null) {
                nameLen = sendDestination.encode(dest);
                name = destination.address();
            }
            int next = 0;
            int sent = 0;
            while (next < count) {
                int m = prepare(batch, next, name, nameLen);
                int r = transmit(m, counters);
                sent += transmitted;
                if (r == 0) {
                    next = messageFirstDatagram[m - 1] + messageDatagrams[m - 1];
                    continue;
                }
                counters.errors.increment();
                int k = stoppedAt;
                if (r == -EMSGSIZE && messageDatagrams[k] > 1) {
                    // the segment does not fit the route's MTU: keep GSO for smaller datagrams only
                    int segment = batch.lengthUnchecked(messageFirstDatagram[k]);
                    gsoSegmentLimit = Math.min(gsoSegmentLimit, segment);
                    LOG.warn("UDP GSO send of {}-byte segments failed (EMSGSIZE: larger than the route's MTU); "
                            + "datagrams of {} bytes or more now go one by one on this endpoint", segment, segment);
                    next = messageFirstDatagram[k];
                    continue;
                }
                if ((r == -EIO || r == -EINVAL || r == -EOPNOTSUPP) && messageDatagrams[k] > 1) {
                    // the route's device cannot segment (no checksum offload, or an old kernel): fall back
                    gso = false;
                    LOG.warn("UDP GSO send failed ({}); sending datagrams one by one on this endpoint", errnoName(r));
                    next = messageFirstDatagram[k];
                    continue;
                }
                if (r == -ECONNREFUSED && sent == 0) {
                    throw new PortUnreachableException("peer refused (ICMP port unreachable) on " + dest);
                }
                return sent > 0 ? sent : r;
            }
            return sent;
        }
    }

    /**
     * Writes up to {@link #SEND_MESSAGES} message headers for the datagrams of {@code batch} from {@code next} on;
     * with GSO each message carries a run of equal-size datagrams. Returns the number of messages.
     */
    private int prepare(SendBatch batch, int next, long name, int nameLen) {
        int count = batch.size();
        long base = batch.memory().address();
        boolean useGso = gso;
        int segmentLimit = gsoSegmentLimit;
        int m = 0;
        int d = next;
        while (d < count && m < SEND_MESSAGES) {
            int first = d;
            int size = batch.lengthUnchecked(d);
            int total = size;
            d++;
            if (useGso && size > 0 && size < segmentLimit) {
                // a run continues while sizes are equal; one shorter datagram may end it (UDP_SEGMENT
                // semantics: all segments gso_size except possibly the last)
                while (d < count && d - first < MAX_GSO_SEGMENTS) {
                    int l = batch.lengthUnchecked(d);
                    if (l > size || l == 0 || total + l > MAX_GSO_BYTES) {
                        break;
                    }
                    total += l;
                    d++;
                    if (l < size) {
                        break;
                    }
                }
            }
            int datagrams = d - first;
            long mh = MMSGHDR_SIZE * m;
            long iov = IOVEC_SIZE * m;
            sendIovs.set(ValueLayout.JAVA_LONG, iov + IOV_BASE_OFFSET, base + batch.offsetUnchecked(first));
            sendIovs.set(ValueLayout.JAVA_LONG, iov + IOV_LEN_OFFSET, total);
            sendMessages.set(ValueLayout.JAVA_LONG, mh + MSG_NAME_OFFSET, name);
            sendMessages.set(ValueLayout.JAVA_INT, mh + MSG_NAMELEN_OFFSET, nameLen);
            if (datagrams > 1) {
                long c = GSO_CMSG_SPACE * m;
                sendControl.set(ValueLayout.JAVA_SHORT, c + CMSG_DATA_OFFSET, (short) size);
                sendMessages.set(ValueLayout.JAVA_LONG, mh + MSG_CONTROL_OFFSET, sendControl.address() + c);
                sendMessages.set(ValueLayout.JAVA_LONG, mh + MSG_CONTROLLEN_OFFSET, GSO_CMSG_SPACE);
            } else {
                sendMessages.set(ValueLayout.JAVA_LONG, mh + MSG_CONTROL_OFFSET, 0L);
                sendMessages.set(ValueLayout.JAVA_LONG, mh + MSG_CONTROLLEN_OFFSET, 0L);
            }
            sendMessages.set(ValueLayout.JAVA_INT, mh + MSG_FLAGS_OFFSET, 0);
            messageFirstDatagram[m] = first;
            messageDatagrams[m] = datagrams;
            messageBytes[m] = total;
            m++;
        }
        return m;
    }

    /**
     * Sends the {@code m} prepared messages, looping over partial sends (sendmmsg may send fewer than asked).
     * Returns 0 when all went, else the {@code -errno} that stopped it at message {@link #stoppedAt}; either way
     * {@link #transmitted} holds the datagrams that went.
     */
    private int transmit(int m, SendCounters counters) {
        int k = 0;
        int datagrams = 0;
        while (k < m) {
            int r = LinuxSockets.sendmmsg(sendState, fd, sendMessageSlices[k], m - k, 0);
            if (r > 0) {
                long bytes = 0;
                int before = datagrams;
                for (int j = k; j < k + r; j++) {
                    datagrams += messageDatagrams[j];
                    bytes += messageBytes[j];
                    if (messageDatagrams[j] > 1) {
                        counters.gsoSends.increment();
                    }
                }
                counters.record(datagrams - before, bytes);
                k += r;
            } else if (r != -EINTR) {
                transmitted = datagrams;
                stoppedAt = k;
                return r == 0 ? -EIO : r;
            }
        }
        transmitted = datagrams;
        return 0;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            synchronized (sendLock) {
                LinuxSockets.close(sendState, fd);
            }
            arena.close();
        }
    }
}
