package io.meshwire.transport;

import io.meshwire.transport.linux.LinuxSockets;
import io.meshwire.transport.linux.SockAddr;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A received datagram: a view of {@link #length()} bytes at {@link #offset()} in {@link #memory()}, valid until
 * {@link #release()} (or {@link #close()}). No bytes are copied and no object is made per datagram: views
 * belong to their receive batch and are reused once released, so keep no reference after release.
 *
 * <p>Not thread-safe; release may happen on any thread, once.
 */
public final class Datagram implements AutoCloseable {
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

    /** The memory holding this datagram (shared with the rest of its batch); read at {@link #offset()}. */
    public MemorySegment memory() {
        return batch.data;
    }

    /** Offset of the first byte in {@link #memory()}. */
    public int offset() {
        return batch.packetOffset[index];
    }

    /** Payload length in bytes. */
    public int length() {
        return batch.packetLength[index];
    }

    /** The byte at {@code i} (0-based within the datagram). */
    public byte getByte(int i) {
        if (i < 0 || i >= length()) {
            throw new IndexOutOfBoundsException("index " + i + " outside datagram of " + length() + " bytes");
        }
        return batch.data.get(ValueLayout.JAVA_BYTE, (long) offset() + i);
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

    /** Copies the payload into {@code dst} at its position, advancing it. */
    public void copyTo(ByteBuffer dst) {
        if (dst.remaining() < length()) {
            throw new IllegalArgumentException("dst has " + dst.remaining() + " bytes left, datagram needs " + length());
        }
        MemorySegment.copy(batch.data, offset(), MemorySegment.ofBuffer(dst), 0, length());
        dst.position(dst.position() + length());
    }

    /** Copies the payload into a new array (allocates; for tests and slow paths). */
    public byte[] toByteArray() {
        byte[] out = new byte[length()];
        MemorySegment.copy(batch.data, ValueLayout.JAVA_BYTE, offset(), out, 0, out.length);
        return out;
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
