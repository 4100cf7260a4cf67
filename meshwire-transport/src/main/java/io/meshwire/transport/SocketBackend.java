package io.meshwire.transport;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * What a backend supplies to {@link DatagramEndpoint}: a bound socket, a receive call that fills a
 * {@link RecvBatch}, and the send calls. The endpoint owns threading, queueing and the public contract.
 */
sealed interface SocketBackend extends AutoCloseable permits NativeSocket, NioSocket {

    /** Receive result: the socket was shut down while the receive thread waited. */
    int CLOSED = Integer.MIN_VALUE;

    Backend kind();

    SocketInfo info();

    /** Allocates a receive batch shaped for this backend. */
    RecvBatch newBatch(Arena arena, int messages, int slotSize);

    /**
     * Fills {@code batch} with what is queued, up to its capacity. With {@code wait} it first blocks until at
     * least one datagram arrived; without, it returns {@code -EAGAIN} at once when none is there. Returns the
     * messages received (the batch's packet count may differ with GRO or truncation), {@link #CLOSED}, or
     * {@code -errno}. One thread at a time calls it (the receive thread, or the consumer in inline mode).
     */
    int receive(RecvBatch batch, ReceiveCounters counters, boolean wait);

    /**
     * Waits up to {@code timeoutNanos} for the socket to become readable. Returns a positive number when it may
     * be (a receive should follow), 0 on timeout, {@link #CLOSED}, or {@code -errno}. Same thread rule as
     * {@link #receive}.
     */
    int awaitReadable(long timeoutNanos);

    /**
     * Datagrams the kernel dropped on this socket for lack of receive buffer since it was created, or -1 when the
     * backend cannot tell (NIO) or the socket is closed. Any thread; a syscall, so not for the hot path.
     */
    long kernelDrops();

    /** Makes a blocked {@link #receive} or {@link #awaitReadable} return promptly; used by close. */
    void wakeupReceiver();

    /**
     * Sends {@code length} bytes from {@code src} (position is not moved).
     *
     * @param dest     destination, or {@code null} on a connected socket
     * @param dontWait return -EAGAIN instead of blocking when the send buffer is full
     * @return bytes sent, or {@code -errno}
     */
    long send(ByteBuffer src, InetSocketAddress dest, boolean dontWait, SendCounters counters) throws IOException;

    /** Sends every datagram of {@code batch}; returns how many went, or {@code -errno} if none did. */
    long sendBatch(SendBatch batch, InetSocketAddress dest, SendCounters counters) throws IOException;

    /** Closes the socket; idempotent. */
    @Override
    void close();
}
