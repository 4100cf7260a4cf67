package io.meshwire.transport.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static io.meshwire.transport.linux.Downcalls.rethrow;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * FFM bindings to the Linux socket calls meshwire uses: socket, bind, connect, setsockopt, getsockopt,
 * getsockname, recvmmsg, sendmmsg, sendto, shutdown, close, poll.
 *
 * <p>Internal API: public only so that {@code io.meshwire.transport} and {@code io.meshwire.nic} can use it.
 * Every call returns the syscall's non-negative result, or {@code -errno} on failure (Lucene
 * {@code PosixNativeAccess}, Netty {@code Errors}); errno is captured by the linker into a caller-owned
 * {@link #newCallState call-state segment}, so each thread that calls in must own one (the segment is not
 * shared because errno is per thread).
 *
 * <p>Structure layouts are those of the LP64 Linux ABI (x86-64 and aarch64 share them); {@link #isSupported()}
 * refuses other platforms.
 */
public final class LinuxSockets {

    // ---- constants: <sys/socket.h>, <netinet/in.h>, <linux/udp.h>, <asm-generic/errno.h> ----
    // Numbers are identical on x86-64 and aarch64 (both use the asm-generic socket and errno values).
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_UDP = 17;
    public static final int IPPROTO_IPV6 = 41;
    public static final int SOL_SOCKET = 1;
    public static final int SOL_UDP = 17;

    public static final int SO_REUSEADDR = 2;
    public static final int SO_BROADCAST = 6;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_REUSEPORT = 15;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int SO_RXQ_OVFL = 40;
    public static final int SO_BUSY_POLL = 46;
    /** getsockopt: the socket's memory counters, {@code u32[SK_MEMINFO_VARS]} (linux/sock_diag.h, Linux 4.12). */
    public static final int SO_MEMINFO = 55;
    /** Index of {@code sk_drops} in the SO_MEMINFO array: datagrams dropped for lack of receive buffer. */
    public static final int SK_MEMINFO_DROPS = 8;
    public static final int SK_MEMINFO_VARS = 9;

    public static final int IP_TTL = 2;
    public static final int IP_PKTINFO = 8;
    public static final int IP_MTU_DISCOVER = 10;
    public static final int IP_MULTICAST_TTL = 33;
    public static final int IP_ADD_MEMBERSHIP = 35;
    public static final int IP_MULTICAST_ALL = 49;
    public static final int IP_PMTUDISC_DO = 2;
    public static final int IPV6_MTU_DISCOVER = 23;
    public static final int IPV6_V6ONLY = 26;
    public static final int IPV6_RECVPKTINFO = 49;
    public static final int IPV6_PKTINFO = 50;
    public static final int IPV6_PMTUDISC_DO = 2;

    /** {@code UDP_SEGMENT}: GSO segment size, as a socket option or a per-message cmsg (Linux 4.18). */
    public static final int UDP_SEGMENT = 103;
    /** {@code UDP_GRO}: coalesce received datagrams; the cmsg of the same type carries the segment size (5.0). */
    public static final int UDP_GRO = 104;

    // Per-NIC socket sets (io.meshwire.nic): multicast membership and hop limits, control truncation.
    public static final int IP_MULTICAST_IF = 32;
    public static final int IP_MULTICAST_LOOP = 34;
    public static final int IP_DROP_MEMBERSHIP = 36;
    public static final int IPV6_MULTICAST_IF = 17;
    public static final int IPV6_MULTICAST_HOPS = 18;
    public static final int IPV6_JOIN_GROUP = 20;
    public static final int IPV6_LEAVE_GROUP = 21;
    public static final int MSG_CTRUNC = 0x08;
    public static final int ENODEV = 19;
    public static final int EPIPE = 32;

    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;
    /** recvmmsg: block for the first message only, then return what is queued (man recvmmsg). */
    public static final int MSG_WAITFORONE = 0x10000;
    public static final int SHUT_RDWR = 2;
    /** poll(2) event: data to read (also reported, with POLLHUP, once the socket is shut down). */
    public static final short POLLIN = 0x1;
    /** poll(2) event: the descriptor is not open. */
    public static final short POLLNVAL = 0x20;
    /** {@code struct pollfd}: {@code int fd; short events; short revents;}. */
    public static final long POLLFD_LENGTH = 8;
    public static final long POLLFD_FD_OFFSET = 0;
    public static final long POLLFD_EVENTS_OFFSET = 4;
    public static final long POLLFD_REVENTS_OFFSET = 6;

    public static final int EPERM = 1;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EINVAL = 22;
    public static final int ENOTSOCK = 88;
    public static final int EMSGSIZE = 90;
    public static final int ENOPROTOOPT = 92;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETUNREACH = 101;
    public static final int ENOBUFS = 105;
    public static final int ENOTCONN = 107;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;

    // ---- layouts (LP64) ----
    /** {@code struct iovec}: base pointer, length. */
    public static final StructLayout IOVEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("iov_base"), JAVA_LONG.withName("iov_len"));
    /** {@code struct msghdr}: 56 bytes; pointers are written as longs so no segment object is made per call. */
    public static final StructLayout MSGHDR = MemoryLayout.structLayout(
            JAVA_LONG.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"), MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            JAVA_LONG.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"), MemoryLayout.paddingLayout(4));
    /** {@code struct mmsghdr}: a msghdr plus the byte count the kernel fills in; 64 bytes. */
    public static final StructLayout MMSGHDR = MemoryLayout.structLayout(
            MSGHDR.withName("msg_hdr"), JAVA_INT.withName("msg_len"), MemoryLayout.paddingLayout(4));

    public static final long IOVEC_SIZE = IOVEC.byteSize();
    public static final long IOV_BASE_OFFSET = 0;
    public static final long IOV_LEN_OFFSET = 8;
    public static final long MMSGHDR_SIZE = MMSGHDR.byteSize();
    public static final long MSG_NAME_OFFSET = 0;
    public static final long MSG_NAMELEN_OFFSET = 8;
    public static final long MSG_IOV_OFFSET = 16;
    public static final long MSG_IOVLEN_OFFSET = 24;
    public static final long MSG_CONTROL_OFFSET = 32;
    public static final long MSG_CONTROLLEN_OFFSET = 40;
    public static final long MSG_FLAGS_OFFSET = 48;
    public static final long MSG_LEN_OFFSET = 56;

    /** {@code struct cmsghdr}: {@code size_t cmsg_len; int cmsg_level; int cmsg_type;} then data at 16. */
    public static final long CMSG_LEN_OFFSET = 0;
    public static final long CMSG_LEVEL_OFFSET = 8;
    public static final long CMSG_TYPE_OFFSET = 12;
    public static final long CMSG_DATA_OFFSET = 16;

    /** Room for a {@code sockaddr_in6} (28 bytes) rounded up so slots stay 8-byte aligned. */
    public static final int SOCKADDR_STORAGE_LENGTH = 32;
    public static final int SOCKADDR_IN_LENGTH = 16;
    public static final int SOCKADDR_IN6_LENGTH = 28;

    /**
     * Allocates and links a receive vector of {@code count} messages over {@code data}: message {@code i}'s one
     * iovec covers the {@code slotSize} bytes at {@code data + i * slotSize}, its msg_name points at the
     * {@code i}-th {@link #SOCKADDR_STORAGE_LENGTH}-byte slot of {@code names} and its msg_control at the
     * {@code i}-th {@code controlLength}-byte slot of {@code control}. A null {@code names} or {@code control}
     * leaves that pointer NULL, so the kernel skips writing it (____sys_recvmsg). The value-result lengths
     * (msg_namelen, msg_controllen) stay 0: the caller sets them before each call.
     *
     * @return the {@code mmsghdr} array, allocated in {@code arena} with the iovecs
     */
    public static MemorySegment receiveVector(Arena arena, int count, MemorySegment data, int slotSize,
                                              MemorySegment names, MemorySegment control, int controlLength) {
        MemorySegment messages = arena.allocate(MMSGHDR_SIZE * count, 8);
        MemorySegment iovs = arena.allocate(IOVEC_SIZE * count, 8);
        for (int i = 0; i < count; i++) {
            long iov = IOVEC_SIZE * i;
            iovs.set(JAVA_LONG, iov + IOV_BASE_OFFSET, data.address() + (long) i * slotSize);
            iovs.set(JAVA_LONG, iov + IOV_LEN_OFFSET, slotSize);
            long m = MMSGHDR_SIZE * i;
            messages.set(JAVA_LONG, m + MSG_NAME_OFFSET,
                    names == null ? 0L : names.address() + (long) SOCKADDR_STORAGE_LENGTH * i);
            messages.set(JAVA_LONG, m + MSG_IOV_OFFSET, iovs.address() + iov);
            messages.set(JAVA_LONG, m + MSG_IOVLEN_OFFSET, 1L);
            messages.set(JAVA_LONG, m + MSG_CONTROL_OFFSET,
                    control == null ? 0L : control.address() + (long) controlLength * i);
        }
        return messages;
    }

    /** {@code CMSG_ALIGN}: control messages are padded to the size of {@code size_t}. */
    public static long cmsgAlign(long length) {
        return (length + 7) & ~7L;
    }

    /** {@code CMSG_SPACE(n)}: bytes a control message with {@code n} data bytes occupies. */
    public static long cmsgSpace(long dataLength) {
        return CMSG_DATA_OFFSET + cmsgAlign(dataLength);
    }

    /** {@code CMSG_LEN(n)}: the value of {@code cmsg_len} for {@code n} data bytes. */
    public static long cmsgLen(long dataLength) {
        return CMSG_DATA_OFFSET + dataLength;
    }

    private static final StructLayout CALL_STATE_LAYOUT;
    private static final VarHandle ERRNO;

    private static final MethodHandle SOCKET;
    private static final MethodHandle BIND;
    private static final MethodHandle CONNECT;
    private static final MethodHandle GETSOCKNAME;
    private static final MethodHandle SETSOCKOPT;
    private static final MethodHandle GETSOCKOPT;
    private static final MethodHandle RECVMMSG;
    private static final MethodHandle RECVMMSG_UNCAPTURED;
    private static final MethodHandle GETSOCKOPT_UNCAPTURED;
    private static final MethodHandle SENDMMSG;
    private static final MethodHandle SENDMSG;
    private static final MethodHandle SENDTO;
    private static final MethodHandle SHUTDOWN;
    private static final MethodHandle CLOSE;
    private static final MethodHandle POLL;
    private static final Throwable UNAVAILABLE_CAUSE;

    static {
        Downcalls libc = new Downcalls(platformProblem());
        CALL_STATE_LAYOUT = libc.callStateLayout();
        ERRNO = libc.errno();
        SOCKET = libc.find("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        BIND = libc.find("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        CONNECT = libc.find("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        GETSOCKNAME = libc.find("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        SETSOCKOPT = libc.find("setsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        GETSOCKOPT = libc.find("getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        RECVMMSG = libc.find("recvmmsg",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
        GETSOCKOPT_UNCAPTURED = libc.findUncaptured("getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        RECVMMSG_UNCAPTURED = libc.findUncaptured("recvmmsg",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
        SENDMMSG = libc.find("sendmmsg", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        SENDMSG = libc.find("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
        SENDTO = libc.find("sendto",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
        SHUTDOWN = libc.find("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        CLOSE = libc.find("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        POLL = libc.find("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
        UNAVAILABLE_CAUSE = libc.cause();
    }

    /** Why this platform cannot have these bindings, or {@code null}. */
    private static Throwable platformProblem() {
        if (!"Linux".equals(System.getProperty("os.name"))) {
            return new UnsupportedOperationException("not Linux: os.name=" + System.getProperty("os.name"));
        }
        String arch = System.getProperty("os.arch");
        if (!"amd64".equals(arch) && !"x86_64".equals(arch) && !"aarch64".equals(arch)) {
            return new UnsupportedOperationException("struct layouts are verified for x86-64 and aarch64 only, not "
                    + arch);
        }
        return null;
    }

    private LinuxSockets() {
    }

    /** True when the bindings loaded: Linux on x86-64 or aarch64, with native access granted. */
    public static boolean isSupported() {
        return UNAVAILABLE_CAUSE == null;
    }

    /** Why the bindings are unavailable, or {@code null} when they are available. */
    public static Throwable unavailableCause() {
        return UNAVAILABLE_CAUSE;
    }

    /** Allocates a segment the linker writes errno into; one per calling thread. */
    public static MemorySegment newCallState(Arena arena) {
        return arena.allocate(CALL_STATE_LAYOUT);
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** {@code r}, or {@code -errno} from {@code state} when the call failed; shared within this package. */
    static int result(int r, MemorySegment state) {
        return r >= 0 ? r : -errno(state);
    }

    /** {@code r}, or {@code -errno} from {@code state} when the call failed; shared within this package. */
    static long result(long r, MemorySegment state) {
        return r >= 0 ? r : -errno(state);
    }

    /** socket(2). */
    public static int socket(MemorySegment state, int domain, int type, int protocol) {
        try {
            return result((int) SOCKET.invokeExact(state, domain, type, protocol), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** bind(2). */
    public static int bind(MemorySegment state, int fd, MemorySegment addr, int addrLen) {
        try {
            return result((int) BIND.invokeExact(state, fd, addr, addrLen), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** connect(2). */
    public static int connect(MemorySegment state, int fd, MemorySegment addr, int addrLen) {
        try {
            return result((int) CONNECT.invokeExact(state, fd, addr, addrLen), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** getsockname(2); {@code addrLen} is an in/out int. */
    public static int getsockname(MemorySegment state, int fd, MemorySegment addr, MemorySegment addrLen) {
        try {
            return result((int) GETSOCKNAME.invokeExact(state, fd, addr, addrLen), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** setsockopt(2). */
    public static int setsockopt(MemorySegment state, int fd, int level, int name, MemorySegment value, int len) {
        try {
            return result((int) SETSOCKOPT.invokeExact(state, fd, level, name, value, len), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * getsockopt(2) without errno: 0 on success, -1 on failure with no cause. For hot-path reads whose failure
     * needs no reason (the caller treats the value as unknown): such a call skips the errno capture, whose
     * 40-byte slice per call C2 does not always remove (see {@link #recvmmsgUnconnected}).
     */
    public static int getsockoptWithoutErrno(int fd, int level, int name, MemorySegment value, MemorySegment len) {
        try {
            return (int) GETSOCKOPT_UNCAPTURED.invokeExact(fd, level, name, value, len) < 0 ? -1 : 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** getsockopt(2); {@code len} is an in/out int. */
    public static int getsockopt(MemorySegment state, int fd, int level, int name, MemorySegment value,
                                 MemorySegment len) {
        try {
            return result((int) GETSOCKOPT.invokeExact(state, fd, level, name, value, len), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** recvmmsg(2) with no timeout. */
    public static int recvmmsg(MemorySegment state, int fd, MemorySegment msgs, int vlen, int flags) {
        try {
            return result((int) RECVMMSG.invokeExact(state, fd, msgs, vlen, flags, MemorySegment.NULL), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * recvmmsg(2) on an unconnected socket, made without errno capture; only a failure asks again, with capture
     * and {@code MSG_DONTWAIT}. For waiting calls, and for non-waiting reads of a socket that is rarely empty (one
     * that epoll reported readable): a non-waiting call on an empty socket costs two system calls here.
     *
     * <p>Why: for every capturing call the FFM linker slices the call-state segment
     * ({@code SharedUtils.checkCaptureSegment}, 40 bytes), and whether C2 scalar-replaces that slice depends on
     * how it compiles the caller (measured: about 40 bytes per call in most JMH forks, none in others). A waiting
     * call returns data, or fails rarely; errno read after an uncaptured call is unreliable (the JVM may overwrite
     * it), so a failure repeats the call with capture instead, and that call's result is the socket's present
     * state: sticky errors (EBADF, ENOTSOCK, EFAULT, EINVAL) come back the same, data that arrived meanwhile is
     * returned, an empty socket gives EAGAIN again, and an EINTR becomes EAGAIN (both mean "try again"). Nothing
     * is lost on an unconnected UDP socket, which gets no one-shot error: ICMP errors reach it only with
     * {@code IP_RECVERR}. A connected socket does ({@code ECONNREFUSED} is consumed by the call that reports it),
     * so it must use {@link #recvmmsg}.
     */
    public static int recvmmsgUnconnected(MemorySegment state, int fd, MemorySegment msgs, int vlen, int flags) {
        int r;
        try {
            r = (int) RECVMMSG_UNCAPTURED.invokeExact(fd, msgs, vlen, flags, MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return r >= 0 ? r : recvmmsg(state, fd, msgs, vlen, (flags & ~MSG_WAITFORONE) | MSG_DONTWAIT);
    }

    /** sendmmsg(2). */
    public static int sendmmsg(MemorySegment state, int fd, MemorySegment msgs, int vlen, int flags) {
        try {
            return result((int) SENDMMSG.invokeExact(state, fd, msgs, vlen, flags), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** sendmsg(2). */
    public static long sendmsg(MemorySegment state, int fd, MemorySegment msg, int flags) {
        try {
            return result((long) SENDMSG.invokeExact(state, fd, msg, flags), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * sendto(2) with the payload given as a raw address, so a direct buffer needs no segment object;
     * {@code addr} may be {@link MemorySegment#NULL} on a connected socket.
     */
    public static long sendto(MemorySegment state, int fd, long buf, long len, int flags, MemorySegment addr,
                              int addrLen) {
        try {
            return result((long) SENDTO.invokeExact(state, fd, buf, len, flags, addr, addrLen), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** shutdown(2). */
    public static int shutdown(MemorySegment state, int fd, int how) {
        try {
            return result((int) SHUTDOWN.invokeExact(state, fd, how), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** close(2). */
    public static int close(MemorySegment state, int fd) {
        try {
            return result((int) CLOSE.invokeExact(state, fd), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * poll(2) on {@code nfds} {@code struct pollfd} entries; {@code timeoutMillis} -1 waits forever. Returns how
     * many entries have events, 0 on timeout.
     */
    public static int poll(MemorySegment state, MemorySegment fds, long nfds, int timeoutMillis) {
        try {
            return result((int) POLL.invokeExact(state, fds, nfds, timeoutMillis), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Symbolic name of an errno value, for messages ({@code "ECONNREFUSED (111)"}). */
    public static String errnoName(int errno) {
        int e = Math.abs(errno);
        String name = switch (e) {
            case EPERM -> "EPERM";
            case EINTR -> "EINTR";
            case EIO -> "EIO";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EINVAL -> "EINVAL";
            case ENOTSOCK -> "ENOTSOCK";
            case EMSGSIZE -> "EMSGSIZE";
            case ENOPROTOOPT -> "ENOPROTOOPT";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case EAFNOSUPPORT -> "EAFNOSUPPORT";
            case EADDRINUSE -> "EADDRINUSE";
            case EADDRNOTAVAIL -> "EADDRNOTAVAIL";
            case ENETUNREACH -> "ENETUNREACH";
            case ENOBUFS -> "ENOBUFS";
            case ENOTCONN -> "ENOTCONN";
            case ECONNREFUSED -> "ECONNREFUSED";
            case EHOSTUNREACH -> "EHOSTUNREACH";
            default -> "errno";
        };
        return name + " (" + e + ")";
    }

    /** Reads an {@code int} in host byte order. */
    public static int readInt(MemorySegment s, long offset) {
        return s.get(ValueLayout.JAVA_INT_UNALIGNED, offset);
    }
}
