package io.meshwire.epics;

import java.lang.foreign.MemorySegment;

/**
 * The walk over the messages of one UDP datagram that {@link CaMessageFlyweight} and {@link PvaMessageFlyweight}
 * share: the bounds, the current message, and why a walk stopped early. Each protocol checks its own header in
 * {@link #checkHeader}; the walk checks that the header and the payload it announces lie inside the datagram. A
 * malformed message ends the walk with {@link #error()} set and never throws; nothing is copied or allocated.
 *
 * <p>Not thread-safe; one instance per receiving thread.
 */
abstract sealed class EpicsMessageFlyweight permits CaMessageFlyweight, PvaMessageFlyweight {
    private final int headerLength;
    private MemorySegment segment = MemorySegment.NULL;
    private long start;
    private long end;
    private long next;
    private long current;
    private int payloadSize;
    private EpicsDropReason error;

    EpicsMessageFlyweight(int headerLength) {
        this.headerLength = headerLength;
    }

    /** Points at a datagram of {@code length} bytes at {@code offset}; the first {@link #next()} reads message 1. */
    final void walk(MemorySegment segment, long offset, int length) {
        this.segment = segment;
        this.start = offset;
        this.next = offset;
        this.current = offset;
        this.end = offset + length;
        this.payloadSize = 0;
        this.error = null;
    }

    /**
     * Checks the protocol's header at {@code at} ({@code headerLength} bytes are there).
     *
     * @return the payload size the header announces, or -1 after {@link #reject} named the reason
     */
    abstract long checkHeader(long at);

    /** Ends the walk on a malformed header; returns -1 for {@link #checkHeader} to return. */
    final long reject(EpicsDropReason reason) {
        error = reason;
        return -1;
    }

    /**
     * Advances to the next message.
     *
     * @return true when positioned on a message whose header is valid and whose payload lies inside the datagram;
     *     false at the end of the datagram or on a malformed message ({@link #error()} non-null)
     */
    public final boolean next() {
        if (error != null || next >= end) {
            return false;
        }
        if (end - next < headerLength) {
            error = EpicsDropReason.TRUNCATED;
            return false;
        }
        long size = checkHeader(next);
        if (size < 0) {
            return false;
        }
        if (end - next - headerLength < size) {
            error = EpicsDropReason.TRUNCATED;
            return false;
        }
        current = next;
        payloadSize = (int) size;
        next = current + headerLength + size;
        return true;
    }

    /**
     * Ends a first, checking pass over the datagram: when it stopped on a malformed message, counts the reason in
     * {@code drops} and returns false; else goes back to before the first message for a second pass.
     */
    final boolean rewindIfWellFormed(EpicsDropCounters drops) {
        if (error != null) {
            return drops.drop(error);
        }
        next = start;
        current = start;
        payloadSize = 0;
        return true;
    }

    /** Why the walk stopped early, or null when it has not (or reached the end cleanly). */
    public final EpicsDropReason error() {
        return error;
    }

    /** The wrapped memory. */
    public final MemorySegment segment() {
        return segment;
    }

    /** Offset of the current message's header. */
    public final long messageOffset() {
        return current;
    }

    /** The current message's payload size. */
    public final int payloadSize() {
        return payloadSize;
    }

    /** Offset of the current message's payload. */
    public final long payloadOffset() {
        return current + headerLength;
    }
}
