package io.meshwire.mesh;

import io.meshwire.wire.DropReason;
import io.meshwire.wire.NetHeaderFlyweight;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One inbound stream: ordering, gap counting (fire-and-forget), reordering and NACKs (reliable), and the bounded
 * buffer that turns a slow consumer into backpressure. The node thread is the producer; in poll mode the polling
 * thread consumes from a single-producer single-consumer ring of whole packets, and the bytes it has consumed are
 * what the 0x0B00 grants return to the sender. Allocation free after construction (reorder slots grow to the
 * largest packet seen, once).
 */
final class RxStream {
    static final int REORDER_WINDOW = 64;
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long GRANT_REFRESH_ACTIVE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long GRANT_REFRESH_IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long ACTIVE_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long NACK_REPEAT_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /**
     * The least consumed wire bytes not yet granted that make the receive path send a grant at once instead of at
     * the next tick: without eager grants the sender's window turns over at most once per tick, which caps a stream
     * at window/tick (64 KiB per ms) and, on a busy host where ticks come late, far below. The threshold grows to a
     * quarter of the sender's window as estimated below (as Aeron's receivers send status at a quarter window), so
     * large windows cost few grants; 16 KiB keeps net-mesh's default 64 KiB window turning over in quarters.
     */
    static final long EAGER_GRANT_MIN_BYTES = 16 * 1024;

    private final MeshNode node;
    final Session session;
    final long streamId;
    final long peerNodeId;
    private final boolean inline;

    // node thread: ordering state
    private boolean modeKnown;
    private volatile boolean reliable;
    private long expected;
    /** Reliable: bit i set = sequence expected + i waits in a reorder slot. */
    private long stored;
    private byte[][] slotData;
    private ByteBuffer[] slotView;
    private int[] slotLength;
    private int[] slotEvents;
    private int[] slotWire;
    private int[] slotChannel;
    private long[] slotNanos;

    // poll mode ring: node thread produces, the poller consumes
    private final byte[] ring;
    private final ByteBuffer ringView;
    private final int ringCapacity;
    private final int entryMask;
    private final long[] entryStart;
    private final int[] entryLength;
    private final int[] entryEvents;
    private final int[] entryWire;
    private final long[] entrySeq;
    private final long[] entryNanos;
    private final int[] entryChannel;
    private volatile long entryHead;
    private volatile long entryTail;
    private long bytesTail;
    private volatile long bytesHead;
    final AtomicBoolean queued = new AtomicBoolean();
    // consumer-private cursor inside the head entry
    private boolean cursorStarted;
    private int cursorPosition;
    private int cursorRemaining;

    /** Wire bytes of fully consumed packets: the grant's total_consumed. */
    private volatile long consumedWire;
    /** One past the newest consumed sequence: the fire-and-forget grant's ack_seq. */
    private volatile long consumedSeqPlusOne;

    // node thread: grant and NACK state, counters
    private long lastGrantConsumed = -1;
    /** Wire bytes of the packets accepted (not duplicates): what the sender has had in flight, with the grants. */
    private long receivedWire;
    /**
     * The largest {@code receivedWire} beyond the last grant seen: a sender out of credit stops there, so this
     * approaches its window from below (the window is not on the wire).
     */
    private long windowEstimate;
    private long lastGrantAck = -1;
    private long lastGrantNanos;
    private long lastActivityNanos;
    private long lastNackNanos;
    private long lastNackExpected = -1;
    private long lastNackMissing;
    long packets;
    long events;
    long gaps;
    long duplicates;
    long resets;

    RxStream(MeshNode node, Session session, long streamId, boolean inline, int bufferBytes, long now) {
        this.node = node;
        this.session = session;
        this.streamId = streamId;
        this.peerNodeId = session.peer.nodeId;
        this.inline = inline;
        this.lastActivityNanos = now;
        if (inline) {
            ring = null;
            ringView = null;
            ringCapacity = 0;
            entryMask = 0;
            entryStart = null;
            entryLength = null;
            entryEvents = null;
            entryWire = null;
            entrySeq = null;
            entryNanos = null;
            entryChannel = null;
        } else {
            ring = new byte[bufferBytes];
            ringView = ByteBuffer.wrap(ring).asReadOnlyBuffer();
            ringCapacity = bufferBytes;
            // at most one entry per smallest packet's payload (one empty event: 4 bytes) plus slack
            int entries = Integer.highestOneBit(Math.max(64, bufferBytes / 16)) << 1;
            entryMask = entries - 1;
            entryStart = new long[entries];
            entryLength = new int[entries];
            entryEvents = new int[entries];
            entryWire = new int[entries];
            entrySeq = new long[entries];
            entryNanos = new long[entries];
            entryChannel = new int[entries];
        }
    }

