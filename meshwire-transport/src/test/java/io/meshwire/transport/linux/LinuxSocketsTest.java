package io.meshwire.transport.linux;

import io.meshwire.testing.NativeAssumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;

/** The errno handling of the receive call made without errno capture ({@link LinuxSockets#recvmmsgWaiting}). */
@Timeout(10)
class LinuxSocketsTest {
    /** socket(2)'s SOCK_NONBLOCK (O_NONBLOCK) on Linux x86-64 and aarch64; the library itself never needs it. */
    private static final int SOCK_NONBLOCK = 0x800;

    @BeforeAll
    static void requireNative() {
        NativeAssumptions.requireNativeBackend();
    }

    @Test
    void shouldReturnTheCapturedErrnoWhenAWaitingReceiveFails() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LinuxSockets.newCallState(arena);
            MemorySegment msgs = arena.allocate(LinuxSockets.MMSGHDR_SIZE, 8);
            // fd -1 is never open: the uncaptured call fails, and the repeated, capturing call names why
            int r = LinuxSockets.recvmmsgWaiting(state, -1, msgs, 1, LinuxSockets.MSG_WAITFORONE);
            assertThat(r).isEqualTo(-LinuxSockets.EBADF);
        }
    }

    @Test
    void shouldReturnEagainWhenAWaitingReceiveOnAnEmptySocketIsRepeatedWithoutWaiting() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LinuxSockets.newCallState(arena);
            MemorySegment msgs = arena.allocate(LinuxSockets.MMSGHDR_SIZE, 8);
            int fd = LinuxSockets.socket(state, LinuxSockets.AF_INET, LinuxSockets.SOCK_DGRAM | SOCK_NONBLOCK
                    | LinuxSockets.SOCK_CLOEXEC, 0);
            assertThat(fd).isNotNegative();
            try {
                // a non-blocking socket with nothing queued fails even a waiting call, with EAGAIN
                int r = LinuxSockets.recvmmsgWaiting(state, fd, msgs, 1, LinuxSockets.MSG_WAITFORONE);
                assertThat(r).isEqualTo(-LinuxSockets.EAGAIN);
            } finally {
                LinuxSockets.close(state, fd);
            }
        }
    }
}
