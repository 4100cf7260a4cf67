package io.meshwire.transport;

/** The implementation behind an endpoint. */
public enum Backend {
    /** Linux FFM: {@code recvmmsg}/{@code sendmmsg} on a natively created socket, GSO/GRO. */
    NATIVE,
    /** Portable {@link java.nio.channels.DatagramChannel}. */
    NIO
}
