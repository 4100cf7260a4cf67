package io.meshwire.epics;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Zero padding for the encoders, written in place. */
final class SegmentZeros {
    private SegmentZeros() {
    }

    /**
     * Writes {@code length} zero bytes at {@code offset}. Byte stores, not {@code asSlice(..).fill(0)}: the slice is
     * an object per call that only C2's escape analysis removes, and a JIT profile shaped by other callers (heap
     * and native segments) can keep it from doing so; the paddings here are a few bytes.
     */
    static void write(MemorySegment m, long offset, long length) {
        for (long i = 0; i < length; i++) {
            m.set(ValueLayout.JAVA_BYTE, offset + i, (byte) 0);
        }
    }
}
