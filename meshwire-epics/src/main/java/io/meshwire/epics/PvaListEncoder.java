package io.meshwire.epics;

/**
 * What the encoders of a PVA message ending in a u16-counted list share ({@link PvaSearchEncoder}: channels,
 * {@link PvaSearchResponseEncoder}: search instance ids): the subclass's {@code begin} writes the header and the
 * fixed fields and then {@link #startList()}; each entry is written only when {@link #hasRoom} says it fits; and
 * {@link #finish()} patches the count and the payload size. Reusable; allocates nothing.
 */
abstract sealed class PvaListEncoder permits PvaSearchEncoder, PvaSearchResponseEncoder {
    private static final int MAX_COUNT = 0xFFFF;

    final PvaOutput out = new PvaOutput();
    private long countAt;
    private int count;

    /** Writes the list's u16 count (patched by {@link #finish()}); entries follow it. */
    final void startList() {
        countAt = out.p;
        out.u16(0);
        count = 0;
    }

    /** True when one more entry of {@code length} bytes fits the datagram and the u16 count. */
    final boolean hasRoom(long length) {
        return count < MAX_COUNT && out.fits(length);
    }

    /** Counts the entry just written. */
    final void added() {
        count++;
    }

    /** Entries added so far. */
    public final int count() {
        return count;
    }

    /** Completes the message (count and payload size) and returns its total length in bytes. */
    public final int finish() {
        out.u16At(countAt, count);
        return out.finish();
    }
}
