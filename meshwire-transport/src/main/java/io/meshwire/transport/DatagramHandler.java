package io.meshwire.transport;

/**
 * Receives datagrams from {@link DatagramEndpoint#pollBatch} and {@link DatagramEndpoint#receiveBatch}.
 * The datagram is valid only during the call: it is released when the handler returns. A handler must not call
 * the receive methods of the endpoint that is calling it.
 */
@FunctionalInterface
public interface DatagramHandler {
    /** Called once per datagram, in arrival order. */
    void onDatagram(Datagram datagram);
}
