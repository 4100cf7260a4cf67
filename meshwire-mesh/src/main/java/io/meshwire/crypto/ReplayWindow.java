package io.meshwire.crypto;

import io.meshwire.wire.DropReason;

/**
 * net-mesh's receive-side replay window (spec §2.5): 1024 counters as a 16 × u64 bitmap. A counter is accepted iff
 * it is within the window and not seen before; a forward jump of more than 1024 past the highest counter seen is
 * rejected (the peer must re-handshake), and u64::MAX always is. Callers check before decrypting and commit only
 * after the tag verified, so a forged packet never moves the window. Thread-safe; allocates nothing.
 */
public final class ReplayWindow {
    /** Window size in counters. */
    public static final int WINDOW = 1024;
    private static final int WORDS = WINDOW / 64;

    private final long[] bitmap = new long[WORDS];
    // Highest counter admitted so far, unsigned; the empty window behaves as "0 is the highest, none seen".
    private long highest;

    /** Creates an empty window. */
    public ReplayWindow() {
    }

    /**
     * Checks a counter without recording it.
     *
     * @param counter the AEAD counter from the header, u64
     * @return {@code null} if acceptable, else the reason to drop
     */
    public synchronized DropReason check(long counter) {
        return verdict(counter);
    }

    /**
     * Validates and records a counter in one step; call only after the packet authenticated.
     *
     * @param counter the AEAD counter, u64
     * @return {@code null} if admitted, else the reason to drop (nothing recorded)
     */
    public synchronized DropReason tryAdmit(long counter) {
        DropReason reason = verdict(counter);
        if (reason != null) {
            return reason;
        }
        if (Long.compareUnsigned(counter, highest) > 0) {
            long jump = counter - highest;
            if (jump >= WINDOW) {
                java.util.Arrays.fill(bitmap, 0L);
            } else {
                for (long c = highest + 1; c != counter; c++) {
                    clear(c);
                }
                clear(counter);
            }
            highest = counter;
        }
        int bit = (int) (counter & (WINDOW - 1));
        bitmap[bit >>> 6] |= 1L << (bit & 63);
        return null;
    }

    /** @return the highest counter admitted so far (0 before any), u64 */
    public synchronized long highest() {
        return highest;
    }

    private DropReason verdict(long counter) {
        if (counter == -1L) {
            return DropReason.COUNTER_OUT_OF_RANGE;
        }
        if (Long.compareUnsigned(counter, highest) > 0) {
            return Long.compareUnsigned(counter - highest, WINDOW) > 0 ? DropReason.COUNTER_OUT_OF_RANGE : null;
        }
        if (Long.compareUnsigned(highest - counter, WINDOW) >= 0) {
            return DropReason.REPLAYED;
        }
        int bit = (int) (counter & (WINDOW - 1));
        return (bitmap[bit >>> 6] & (1L << (bit & 63))) != 0 ? DropReason.REPLAYED : null;
    }

    private void clear(long counter) {
        int bit = (int) (counter & (WINDOW - 1));
        bitmap[bit >>> 6] &= ~(1L << (bit & 63));
    }
}
