package io.meshwire.mesh;

/**
 * The plaintext of a reliable stream's unacknowledged packets, kept to rebuild them with a fresh AEAD counter
 * (spec §2.5: a retransmission is a new packet, not a replay). Payloads sit back to back in one preallocated byte
 * ring, freed in sequence order as the cumulative ack advances; per-packet metadata sits in arrays indexed by
 * {@code seq & mask}. Allocation free; guarded by its stream's lock.
 */
final class RetransmitStore {
    private final byte[] data;
    private final int capacity;
    private final int slotLimit;
    private final int mask;
    private final long[] start;
    private final int[] length;
    private final int[] events;
    private final long[] firstSend;
    private final long[] lastSend;
    private final int[] retries;
    private final boolean[] retransmitted;
    private long headPosition;
    private long tailPosition;
    private long baseSeq;
    private long nextSeq;

    /**
     * @param slots most unacknowledged packets (rounded up to a power of two internally; the limit stays exact)
     * @param capacityBytes payload bytes kept
     */
    RetransmitStore(int slots, int capacityBytes) {
        int size = Integer.highestOneBit(Math.max(1, slots - 1)) << 1;
        this.slotLimit = slots;
        this.mask = size - 1;
        this.data = new byte[capacityBytes];
        this.capacity = capacityBytes;
        this.start = new long[size];
        this.length = new int[size];
        this.events = new int[size];
        this.firstSend = new long[size];
        this.lastSend = new long[size];
        this.retries = new int[size];
        this.retransmitted = new boolean[size];
    }

    /** @return whether one more packet of {@code payloadLength} bytes fits */
    boolean canAdd(int payloadLength) {
        if (nextSeq - baseSeq >= slotLimit) {
            return false;
        }
        return placement(payloadLength) + payloadLength - headPosition <= capacity;
    }

    private long placement(int payloadLength) {
        long t = tailPosition;
        int physical = (int) (t % capacity);
        if (physical + payloadLength > capacity) {
            t += capacity - physical; // skip the ring's tail end so a payload is never split
        }
        return t;
    }

    /** Records packet {@code seq} (must be the next one); call only after {@link #canAdd}. */
    void add(long seq, byte[] src, int srcOffset, int payloadLength, int eventCount, long now) {
        if (seq != nextSeq) {
            throw new IllegalStateException("retransmit store expected sequence " + nextSeq + ", got " + seq);
        }
        long t = placement(payloadLength);
        System.arraycopy(src, srcOffset, data, (int) (t % capacity), payloadLength);
        int i = (int) (seq & mask);
        start[i] = t;
        length[i] = payloadLength;
        events[i] = eventCount;
        firstSend[i] = now;
        lastSend[i] = now;
        retries[i] = 0;
        retransmitted[i] = false;
        tailPosition = t + payloadLength;
        nextSeq++;
    }

    /**
     * Forgets every packet below {@code ackSeq} (the receiver's next_expected).
     *
     * @return a round-trip sample in nanoseconds from the newest freed packet that was never retransmitted
     *     (Karn's rule), or -1
     */
    long ackBelow(long ackSeq, long now) {
        long limit = Math.min(ackSeq, nextSeq);
        long sample = -1;
        while (baseSeq < limit) {
            int i = (int) (baseSeq & mask);
            if (!retransmitted[i]) {
                sample = now - firstSend[i];
            }
            baseSeq++;
        }
        headPosition = baseSeq < nextSeq ? start[(int) (baseSeq & mask)] : tailPosition;
        return sample;
    }

    boolean contains(long seq) {
        return seq >= baseSeq && seq < nextSeq;
    }

    long baseSeq() {
        return baseSeq;
    }

    long nextSeq() {
        return nextSeq;
    }

    int unacked() {
        return (int) (nextSeq - baseSeq);
    }

    int slot(long seq) {
        return (int) (seq & mask);
    }

    byte[] data() {
        return data;
    }

    int dataOffset(int slot) {
        return (int) (start[slot] % capacity);
    }

    int length(int slot) {
        return length[slot];
    }

    int events(int slot) {
        return events[slot];
    }

    long lastSend(int slot) {
        return lastSend[slot];
    }

    /** Marks a retransmission. @return the retries so far, including this one */
    int retransmitted(int slot, long now) {
        retransmitted[slot] = true;
        lastSend[slot] = now;
        return ++retries[slot];
    }

    void clear() {
        baseSeq = nextSeq;
        headPosition = tailPosition;
    }
}
