package io.meshwire.transport.linux;

import io.meshwire.testing.NativeAssumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;

/** The receive call made without errno capture ({@link LinuxSockets#recvmmsgUnconnected}): errno and data. */
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
            int r = LinuxSockets.recvmmsgUnconnected(state, -1, msgs, 1, LinuxSockets.MSG_WAITFORONE);
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
                int r = LinuxSockets.recvmmsgUnconnected(state, fd, msgs, 1, LinuxSockets.MSG_WAITFORONE);
                assertThat(r).isEqualTo(-LinuxSockets.EAGAIN);
            } finally {
                LinuxSockets.close(state, fd);
            }
        }
    }

    @Test
    void shouldReadWhatIsQueuedAndThenEagainWhenANonWaitingReceiveGoesWithoutCapture() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LinuxSockets.newCallState(arena);
            MemorySegment data = arena.allocate(64);
            MemorySegment msgs = LinuxSockets.receiveVector(arena, 4, data, 16, MemorySegment.NULL, MemorySegment.NULL,
                    0);
            int fd = LinuxSockets.socket(state, LinuxSockets.AF_INET, LinuxSockets.SOCK_DGRAM
                    | LinuxSockets.SOCK_CLOEXEC, 0);
            assertThat(fd).isNotNegative();
            try (java.nio.channels.DatagramChannel peer = java.nio.channels.DatagramChannel.open()) {
                MemorySegment addr = arena.allocate(LinuxSockets.SOCKADDR_STORAGE_LENGTH, 8);
                int len = SockAddr.encode(new java.net.InetSocketAddress("127.0.0.1", 0), false, addr, 0);
                assertThat(LinuxSockets.bind(state, fd, addr, len)).isZero();
                MemorySegment addrLen = arena.allocate(java.lang.foreign.ValueLayout.JAVA_INT);
                addrLen.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, LinuxSockets.SOCKADDR_STORAGE_LENGTH);
                assertThat(LinuxSockets.getsockname(state, fd, addr, addrLen)).isZero();
                java.net.InetSocketAddress local = SockAddr.decode(addr, 0);
                assertThat(LinuxSockets.recvmmsgUnconnected(state, fd, msgs, 4, LinuxSockets.MSG_DONTWAIT))
                        .as("nothing queued yet").isEqualTo(-LinuxSockets.EAGAIN);
                peer.send(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}), local);
                peer.send(java.nio.ByteBuffer.wrap(new byte[] {4, 5}), local);
                int r = 0;
                for (int i = 0; i < 1_000 && r <= 0; i++) {
                    r = LinuxSockets.recvmmsgUnconnected(state, fd, msgs, 4, LinuxSockets.MSG_DONTWAIT);
                    if (r == -LinuxSockets.EAGAIN) {
                        Thread.sleep(1);
                    }
                }
                assertThat(r).as("datagrams read").isBetween(1, 2);
                assertThat(data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 1);
            } catch (java.io.IOException | InterruptedException e) {
                throw new AssertionError(e);
            } finally {
                LinuxSockets.close(state, fd);
            }
        }
    }
}
