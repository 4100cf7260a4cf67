package io.meshwire.mesh;

import io.meshwire.crypto.PacketProtector;
import io.meshwire.transport.SendBatch;
import io.meshwire.wire.DropReason;
import io.meshwire.wire.EventFramePacker;
import io.meshwire.wire.NetHeaderFlyweight;
import io.meshwire.wire.PacketFlags;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One outbound stream to a peer, inside the current session (spec §4.7): its own sequence numbers, events packed
 * greedily into packets (up to 8108 payload bytes), order kept. Get one with {@link MeshNode#openStream}.
 *
 * <h2>Backpressure</h2>
 * Every packet is charged its wire size against the stream's credit window; the receiver returns credit with
 * 0x0B00 grants as its application consumes. A send that would exceed the window, or (reliable) the retransmit
 * window, is refused with {@link SendResult#BACKPRESSURE} (or a short count for a batch): nothing is dropped
 * silently, and the caller keeps the events it was not given. The {@code send} variants wait for credit up to a
 * deadline.
 *
 * <h2>Reliability</h2>
 * Reliable streams keep each packet's plaintext until the receiver's cumulative ack passes it, resend on NACK
 * (0x0B01) and on RTO (RFC 6298: srtt/rttvar, RTO clamped to [10 ms, 2 s], initial 50 ms, doubled on expiry), and
 * after {@link StreamConfig#maxRetries()} resends of one packet reset the stream (0x0B02).
 *
 * <h2>Fire-and-forget credit and lost tails</h2>
 * A fire-and-forget packet below the receiver's consumed sequence no longer holds credit, whether it was consumed or
 * lost. Packets lost after the last one the receiver saw would hold theirs for good, and a stream whose window they
 * fill would stall. So when credit has been in use for a probe interval without any grant freeing some (50 ms,
 * doubled up to 1 s while nothing moves), the stream sends one empty packet (no events) outside the window. The
 * receiver counts the lost packets as a gap, consumes the probe and its grant frees their credit. A slow consumer
 * still exerts backpressure: the probe waits behind the events it has not consumed.
 *
 * <p>Thread-safe: sends are serialized per stream; different streams send in parallel. The stream ends
 * ({@link SendResult#CLOSED}) when reset, closed, or when its session ends (peer failed, re-handshake, node closed).
 */
public final class MeshStream {
    private static final int HEADER = NetHeaderFlyweight.HEADER_LENGTH;
    private static final int TAG = NetHeaderFlyweight.TAG_LENGTH;
    private static final int FRAME = EventFramePacker.FRAME_LENGTH_LENGTH;
    private static final int MAX_PAYLOAD = NetHeaderFlyweight.MAX_PAYLOAD_LENGTH;
    private static final long INITIAL_RTO_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long MIN_RTO_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_RTO_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long CLOCK_GRANULARITY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MIN_NACK_RESEND_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final long INITIAL_PROBE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long MAX_PROBE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final MeshNode node;
    final Session session;
    private final long streamId;
    private final StreamConfig config;
    private final int channelHash;
    private final boolean reliable;
    private final int window;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition creditChanged = lock.newCondition();
    private final PacketProtector sealer;
    private final byte[] staging = new byte[NetHeaderFlyweight.MAX_PACKET_LENGTH];
    private final ByteBuffer stagingBuffer = ByteBuffer.wrap(staging);
    private final NetHeaderFlyweight header = new NetHeaderFlyweight().wrap(stagingBuffer, 0);
    private final EventFramePacker packer = new EventFramePacker();
    private final RetransmitStore store;
    // fire-and-forget credit: cumulative wire bytes sent after each sequence, for the receiver's consumed-seq acks
    private final long[] sentAfter;
    private final int sentAfterMask;
    private volatile boolean open = true;

    // guarded by lock
    private long nextSeq;
    private long sentWire;
    private long peerConsumed;
    private long peerAckSeq;
    private boolean packetOpen;
    private SendBatch batch;
    private long srttNanos;
    private long rttvarNanos;
    private long rtoNanos = INITIAL_RTO_NANOS;
    private long eventsSent;
    private long packetsSent;
    private long retransmits;
    private long backpressured;
    private long probes;
    /** Fire-and-forget: when credit last moved (a grant freed some, or none was in use), and the probe back-off. */
    private long creditMovedNanos = System.nanoTime();
    private long probeNanos = INITIAL_PROBE_NANOS;
    private boolean resetPending;
    private long callEvents;
    private long callBytes;

    MeshStream(MeshNode node, Session session, long streamId, StreamConfig config, int channelHash) {
        this.node = node;
        this.session = session;
        this.streamId = streamId;
        this.config = config;
        this.channelHash = channelHash;
        this.reliable = config.reliability() == Reliability.RELIABLE;
        this.window = config.windowBytes();
        this.sealer = session.protector.forAnotherThread();
        if (reliable) {
            int slots = config.effectiveRetransmitWindow();
            int bytes = window > 0 ? window + NetHeaderFlyweight.MAX_PACKET_LENGTH
                    : Math.min(slots, 64) * MAX_PAYLOAD;
            this.store = new RetransmitStore(slots, bytes);
            this.sentAfter = null;
            this.sentAfterMask = 0;
        } else {
            this.store = null;
            if (window > 0) {
                // at most window / 88 packets (the smallest: one empty event) can be charged at once
                int size = Integer.highestOneBit(window / (HEADER + FRAME + TAG) + 2) << 1;
                this.sentAfter = new long[size];
                this.sentAfterMask = size - 1;
            } else {
                this.sentAfter = null;
                this.sentAfterMask = 0;
            }
        }
    }

    /** @return the peer's node id */
    public long peerNodeId() {
        return session.peer.nodeId;
    }

    /** @return the stream id */
    public long streamId() {
        return streamId;
    }

    /** @return the configuration fixed by the first open */
    public StreamConfig config() {
        return config;
    }

    /** @return whether the stream still accepts sends */
    public boolean isOpen() {
        return open;
    }

    /**
     * Sends one event as its own packet, without waiting.
     *
     * @param event the bytes between position and limit (position unchanged)
     * @return {@link SendResult#SENT}, {@link SendResult#BACKPRESSURE} (not sent; retry later) or
     *     {@link SendResult#CLOSED}
     * @throws IllegalArgumentException if the event is larger than 8104 bytes (net-mesh does not fragment)
     */
    public SendResult trySend(ByteBuffer event) {
        Objects.requireNonNull(event, "event must not be null");
        lock.lock();
        try {
            if (!open) {
                return SendResult.CLOSED;
            }
            beginCall();
            boolean accepted = append(event);
            endCall();
            if (accepted) {
                return SendResult.SENT;
            }
            if (!open) {
                return SendResult.CLOSED;
            }
            countBackpressure();
            return SendResult.BACKPRESSURE;
        } finally {
            releaseBatch();
            lock.unlock();
        }
    }

    /**
     * Sends events in order, packed greedily into as few packets as fit, without waiting; the packets go out in
     * one batched send before this returns.
     *
     * @param events the events (each between position and limit; positions unchanged)
     * @return how many events, from the first, were sent; fewer than {@code events.size()} means backpressure (the
     *     rest were not sent) or, if {@link #isOpen()} is false, that the stream ended
     * @throws IllegalArgumentException if an event is larger than 8104 bytes (the events before it were sent)
     */
    public int trySend(List<ByteBuffer> events) {
        return trySend(events, 0);
    }

    private int trySend(List<ByteBuffer> events, int from) {
        Objects.requireNonNull(events, "events must not be null");
        int n = events.size();
        lock.lock();
        try {
            if (!open) {
                return 0;
            }
            beginCall();
            int accepted = 0;
            try {
                for (int i = from; i < n; i++) {
                    if (!append(events.get(i))) {
                        break;
                    }
                    accepted++;
                }
            } finally {
                endCall();
            }
            if (from + accepted < n && open) {
                countBackpressure();
            }
            return accepted;
        } finally {
            releaseBatch();
            lock.unlock();
        }
    }

    /**
     * Sends one event, waiting for credit up to {@code timeout}.
     *
     * @param event the event
     * @param timeout longest wait
     * @return {@link SendResult#SENT}, {@link SendResult#BACKPRESSURE} when the deadline passed first, or
     *     {@link SendResult#CLOSED}
     * @throws InterruptedException if interrupted while waiting
     */
    public SendResult send(ByteBuffer event, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            SendResult r = trySend(event);
            if (r != SendResult.BACKPRESSURE || !awaitCredit(deadline)) {
                return r;
            }
        }
    }

    /**
     * Sends every event, waiting for credit as needed up to {@code timeout} in total.
     *
     * @param events the events
     * @param timeout longest total wait
     * @return how many were sent: all of them, unless the deadline passed or the stream ended
     * @throws InterruptedException if interrupted while waiting
     */
    public int send(List<ByteBuffer> events, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int sent = 0;
        int n = events.size();
        while (true) {
            sent += trySend(events, sent);
            if (sent == n || !open || !awaitCredit(deadline)) {
                return sent;
            }
        }
    }

    /** Waits until a grant may have freed credit; returns false at the deadline. */
    private boolean awaitCredit(long deadline) throws InterruptedException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        lock.lock();
        try {
            if (open) {
                creditChanged.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)));
            }
        } finally {
            lock.unlock();
        }
        return System.nanoTime() < deadline || !open;
    }

    /**
     * Stops sending on this stream (no message goes to the peer); later sends return {@link SendResult#CLOSED}
     * and a new {@code openStream} with this id starts a fresh stream. Idempotent.
     */
    public void close() {
        end();
        session.txStreams.remove(streamId, this);
    }

    /** @return a snapshot of this stream's counters */
    public StreamStats stats() {
        lock.lock();
        try {
            return new StreamStats(session.peer.nodeId, streamId, config.reliability(), open, eventsSent, packetsSent,
                    sentWire, retransmits, backpressured, creditInUse(), window,
                    store == null ? 0 : store.unacked(), srttNanos / 1000, rtoNanos / 1000, probes);
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------------ packing

    private void beginCall() {
        batch = node.borrowBatch();
    }

    private void endCall() {
        finishPacket();
        flushBatch();
        if (callEvents != 0) {
            // the node's adders once per call, not per event: each is an atomic add on a shared cache line
            node.counters.eventsSent.add(callEvents);
            node.counters.eventBytesSent.add(callBytes);
            callEvents = 0;
            callBytes = 0;
        }
    }

    private void releaseBatch() {
        if (batch != null) {
            node.returnBatch(batch);
            batch = null;
        }
    }

    private void countBackpressure() {
        backpressured++;
        node.counters.backpressured.increment();
    }

    /** Adds one event to the open packet or a new one; false when credit or retransmit room is short. */
    private boolean append(ByteBuffer event) {
        int length = event.remaining();
        if (length > EventFramePacker.MAX_EVENT_LENGTH) {
            throw new IllegalArgumentException("event of " + length + " bytes exceeds the largest net-mesh event, "
                    + EventFramePacker.MAX_EVENT_LENGTH + " bytes; net-mesh does not fragment, so split it");
        }
        if (!open) {
            return false;
        }
        if (packetOpen) {
            int payload = packer.payloadLength();
            if (FRAME + length <= MAX_PAYLOAD - payload) {
                int after = payload + FRAME + length;
                if (!creditAllows(HEADER + after + TAG, false) || (reliable && !store.canAdd(after))) {
                    return false;
                }
                packer.tryAdd(event);
                countEvent(length);
                return true;
            }
            finishPacket();
        }
        int first = FRAME + length;
        if (!creditAllows(HEADER + first + TAG, true) || (reliable && !store.canAdd(first))) {
            return false;
        }
        startPacket();
        packer.tryAdd(event);
        countEvent(length);
        return true;
    }

    private void countEvent(int length) {
        eventsSent++;
        callEvents++;
        callBytes += length;
    }

    private boolean creditAllows(int pendingWire, boolean newPacket) {
        if (window == 0) {
            return true;
        }
        long inUse = creditInUse();
        // An empty window always lets one packet through, so an event larger than the window is not stuck forever.
        return inUse + pendingWire <= window || (newPacket && inUse == 0);
    }

    /** Wire bytes charged and not yet released. Caller holds the lock. */
    private long creditInUse() {
        if (window == 0) {
            return 0;
        }
        long byConsumed = sentWire - peerConsumed;
        if (reliable || sentAfter == null || peerAckSeq == 0) {
            return byConsumed;
        }
        // Fire-and-forget: every packet below the receiver's consumed sequence is consumed or lost for good, so lost
        // packets stop holding credit (net-mesh's total_consumed alone would leak them until a reset).
        long ack = Math.min(peerAckSeq, nextSeq);
        if (nextSeq - ack > sentAfterMask) {
            return byConsumed;
        }
        long sentBefore = sentAfter[(int) ((ack - 1) & sentAfterMask)];
        return Math.min(byConsumed, sentWire - sentBefore);
    }

    private void startPacket() {
        stagingBuffer.clear();
        header.initialize()
                .flags(reliable ? PacketFlags.RELIABLE : PacketFlags.NONE)
                .subprotocolId(Wire.SUBPROTOCOL_EVENTS)
                .channelHash(channelHash)
                .sessionId(session.id)
                .streamId(streamId)
                .sequence(nextSeq)
                .originHash(node.originHash);
        packer.wrap(stagingBuffer, HEADER, MAX_PAYLOAD);
        packetOpen = true;
    }

    private void finishPacket() {
        if (!packetOpen) {
            return;
        }
        packetOpen = false;
        int payload = packer.payloadLength();
        int count = packer.eventCount();
        header.payloadLength(payload).eventCount(count);
        long seq = nextSeq++;
        if (reliable) {
            store.add(seq, staging, HEADER, payload, count, System.nanoTime());
        }
        int wire = sealer.seal(header);
        sentWire += wire;
        if (sentAfter != null) {
            sentAfter[(int) (seq & sentAfterMask)] = sentWire;
        }
        packetsSent++;
        emit(wire);
    }

    private void emit(int wire) {
        if (node.injectSendLoss()) {
            return;
        }
        if (!batch.hasRoomFor(wire)) {
            flushBatch();
        }
        batch.add(staging, 0, wire);
    }

    private void flushBatch() {
        if (batch != null && batch.size() > 0) {
            if (!node.sendBatch(batch, session.peer.address)) {
                end();
            }
            batch.clear();
        }
    }

    // ------------------------------------------------------------------------------------------------ node thread

    /** A 0x0B00 grant: the receiver's consumed wire bytes and cumulative ack. */
    void onGrant(long totalConsumed, long ackSeq, long now) {
        lock.lock();
        try {
            // A hostile or confused peer must not create credit out of nothing (stream_window.rs: clamp).
            long consumed = Math.min(totalConsumed, sentWire);
            if (Long.compareUnsigned(consumed, peerConsumed) > 0) {
                peerConsumed = consumed;
                creditMoved(now);
            }
            long ack = Long.compareUnsigned(ackSeq, nextSeq) > 0 ? nextSeq : ackSeq;
            if (reliable) {
                long sample = store.ackBelow(ack, now);
                if (sample >= 0) {
                    onRttSample(sample);
                }
            } else if (ack > peerAckSeq) {
                peerAckSeq = ack;
                creditMoved(now);
            }
            creditChanged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A 0x0B01 NACK: everything below {@code nextExpected} arrived; it and the packets of the set bits are missing.
     *
     * @return whether a packet ran out of retries (the caller resets the stream)
     */
    boolean onNack(long nextExpected, long missing, long now) {
        lock.lock();
        try {
            if (!reliable || !open) {
                return false;
            }
            long sample = store.ackBelow(Math.min(nextExpected, nextSeq), now);
            if (sample >= 0) {
                onRttSample(sample);
            }
            creditChanged.signalAll();
            long minGap = Math.max(MIN_NACK_RESEND_NANOS, srttNanos);
            if (resendIfDue(nextExpected, now, minGap)) {
                return true;
            }
            for (int i = 0; i < 64; i++) {
                if ((missing & (1L << i)) != 0 && resendIfDue(nextExpected + 1 + i, now, minGap)) {
                    return true;
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The retransmission timer, called about every millisecond. When the oldest unacknowledged packet has waited an
     * RTO, it alone is sent again and the timer backs off (RFC 6298 §5.4–5.5): a host that stalled for an RTO would
     * otherwise resend its whole window at once though nothing was lost. Later losses are found by the receiver's
     * NACKs once the oldest arrives, or by the next expiry.
     *
     * @return whether a packet ran out of retries (the caller resets the stream)
     */
    boolean onTick(long now) {
        if (!open || !lock.tryLock()) {
            return false;
        }
        try {
            if (!reliable) {
                probeIfStalled(now);
                return false;
            }
            if (store.unacked() == 0) {
                return false;
            }
            long seq = store.baseSeq();
            if (now - store.lastSend(store.slot(seq)) < rtoNanos) {
                return false;
            }
            if (resend(seq, now)) {
                return true;
            }
            rtoNanos = Math.min(rtoNanos * 2, MAX_RTO_NANOS); // RFC 6298 §5.5: back off the timer
            return false;
        } finally {
            lock.unlock();
        }
    }

    private void creditMoved(long now) {
        creditMovedNanos = now;
        probeNanos = INITIAL_PROBE_NANOS;
    }

    /** Fire-and-forget: sends an empty probe when credit has been held a probe interval with no grant freeing any. */
    private void probeIfStalled(long now) {
        if (window == 0 || packetOpen) {
            return;
        }
        if (creditInUse() == 0) {
            creditMoved(now);
            return;
        }
        if (now - creditMovedNanos < probeNanos) {
            return;
        }
        creditMovedNanos = now;
        probeNanos = Math.min(probeNanos * 2, MAX_PROBE_NANOS);
        probes++;
        startPacket();
        header.payloadLength(0).eventCount(0);
        long seq = nextSeq++;
        int wire = sealer.seal(header);
        // charged like any packet, so the grant that consumes it frees exactly what the sender counted
        sentWire += wire;
        sentAfter[(int) (seq & sentAfterMask)] = sentWire;
        packetOpen = false;
        if (!node.injectSendLoss()) {
            stagingBuffer.clear().limit(wire);
            node.sendOne(stagingBuffer, session.peer.address);
        }
    }

    private boolean resendIfDue(long seq, long now, long minGap) {
        if (!store.contains(seq) || now - store.lastSend(store.slot(seq)) < minGap) {
            return false;
        }
        return resend(seq, now);
    }

    /** Rebuilds and sends a stored packet with a fresh counter. @return true if it exceeded its retries */
    private boolean resend(long seq, long now) {
        int slot = store.slot(seq);
        int tries = store.retransmitted(slot, now);
        if (tries > config.maxRetries()) {
            resetPending = true;
            return true;
        }
        int payload = store.length(slot);
        stagingBuffer.clear();
        header.initialize()
                .flags(PacketFlags.RELIABLE)
                .subprotocolId(Wire.SUBPROTOCOL_EVENTS)
                .channelHash(channelHash)
                .sessionId(session.id)
                .streamId(streamId)
                .sequence(seq)
                .originHash(node.originHash)
                .payloadLength(payload)
                .eventCount(store.events(slot));
        System.arraycopy(store.data(), store.dataOffset(slot), staging, HEADER, payload);
        int wire = sealer.seal(header);
        retransmits++;
        node.counters.retransmits.increment();
        if (!node.injectSendLoss()) {
            stagingBuffer.clear().limit(wire);
            node.sendOne(stagingBuffer, session.peer.address);
        }
        return false;
    }

    private void onRttSample(long r) {
        // RFC 6298 §2.2–2.3, with alpha 1/8 and beta 1/4
        if (srttNanos == 0) {
            srttNanos = r;
            rttvarNanos = r / 2;
        } else {
            rttvarNanos = (3 * rttvarNanos + Math.abs(srttNanos - r)) / 4;
            srttNanos = (7 * srttNanos + r) / 8;
        }
        rtoNanos = Math.clamp(srttNanos + Math.max(CLOCK_GRANULARITY_NANOS, 4 * rttvarNanos), MIN_RTO_NANOS, MAX_RTO_NANOS);
    }

    /** Marks the stream reset after its retries ran out. @return whether this call did it */
    boolean markReset() {
        lock.lock();
        try {
            if (!resetPending || !open) {
                return false;
            }
            open = false;
            store.clear();
            creditChanged.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Ends the stream: its session ended or the node closed. */
    void end() {
        open = false;
        lock.lock();
        try {
            creditChanged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** @return whether the node thread must call {@link #onTick}: reliable, or fire-and-forget with a window */
    boolean timed() {
        return reliable || window > 0;
    }

    @Override
    public String toString() {
        return "MeshStream(peer=" + Long.toUnsignedString(session.peer.nodeId, 16) + ", stream="
                + Long.toUnsignedString(streamId) + ", " + config.reliability() + (open ? "" : ", closed") + ")";
    }
}
