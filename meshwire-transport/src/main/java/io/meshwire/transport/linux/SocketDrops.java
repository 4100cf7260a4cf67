package io.meshwire.transport.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Reads a socket's kernel drop count ({@code sk_drops}: datagrams lost for lack of receive buffer, the count
 * {@code SO_RXQ_OVFL} reports per datagram) with one {@code getsockopt(SO_MEMINFO)}. It owns its output memory, so
 * one thread at a time may use an instance.
 */
public final class SocketDrops {
    private final MemorySegment memInfo;
    private final MemorySegment length;

    /** Allocates the output memory from {@code arena}. */
    public SocketDrops(Arena arena) {
        this.memInfo = arena.allocate(4L * LinuxSockets.SK_MEMINFO_VARS, 8);
        this.length = arena.allocate(ValueLayout.JAVA_INT);
    }

    /**
     * The running count of {@code fd} (u32, wraps), or -1 when unknown: the call failed, or the kernel is older
     * than 4.12. Made without errno capture: a failure needs no reason here, and the capture would cost a
     * 40-byte slice per call that C2 does not always remove (see {@link LinuxSockets#recvmmsgUnconnected}).
     */
    public long read(int fd) {
        length.set(ValueLayout.JAVA_INT, 0, (int) memInfo.byteSize());
        int r = LinuxSockets.getsockoptWithoutErrno(fd, LinuxSockets.SOL_SOCKET, LinuxSockets.SO_MEMINFO, memInfo,
                length);
        if (r < 0 || length.get(ValueLayout.JAVA_INT, 0) < 4 * (LinuxSockets.SK_MEMINFO_DROPS + 1)) {
            return -1;
        }
        return Integer.toUnsignedLong(memInfo.get(ValueLayout.JAVA_INT, 4L * LinuxSockets.SK_MEMINFO_DROPS));
    }
}
