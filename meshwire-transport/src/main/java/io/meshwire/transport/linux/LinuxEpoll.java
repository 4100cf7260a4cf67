package io.meshwire.transport.linux;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.meshwire.transport.linux.Downcalls.rethrow;
import static io.meshwire.transport.linux.LinuxSockets.result;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * FFM bindings to epoll and eventfd, for a receive thread that waits on many sockets at once: epoll_create1,
 * epoll_ctl, epoll_wait, eventfd, read, write.
 *
 * <p>Internal API, same conventions as {@link LinuxSockets}: every call returns its non-negative result or
 * {@code -errno}, with errno captured into a per-thread segment from {@link LinuxSockets#newCallState}.
 */
public final class LinuxEpoll {

    public static final int EPOLL_CLOEXEC = 0x80000;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;
    public static final int EPOLLIN = 0x001;
    public static final int EPOLLERR = 0x008;
    public static final int EPOLLHUP = 0x010;

    public static final int EFD_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;

    /**
     * {@code struct epoll_event}: {@code uint32_t events; epoll_data_t data;}. x86-64 declares it
     * {@code __attribute__((packed))} (sys/epoll.h, {@code __EPOLL_PACKED}), so it is 12 bytes with the data at
     * offset 4; every other architecture, aarch64 included, pads it to 16 with the data at offset 8.
     */
    public static final long EPOLL_EVENT_LENGTH;
    /** Offset of {@code data} (a 64-bit user value) within {@code struct epoll_event}. */
    public static final long EPOLL_DATA_OFFSET;
    public static final long EPOLL_EVENTS_OFFSET = 0;

    private static final MethodHandle EPOLL_CREATE1;
    private static final MethodHandle EPOLL_CTL;
    private static final MethodHandle EPOLL_WAIT;
    private static final MethodHandle EPOLL_WAIT_UNCAPTURED;
    private static final MethodHandle EVENTFD;
    private static final MethodHandle READ;
    private static final MethodHandle WRITE;
    private static final Throwable UNAVAILABLE_CAUSE;

    static {
        String arch = System.getProperty("os.arch");
        boolean packed = "amd64".equals(arch) || "x86_64".equals(arch);
        EPOLL_EVENT_LENGTH = packed ? 12 : 16;
        EPOLL_DATA_OFFSET = packed ? 4 : 8;
        Downcalls libc = new Downcalls(LinuxSockets.isSupported() ? null
                : new UnsupportedOperationException("socket bindings unavailable", LinuxSockets.unavailableCause()));
        EPOLL_CREATE1 = libc.find("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        EPOLL_CTL = libc.find("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
        EPOLL_WAIT = libc.find("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        EPOLL_WAIT_UNCAPTURED = libc.findUncaptured("epoll_wait",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        EVENTFD = libc.find("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        READ = libc.find("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
        WRITE = libc.find("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
        UNAVAILABLE_CAUSE = libc.cause();
    }

    private LinuxEpoll() {
    }

    /** True when the bindings loaded (Linux x86-64 or aarch64 with native access granted). */
    public static boolean isSupported() {
        return UNAVAILABLE_CAUSE == null;
    }

    /** Why the bindings are unavailable, or {@code null}. */
    public static Throwable unavailableCause() {
        return UNAVAILABLE_CAUSE;
    }

    /** epoll_create1(2). */
    public static int epollCreate1(MemorySegment state, int flags) {
        try {
            return result((int) EPOLL_CREATE1.invokeExact(state, flags), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** epoll_ctl(2); {@code event} may be {@link MemorySegment#NULL} for {@link #EPOLL_CTL_DEL}. */
    public static int epollCtl(MemorySegment state, int epfd, int op, int fd, MemorySegment event) {
        try {
            return result((int) EPOLL_CTL.invokeExact(state, epfd, op, fd, event), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * epoll_wait(2); {@code timeoutMillis} -1 waits without limit, 0 not at all.
     *
     * <p>The call itself captures no errno: a capturing downcall slices a 40-byte segment per call, which only C2's
     * escape analysis removes, and whether it does depends on the caller's compiled shape (a consumer polling an
     * idle set with timeout 0 was seen allocating it on every call). Only a failure needs errno, so a failed call is
     * made again, capturing and without waiting: a persistent error (EBADF, EINVAL) fails again with its errno; after
     * a transient one (EINTR) the retry returns what is ready now, which callers treat like an early timeout.
     */
    public static int epollWait(MemorySegment state, int epfd, MemorySegment events, int maxEvents,
                                int timeoutMillis) {
        try {
            int n = (int) EPOLL_WAIT_UNCAPTURED.invokeExact(epfd, events, maxEvents, timeoutMillis);
            if (n >= 0) {
                return n;
            }
            return result((int) EPOLL_WAIT.invokeExact(state, epfd, events, maxEvents, 0), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** eventfd(2). */
    public static int eventfd(MemorySegment state, int initval, int flags) {
        try {
            return result((int) EVENTFD.invokeExact(state, initval, flags), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** read(2). */
    public static long read(MemorySegment state, int fd, MemorySegment buf, long count) {
        try {
            return result((long) READ.invokeExact(state, fd, buf, count), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** write(2). */
    public static long write(MemorySegment state, int fd, MemorySegment buf, long count) {
        try {
            return result((long) WRITE.invokeExact(state, fd, buf, count), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
