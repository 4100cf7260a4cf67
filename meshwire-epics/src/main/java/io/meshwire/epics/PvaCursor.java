package io.meshwire.epics;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A bounds-checked reader over one PVA payload in its own byte order. Reads past the end never throw: they return
 * 0 and latch {@link #ok()} to false, so a parser reads its fields and checks once (pvxs {@code FixedBuf::good}).
 */
final class PvaCursor {
    /** Size byte meaning "a 32-bit size follows". */
    static final int SIZE_EXTENDED = 0xFE;
    /** Size byte meaning null (-1). */
    static final int SIZE_NULL = 0xFF;

    private MemorySegment segment = MemorySegment.NULL;
    private long position;
    private long end;
    private boolean bigEndian;
    private boolean ok;

    void wrap(MemorySegment segment, long offset, long end, boolean bigEndian) {
        this.segment = segment;
        this.position = offset;
        this.end = end;
        this.bigEndian = bigEndian;
        this.ok = offset <= end;
    }

    boolean ok() {
        return ok;
    }

    long position() {
        return position;
    }

    void position(long p) {
        position = p;
    }

    long remaining() {
        return ok ? end - position : 0;
    }

    boolean bigEndian() {
        return bigEndian;
    }

    MemorySegment segment() {
        return segment;
    }

    private boolean need(long n) {
        if (!ok || end - position < n) {
            ok = false;
            return false;
        }
        return true;
    }

    /** Skips {@code n} bytes, returning the offset they started at. */
    long skip(long n) {
        long at = position;
        if (n < 0 || !need(n)) {
            ok = false;
            return at;
        }
        position += n;
        return at;
    }

    int u8() {
        if (!need(1)) {
            return 0;
        }
        return Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, position++));
    }

    int u16() {
        if (!need(2)) {
            return 0;
        }
        int v = Short.toUnsignedInt(segment.get(PvaProtocol.u16Layout(bigEndian), position));
        position += 2;
        return v;
    }

    int i32() {
        if (!need(4)) {
            return 0;
        }
        int v = segment.get(PvaProtocol.i32Layout(bigEndian), position);
        position += 4;
        return v;
    }

    /**
     * A PVA size: one byte below 254, or 254 and an i32. Returns -1 for the null size (255); a negative or
     * truncated size latches {@link #ok()} false.
     */
    int size() {
        int b = u8();
        if (b == SIZE_NULL) {
            return -1;
        }
        if (b == SIZE_EXTENDED) {
            int v = i32();
            if (v < 0) {
                ok = false;
                return 0;
            }
            return v;
        }
        return b;
    }

    /** A string's length (its bytes start at {@link #position()}); -1 for a null string; checks the bytes exist. */
    int stringLength() {
        int n = size();
        if (n > 0 && !need(n)) {
            return 0;
        }
        return n;
    }

    /** True when the next {@code length} bytes equal the ASCII text {@code s} (no bounds latching). */
    boolean startsWith(String s, int length) {
        if (!ok || length != s.length() || end - position < length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (segment.get(ValueLayout.JAVA_BYTE, position + i) != (byte) s.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
