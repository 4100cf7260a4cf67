package io.meshwire.mesh;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One received event, handed to an {@link EventHandler}: a view valid only during the call. The same object is
 * reused for the next event, so copy what you keep ({@link #copyTo}, {@link #toByteArray}). Nothing is allocated
 * per event.
 */
public final class MeshEvent {
    private long peerNodeId;
    private long streamId;
    private int channelHash;
    private long sequence;
    private long receiveNanos;
    private boolean reliable;
    private ByteBuffer view;
    private int offset;
    private int length;

    MeshEvent() {
    }

    void set(long peerNodeId, long streamId, int channelHash, long sequence, boolean reliable, long receiveNanos) {
        this.peerNodeId = peerNodeId;
        this.streamId = streamId;
        this.channelHash = channelHash;
        this.sequence = sequence;
        this.reliable = reliable;
        this.receiveNanos = receiveNanos;
    }

    void bytes(ByteBuffer readOnlyView, int offset, int length) {
        this.view = readOnlyView;
        this.offset = offset;
        this.length = length;
    }

    /** @return the sending peer's node id */
    public long peerNodeId() {
        return peerNodeId;
    }

    /** @return the stream the event came on */
    public long streamId() {
        return streamId;
    }

    /** @return the header's channel_hash (a channel's {@link ChannelName#wireHash()}; 0 on plain streams) */
    public int channelHash() {
        return channelHash;
    }

    /** @return the sequence number of the packet that carried the event */
    public long sequence() {
        return sequence;
    }

    /** @return whether it came on a reliable stream */
    public boolean reliable() {
        return reliable;
    }

    /** @return {@link System#nanoTime()} when this node took the packet off its socket (for latency) */
    public long receiveNanos() {
        return receiveNanos;
    }

    /** @return the event's length in bytes */
    public int length() {
        return length;
    }

    /**
     * @return a read-only buffer whose position..limit is exactly the event (the same object each time; valid
     *     during the call only)
     */
    public ByteBuffer buffer() {
        view.clear();
        view.position(offset).limit(offset + length);
        return view;
    }

    /**
     * @param index byte index within the event
     * @return the byte
     */
    public byte get(int index) {
        checkIndex(index, 1);
        return view.get(offset + index);
    }

    /**
     * @param index byte index within the event
     * @return the little-endian long at {@code index} (e.g. a send timestamp the sender put there)
     */
    public long getLongLE(int index) {
        checkIndex(index, 8);
        long v = view.getLong(offset + index);
        return view.order() == ByteOrder.LITTLE_ENDIAN ? v : Long.reverseBytes(v);
    }

    /**
     * Copies the event into {@code dst} at {@code dstOffset}.
     *
     * @param dst destination
     * @param dstOffset where
     */
    public void copyTo(byte[] dst, int dstOffset) {
        view.get(offset, dst, dstOffset, length);
    }

    /** @return a copy of the event (allocates) */
    public byte[] toByteArray() {
        byte[] out = new byte[length];
        copyTo(out, 0);
        return out;
    }

    private void checkIndex(int index, int size) {
        if (index < 0 || index > length - size) {
            throw new IndexOutOfBoundsException("index " + index + " (+" + size + ") outside event of " + length + " bytes");
        }
    }

    @Override
    public String toString() {
        return "MeshEvent(peer=" + Long.toUnsignedString(peerNodeId, 16) + ", stream=" + Long.toUnsignedString(streamId)
                + ", seq=" + sequence + ", " + length + " bytes)";
    }
}