    // ------------------------------------------------------------------------------------------------ producer

    /**
     * One authenticated data packet with validated frames.
     *
     * @param data the decrypted packet; the payload is at {@code offset}
     * @param view a read-only buffer over {@code data}
     */
    void onPacket(byte[] data, ByteBuffer view, int offset, int length, int eventCount, int wire, long seq,
                  int channelHash, boolean flaggedReliable, long now) {
        if (!modeKnown) {
            reliable = flaggedReliable;
            modeKnown = true;
        }
        lastActivityNanos = now;
        if (!reliable) {
            if (Long.compareUnsigned(seq, expected) < 0) {
                duplicates++;
                node.drops.drop(DropReason.DUPLICATE);
                return;
            }
            if (seq != expected) {
                long missing = seq - expected;
                gaps += missing;
                node.counters.gaps.add(missing);
            }
            expected = seq + 1;
            packets++;
            receivedWire += wire;
            if (!deliver(data, view, offset, length, eventCount, wire, seq, channelHash, now) && eventCount != 0) {
                // an empty packet (a sender's credit probe) that finds the buffer full loses nothing
                node.drops.drop(DropReason.INBOUND_FULL);
            }
            return;
        }
        long distance = seq - expected;
        if (Long.compareUnsigned(seq, expected) < 0) {
            duplicates++;
            node.drops.drop(DropReason.DUPLICATE);
            return;
        }
        if (Long.compareUnsigned(distance, REORDER_WINDOW) >= 0) {
            node.drops.drop(DropReason.OUT_OF_WINDOW);
            return;
        }
        if ((stored & (1L << distance)) != 0) {
            duplicates++;
            node.drops.drop(DropReason.DUPLICATE);
            return;
        }
        packets++;
        receivedWire += wire;
        if (distance == 0 && deliver(data, view, offset, length, eventCount, wire, seq, channelHash, now)) {
            expected++;
            stored >>>= 1;
            drainSlots();
            return;
        }
        // out of order, or in order while the buffer is full: keep it until it can be delivered
        keep(data, offset, length, eventCount, wire, seq, channelHash, now);
        stored |= 1L << distance;
    }

    private void keep(byte[] data, int offset, int length, int eventCount, int wire, long seq, int channelHash,
                      long now) {
        if (slotData == null) {
            slotData = new byte[REORDER_WINDOW][];
            slotView = new ByteBuffer[REORDER_WINDOW];
            slotLength = new int[REORDER_WINDOW];
            slotEvents = new int[REORDER_WINDOW];
            slotWire = new int[REORDER_WINDOW];
            slotChannel = new int[REORDER_WINDOW];
            slotNanos = new long[REORDER_WINDOW];
        }
        int s = (int) (seq & (REORDER_WINDOW - 1));
        if (slotData[s] == null || slotData[s].length < length) {
            slotData[s] = new byte[Math.max(length, 256)];
            slotView[s] = ByteBuffer.wrap(slotData[s]).asReadOnlyBuffer();
        }
        System.arraycopy(data, offset, slotData[s], 0, length);
        slotLength[s] = length;
        slotEvents[s] = eventCount;
        slotWire[s] = wire;
        slotChannel[s] = channelHash;
        slotNanos[s] = now;
    }

    /** Delivers the kept packets that are now in order, as far as the buffer allows. */
    private void drainSlots() {
        while ((stored & 1) != 0) {
            int s = (int) (expected & (REORDER_WINDOW - 1));
            if (!deliver(slotData[s], slotView[s], 0, slotLength[s], slotEvents[s], slotWire[s], expected,
                    slotChannel[s], slotNanos[s])) {
                return;
            }
            expected++;
            stored >>>= 1;
        }
    }

    private boolean deliver(byte[] data, ByteBuffer view, int offset, int length, int eventCount, int wire, long seq,
                            int channelHash, long nanos) {
        events += eventCount;
        if (inline) {
            node.deliverInline(this, data, view, offset, eventCount, seq, channelHash, reliable, nanos);
            consumedWire += wire;
            consumedSeqPlusOne = seq + 1;
            return true;
        }
        long head = entryHead;
        long tail = entryTail;
        if (tail - head > entryMask) {
            events -= eventCount;
            return false;
        }
        long t = bytesTail;
        int physical = (int) (t % ringCapacity);
        if (physical + length > ringCapacity) {
            t += ringCapacity - physical;
            physical = 0;
        }
        if (t + length - bytesHead > ringCapacity) {
            events -= eventCount;
            return false;
        }
        System.arraycopy(data, offset, ring, physical, length);
        int i = (int) (tail & entryMask);
        entryStart[i] = t;
        entryLength[i] = length;
        entryEvents[i] = eventCount;
        entryWire[i] = wire;
        entrySeq[i] = seq;
        entryNanos[i] = nanos;
        entryChannel[i] = channelHash;
        bytesTail = t + length;
        entryTail = tail + 1; // publishes the entry to the consumer
        if (queued.compareAndSet(false, true)) {
            node.markReady(this);
        }
        return true;
    }

