package io.meshwire.transport;

import io.meshwire.transport.linux.LinuxSockets;
import io.meshwire.transport.linux.SockAddr;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A received datagram: a view of {@link #length()} bytes at {@link #offset()} in {@link #memory()}, valid until
 * {@link #release()} (or {@link #close()}). No bytes are copied and no object is made per datagram: views
 * belong to their receive batch and are reused once released, so keep no reference after release.
 *
 * <p>Not thread-safe; release may happen on any thread, once.
 */
public final class Datagram implements Payload, AutoCloseable {
    private final DatagramEndpoint owner;
    private final RecvBatch batch;
    private final int index;
    private ByteBuffer buffer;
    boolean armed;

    Datagram(DatagramEndpoint owner, RecvBatch batch, int index) {
        this.owner = owner;
        this.batch = batch;
        this.index = index;
    }

    @Override
    public MemorySegment memory() {
        return batch.data;
    }

    @Override
    public int offset() {
        return batch.packetOffset[index];
    }

    @Override
    public int length() {
        return batch.packetLength[index];
    }

    /**
     * A buffer over the batch memory whose position..limit is exactly the payload (position = {@link #offset()}).
     * The same buffer object is returned each time for this view, so this does not allocate after first use.
     */
    public ByteBuffer buffer() {
        ByteBuffer b = buffer;
        if (b == null) {
            b = batch.dataBuffer.duplicate();
            buffer = b;
        }
        int off = offset();
        b.limit(off + length()).position(off);
        return b;
    }

    /**
     * Source port, read without allocating.
     *
     * @throws IllegalStateException when the endpoint was configured without source addresses
     */
    public int sourcePort() {
        if (owner.sourceFromConfig) {
            return owner.knownSource().getPort();
        }
        int message = batch.packetMessage[index];
        if (batch.nioSources != null) {
            return batch.nioSources[message].getPort();
        }
        return SockAddr.port(batch.names, (long) message * LinuxSockets.SOCKADDR_STORAGE_LENGTH);
    }

    /**
     * Source address. Decoded addresses are cached per endpoint, so a steady set of peers costs no
     * allocation. A connected endpoint returns its peer.
     *
     * @throws IllegalStateException when the endpoint was configured without source addresses
     *                               ({@link EndpointConfig#sourceAddresses()} off and not connected)
     */
    public InetSocketAddress source() {
        if (owner.sourceFromConfig) {
            return owner.knownSource();
        }
        int message = batch.packetMessage[index];
        if (batch.nioSources != null) {
            return batch.nioSources[message];
        }
        return owner.sourceCache().source(batch.names,
                (long) message * LinuxSockets.SOCKADDR_STORAGE_LENGTH);
    }

    /** Returns this view to its batch; calling it again is harmless. */
    public void release() {
        if (armed) {
            armed = false;
            owner.release(batch);
        }
    }

    /** Same as {@link #release()}, for try-with-resources. */
    @Override
    public void close() {
        release();
    }

    @Override
    public String toString() {
        return "Datagram[" + length() + " bytes]";
    }
}
