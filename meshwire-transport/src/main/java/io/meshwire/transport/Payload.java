package io.meshwire.transport;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

/**
 * A received payload: {@link #length()} bytes at {@link #offset()} in {@link #memory()}, the native memory of the
 * receive batch it came in. What an endpoint's {@link Datagram} and a NIC set's
 * {@link io.meshwire.nic.NicDatagram} share, so code that only reads payloads serves both. Valid as long as the view
 * it is (see each for how long).
 */
public interface Payload {

    /** The memory holding the payload (shared with the rest of its batch); read at {@link #offset()}. */
    MemorySegment memory();

    /** Offset of the first payload byte in {@link #memory()}. */
    int offset();

    /** Payload length in bytes. */
    int length();

    /**
     * The payload byte at {@code i}.
     *
     * @param i 0-based index within the payload
     * @return the byte
     * @throws IndexOutOfBoundsException if {@code i} is outside the payload
     */
    default byte getByte(int i) {
        int length = length();
        if (i < 0 || i >= length) {
            throw new IndexOutOfBoundsException("index " + i + " outside datagram of " + length + " bytes");
        }
        return memory().get(ValueLayout.JAVA_BYTE, (long) offset() + i);
    }

    /**
     * Copies the payload into {@code dst} at its position, advancing it.
     *
     * @param dst the target
     * @throws IllegalArgumentException if {@code dst} has less room than the payload
     */
    default void copyTo(ByteBuffer dst) {
        int length = length();
        if (dst.remaining() < length) {
            throw new IllegalArgumentException("dst has " + dst.remaining() + " bytes left, datagram needs " + length);
        }
        MemorySegment.copy(memory(), offset(), MemorySegment.ofBuffer(dst), 0, length);
        dst.position(dst.position() + length);
    }

    /**
     * Copies the payload into a new array (allocates; for tests and slow paths).
     *
     * @return the payload bytes
     */
    default byte[] toByteArray() {
        byte[] out = new byte[length()];
        MemorySegment.copy(memory(), ValueLayout.JAVA_BYTE, offset(), out, 0, out.length);
        return out;
    }
}
