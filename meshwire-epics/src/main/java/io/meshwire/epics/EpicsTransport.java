package io.meshwire.epics;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The socket I/O the EPICS tools need, and nothing more: one UDP port, on one socket or on every NIC. The protocol
 * logic ({@link SearchResponder}, {@link SearchClient}, {@link BeaconTracker}) never touches sockets; the runners
 * ({@link NameServer}, {@link EpicsSearch}, {@link BeaconListener}) move datagrams between it and one of these.
 *
 * <p>Implementations: {@link EndpointTransport} (one {@link io.meshwire.transport.DatagramEndpoint}; loopback and
 * unicast address lists) and {@link NicSetTransport} (over {@code io.meshwire.nic.NicSocketSet}), which binds every
 * NIC plus the broadcast-address and wildcard receive sockets and fills {@link EpicsDatagram#ifindex()},
 * {@link EpicsDatagram#localAddress()} (the NIC's unicast address), {@link EpicsDatagram#destination()} (from
 * {@code IP_PKTINFO}) and {@link EpicsDatagram#role()} from the receiving socket.
 *
 * <p>Threading: {@link #receive} is called by one thread at a time; the send methods may be called from any thread.
 */
public interface EpicsTransport extends AutoCloseable {
    /**
     * Hands up to {@code limit} received datagrams to {@code handler}, waiting up to {@code timeoutNanos} for the
     * first one.
     *
     * @return how many were handed out (0 on timeout)
     * @throws IOException when the transport is closed or failed
     */
    int receive(EpicsDatagramHandler handler, int limit, long timeoutNanos) throws IOException;

    /** Sends {@code datagram}'s remaining bytes to {@code destination}, letting routing pick the NIC. */
    void send(ByteBuffer datagram, InetSocketAddress destination) throws IOException;

    /**
     * Sends through the NIC with index {@code ifindex} (source address = that NIC's), as responders answer on the
     * NIC a request came in on. {@code ifindex} 0 means "unknown": same as {@link #send}.
     */
    void sendVia(ByteBuffer datagram, InetSocketAddress destination, int ifindex) throws IOException;

    /**
     * Sends a copy through every eligible NIC (up, not loopback): for 255.255.255.255 and multicast, which the
     * kernel would otherwise route out of one NIC only.
     *
     * @return on how many NICs it went out (0 when there is none)
     * @throws IOException when it failed on some NIC, after trying every one (the message names each NIC's result)
     */
    int fanout(ByteBuffer datagram, InetSocketAddress destination) throws IOException;

    /** The local UDP port, the same on every NIC (PVA searches carry it as the response port). */
    int localPort();

    /** The interface name for {@code ifindex}, or null when unknown or 0 (for reports, not the hot path). */
    String interfaceName(int ifindex);

    /** Closes every socket; idempotent. */
    @Override
    void close();
}
