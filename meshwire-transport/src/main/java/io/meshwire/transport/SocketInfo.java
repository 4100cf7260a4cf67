package io.meshwire.transport;

import java.net.InetSocketAddress;

/**
 * What the kernel actually granted an endpoint's socket.
 *
 * @param localAddress            bound address and port
 * @param backend                 implementation in use
 * @param backendReason           why that backend was chosen (e.g. why native was unavailable)
 * @param requestedReceiveBuffer  {@code SO_RCVBUF} asked for
 * @param grantedReceiveBuffer    {@code SO_RCVBUF} as read back; Linux reports twice the usable size it set
 *                                aside (socket(7)), capped by {@code net.core.rmem_max}
 * @param requestedSendBuffer     {@code SO_SNDBUF} asked for
 * @param grantedSendBuffer       {@code SO_SNDBUF} as read back
 * @param gsoEnabled              UDP GSO is used for runs of equal-size datagrams
 * @param groEnabled              UDP GRO is on for this socket
 */
public record SocketInfo(
        InetSocketAddress localAddress,
        Backend backend,
        String backendReason,
        int requestedReceiveBuffer,
        int grantedReceiveBuffer,
        int requestedSendBuffer,
        int grantedSendBuffer,
        boolean gsoEnabled,
        boolean groEnabled) {

    /** True when the kernel gave less receive buffer than requested. */
    public boolean receiveBufferCapped() {
        // Linux doubles the requested value for bookkeeping overhead; a granted value below twice the
        // request means rmem_max capped it.
        return (long) grantedReceiveBuffer < 2L * requestedReceiveBuffer;
    }

    /** True when the kernel gave less send buffer than requested. */
    public boolean sendBufferCapped() {
        return (long) grantedSendBuffer < 2L * requestedSendBuffer;
    }
}
