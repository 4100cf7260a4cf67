package io.meshwire.transport;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

/**
 * Datagrams to send in one {@link DatagramEndpoint#sendBatch} call, stored back to back in native memory so
 * that a run of equal-size datagrams goes to the kernel as one UDP GSO super-datagram with no copy.
 *
 * <p>Allocate once and reuse with {@link #clear()}; nothing here allocates after construction. Write datagrams
 * by copying ({@link #add(ByteBuffer)}) or in place ({@link #claim(int)} then write into {@link #memory()}).
 * Not thread-safe. Close to free the memory (idempotent).
 */
public final class SendBatch implements AutoCloseable {
    private final Arena arena;
    private final MemorySegment memory;
    private final ByteBuffer view;
    private final int[] offsets;
    private final int[] lengths;
    private int count;
    private int used;
    private boolean closed;

    private SendBatch(int maxDatagrams, int capacityBytes) {
        if (maxDatagrams < 1) {
            throw new IllegalArgumentException("maxDatagrams must be at least 1: " + maxDatagrams);
        }
        if (capacityBytes < 1) {
            throw new IllegalArgumentException("capacityBytes must be at least 1: " + capacityBytes);
        }
        this.arena = Arena.ofShared();
        this.memory = arena.allocate(capacityBytes, 64);
        this.view = memory.asByteBuffer();
        this.offsets = new int[maxDatagrams];
        this.lengths = new int[maxDatagrams];
    }

    /**
     * A batch for up to {@code maxDatagrams} datagrams totalling {@code capacityBytes}.
     *
     * @throws IllegalArgumentException when either is below 1
     */
    public static SendBatch allocate(int maxDatagrams, int capacityBytes) {
        return new SendBatch(maxDatagrams, capacityBytes);
    }

    /**
     * Reserves {@code length} bytes for the next datagram and returns their offset in {@link #memory()}; the
     * caller writes the payload there before sending.
     *
     * @throws IllegalStateException when the batch is full; check {@link #hasRoomFor(int)} first
     */
    public int claim(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative: " + length);
        }
        if (!hasRoomFor(length)) {
            throw new IllegalStateException("batch full: " + count + "/" + offsets.length + " datagrams, "
                    + used + "/" + memory.byteSize() + " bytes; cannot add " + length + " bytes");
        }
        int offset = used;
        offsets[count] = offset;
        lengths[count] = length;
        count++;
        used += length;
        return offset;
    }

    /** Copies {@code src}'s remaining bytes in as the next datagram (its position is not moved). */
    public void add(ByteBuffer src) {
        int length = src.remaining();
        int offset = claim(length);
        MemorySegment.copy(MemorySegment.ofBuffer(src), 0, memory, offset, length);
    }

    /** Copies {@code length} bytes of {@code src} from {@code srcOffset} in as the next datagram. */
    public void add(byte[] src, int srcOffset, int length) {
        int offset = claim(length);
        MemorySegment.copy(src, srcOffset, memory, ValueLayout.JAVA_BYTE, offset, length);
    }

    /** Copies {@code src} in as the next datagram. */
    public void add(MemorySegment src) {
        int length = Math.toIntExact(src.byteSize());
        int offset = claim(length);
        MemorySegment.copy(src, 0, memory, offset, length);
    }

    /** True when one more datagram of {@code length} bytes fits. */
    public boolean hasRoomFor(int length) {
        return count < offsets.length && (long) used + length <= memory.byteSize();
    }

    /** The batch memory; datagram {@code i} is at {@link #offset(int)} for {@link #length(int)} bytes. */
    public MemorySegment memory() {
        return memory;
    }

    /** Offset of datagram {@code i}. */
    public int offset(int i) {
        return offsets[checkIndex(i)];
    }

    /** Length of datagram {@code i}. */
    public int length(int i) {
        return lengths[checkIndex(i)];
    }

    private int checkIndex(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("datagram " + i + " of " + count);
        }
        return i;
    }

    /** Datagrams in the batch. */
    public int size() {
        return count;
    }

    /** Bytes used. */
    public int bytes() {
        return used;
    }

    /** Most datagrams the batch holds. */
    public int maxDatagrams() {
        return offsets.length;
    }

    /** Empties the batch for reuse. */
    public void clear() {
        count = 0;
        used = 0;
    }

    // accessors for the backends, without index checks
    int offsetUnchecked(int i) {
        return offsets[i];
    }

    int lengthUnchecked(int i) {
        return lengths[i];
    }

    ByteBuffer view() {
        return view;
    }

    /** Frees the native memory; idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }
}
