package io.meshwire.epics;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Where a {@link SearchResponder} puts its replies. The buffer holds exactly one datagram between position and limit
 * and is reused after the call returns.
 */
@FunctionalInterface
public interface ReplySink {
    /**
     * Sends one reply.
     *
     * @param request the datagram being answered: reply through its {@link EpicsDatagram#ifindex()} NIC
     */
    void sendReply(ByteBuffer datagram, InetSocketAddress destination, EpicsDatagram request);
}
