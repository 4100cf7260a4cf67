package io.meshwire.mesh;

/** The outcome of sending one event on a {@link MeshStream}. */
public enum SendResult {
    /** Packed and handed to the socket. */
    SENT,
    /**
     * Not sent: the stream is out of credit (its window is full of bytes the receiver has not consumed) or, for a
     * reliable stream, its retransmit window is full. The event is not lost; the caller still owns it and may
     * retry, or use the blocking variant with a deadline.
     */
    BACKPRESSURE,
    /** Not sent: the stream was reset, closed, or its session ended (peer failed, re-handshake, node closed). */
    CLOSED
}