    /** A 0x0B02 reset from the sender: forget the ordering state; a reopened stream starts at sequence 0. */
    void onReset() {
        resets++;
        expected = 0;
        stored = 0;
        modeKnown = false;
        lastNackExpected = -1;
    }

    /** After a packet: sends a grant now if enough consumed credit waits to be returned. */
    void grantIfDue(long now) {
        long granted = Math.max(0, lastGrantConsumed);
        long outstanding = receivedWire - granted;
        if (outstanding > windowEstimate) {
            windowEstimate = outstanding;
        }
        long consumed = consumedWire;
        if (consumed - granted >= Math.max(EAGER_GRANT_MIN_BYTES, windowEstimate >> 2)) {
            long ack = reliable ? expected : consumedSeqPlusOne;
            node.sendWindow(session, streamId, consumed, ack);
            lastGrantConsumed = consumed;
            lastGrantAck = ack;
            lastGrantNanos = now;
        }
    }

    /** Called every tick: retry kept packets, send grants and NACKs when due. */
    void maintain(long now) {
        if ((stored & 1) != 0) {
            drainSlots();
        }
        long consumed = consumedWire;
        long ack = reliable ? expected : consumedSeqPlusOne;
        boolean changed = consumed != lastGrantConsumed || ack != lastGrantAck;
        long refresh = now - lastActivityNanos < ACTIVE_NANOS ? GRANT_REFRESH_ACTIVE_NANOS : GRANT_REFRESH_IDLE_NANOS;
        if (changed || now - lastGrantNanos >= refresh) {
            node.sendWindow(session, streamId, consumed, ack);
            lastGrantConsumed = consumed;
            lastGrantAck = ack;
            lastGrantNanos = now;
        }
        if (reliable && stored != 0 && (stored & 1) == 0) {
            // NACK bitmap (stream_window.rs): bit i set = next_expected + 1 + i is missing, up to the newest kept
            long held = stored >>> 1;
            int highest = 63 - Long.numberOfLeadingZeros(held);
            long missing = ~held & ((1L << highest) - 1);
            if (expected != lastNackExpected || missing != lastNackMissing || now - lastNackNanos >= NACK_REPEAT_NANOS) {
                node.sendNack(session, streamId, expected, missing);
                lastNackExpected = expected;
                lastNackMissing = missing;
                lastNackNanos = now;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ consumer

    boolean hasData() {
        return entryHead < entryTail;
    }

    /** Poll mode: hands up to {@code max} events to {@code handler}. @return events delivered */
    int drain(EventHandler handler, MeshEvent event, int max) {
        int delivered = 0;
        long bytes = 0;
        long head = entryHead;
        long tail = entryTail;
        while (head < tail && delivered < max) {
            int i = (int) (head & entryMask);
            if (!cursorStarted) {
                cursorPosition = (int) (entryStart[i] % ringCapacity);
                cursorRemaining = entryEvents[i];
                cursorStarted = true;
            }
            event.set(peerNodeId, streamId, entryChannel[i], entrySeq[i], reliable, entryNanos[i]);
            while (cursorRemaining > 0 && delivered < max) {
                int length = (int) INT_LE.get(ring, cursorPosition);
                event.bytes(ringView, cursorPosition + 4, length);
                cursorPosition += 4 + length;
                cursorRemaining--;
                delivered++;
                bytes += length;
                node.invoke(handler, event);
            }
            if (cursorRemaining == 0) {
                cursorStarted = false;
                bytesHead = entryStart[i] + entryLength[i];
                consumedWire += entryWire[i];
                consumedSeqPlusOne = entrySeq[i] + 1;
                head++;
                entryHead = head;
            }
        }
        if (delivered > 0) {
            node.counters.eventsReceived.add(delivered);
            node.counters.eventBytesReceived.add(bytes);
        }
        return delivered;
    }

    InboundStats stats() {
        return new InboundStats(peerNodeId, streamId, reliable, packets, events, gaps, duplicates, expected,
                inline ? 0 : bytesTail - bytesHead, consumedWire, resets);
    }

    static int wireLength(int payloadLength) {
        return NetHeaderFlyweight.HEADER_LENGTH + payloadLength + NetHeaderFlyweight.TAG_LENGTH;
    }
}
