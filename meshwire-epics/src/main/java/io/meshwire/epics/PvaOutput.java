package io.meshwire.epics;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Writes PVA fields in one byte order; bounds are the caller's (an overrun throws, a caller bug). A message is
 * {@link #begin begun} with its header and {@link #finish finished} by patching its payload size.
 */
final class PvaOutput {
    MemorySegment m = MemorySegment.NULL;
    long p;
    boolean bigEndian;
    private long start;
    private long limit;
    private long sizeAt;

    private void wrap(MemorySegment m, long offset, boolean bigEndian) {
        this.m = m;
        this.p = offset;
        this.bigEndian = bigEndian;
    }

    void u8(int v) {
        m.set(ValueLayout.JAVA_BYTE, p++, (byte) v);
    }

    void u16(int v) {
        m.set(PvaProtocol.u16Layout(bigEndian), p, (short) v);
        p += 2;
    }

    void i32(int v) {
        m.set(PvaProtocol.i32Layout(bigEndian), p, v);
        p += 4;
    }

    void i32At(long at, int v) {
        m.set(PvaProtocol.i32Layout(bigEndian), at, v);
    }

    void u16At(long at, int v) {
        m.set(PvaProtocol.u16Layout(bigEndian), at, (short) v);
    }

    /** A PVA size: one byte below 254, else 254 and an i32. */
    void size(int n) {
        if (n < PvaCursor.SIZE_EXTENDED) {
            u8(n);
        } else {
            u8(PvaCursor.SIZE_EXTENDED);
            i32(n);
        }
    }

    static int sizeLength(int n) {
        return n < PvaCursor.SIZE_EXTENDED ? 1 : 5;
    }

    void bytes(byte[] b) {
        MemorySegment.copy(b, 0, m, ValueLayout.JAVA_BYTE, p, b.length);
        p += b.length;
    }

    void bytes(MemorySegment src, long offset, int length) {
        MemorySegment.copy(src, offset, m, p, length);
        p += length;
    }

    void ascii(String s) {
        size(s.length());
        for (int i = 0; i < s.length(); i++) {
            u8(s.charAt(i));
        }
    }

    void zeros(int n) {
        SegmentZeros.write(m, p, n);
        p += n;
    }

    /** Writes a header; returns the offset of its payload size field (patched by the caller). */
    private long header(int flags, int command) {
        u8(PvaProtocol.MAGIC);
        u8(PvaProtocol.VERSION);
        u8(flags | (bigEndian ? PvaProtocol.FLAG_BIG_ENDIAN : 0));
        u8(command);
        long sizeAt = p;
        i32(0);
        return sizeAt;
    }

    /** Starts a message at {@code offset}, at most {@code capacity} bytes long, with its header. */
    void begin(MemorySegment m, long offset, int capacity, boolean bigEndian, int flags, int command) {
        wrap(m, offset, bigEndian);
        start = offset;
        limit = offset + capacity;
        sizeAt = header(flags, command);
    }

    /** True when {@code n} more bytes fit the message's capacity. */
    boolean fits(long n) {
        return p + n <= limit;
    }

    /** Patches the payload size; returns the message's length. */
    int finish() {
        int total = (int) (p - start);
        i32At(sizeAt, total - PvaProtocol.HEADER_LENGTH);
        return total;
    }
}
