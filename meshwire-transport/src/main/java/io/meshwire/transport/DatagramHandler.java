package io.meshwire.transport;

/**
 * Receives datagrams from {@link DatagramEndpoint#pollBatch} and {@link DatagramEndpoint#receiveBatch}.
 * The datagram is valid only during the call: it is released when the handler returns.
 */
@FunctionalInterface
public interface DatagramHandler {
    /** Called once per datagram, in arrival order. */
    void onDatagram(Datagram datagram);
}
