package io.meshwire.epics;

/** Receives datagrams from {@link EpicsTransport#receive}; the datagram is valid only during the call. */
@FunctionalInterface
public interface EpicsDatagramHandler {
    /** Called once per datagram, in arrival order. */
    void onDatagram(EpicsDatagram datagram);
}
