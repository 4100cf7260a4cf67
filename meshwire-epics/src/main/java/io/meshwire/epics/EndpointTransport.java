package io.meshwire.epics;

import io.meshwire.transport.Datagram;
import io.meshwire.transport.DatagramEndpoint;
import io.meshwire.transport.DatagramHandler;
import io.meshwire.transport.EndpointConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * An {@link EpicsTransport} over one {@link DatagramEndpoint}: one socket, so {@link #sendVia} and {@link #fanout}
 * are plain sends routed by the kernel. Datagrams carry the bound address as their local address and that
 * address's interface index, or no address, index 0 and {@link SocketRole#WILDCARD_RX} when bound to 0.0.0.0.
 * Right for loopback and unicast address lists; a multi-homed host wants {@link NicSetTransport} instead.
 */
public final class EndpointTransport implements EpicsTransport {
    /** Receive and send buffer request: EPICS traffic is small, and a CA client asks for 256 KiB too. */
    public static final int BUFFER_SIZE = 256 * 1024;
    /** Largest datagram received whole; larger ones are dropped and counted by the endpoint. */
    public static final int MAX_DATAGRAM = 16 * 1024;

    private final DatagramEndpoint endpoint;
    private final InetAddress localAddress;
    private final int ifindex;
    private final SocketRole role;
    private final EpicsDatagram view = new EpicsDatagram();
    private final DatagramHandler adapter = this::deliver;
    private final InterfaceNames names = new InterfaceNames();
    private EpicsDatagramHandler current;

    private EndpointTransport(DatagramEndpoint endpoint) {
        this.endpoint = endpoint;
        InetAddress bound = endpoint.localAddress().getAddress();
        if (bound.isAnyLocalAddress()) {
            localAddress = null;
            ifindex = 0;
            role = SocketRole.WILDCARD_RX;
        } else {
            localAddress = bound;
            ifindex = indexOf(bound);
            role = SocketRole.UNICAST;
        }
    }

    private static int indexOf(InetAddress address) {
        try {
            NetworkInterface nic = NetworkInterface.getByInetAddress(address);
            return nic == null ? 0 : Math.max(0, nic.getIndex());
        } catch (SocketException e) {
            return 0;
        }
    }

    /**
     * Binds {@code bind} (port 0: any free port) with {@code SO_REUSEADDR} and {@code SO_BROADCAST}, small
     * buffers, and batches sized for EPICS traffic.
     *
     * @throws java.net.BindException when the address is taken or not local (the message names the fix)
     */
    public static EndpointTransport open(InetSocketAddress bind) throws IOException {
        Objects.requireNonNull(bind, "bind must not be null");
        return open(defaults(bind).build());
    }

    /** The endpoint settings {@link #open(InetSocketAddress)} uses, to adjust before {@link #open(EndpointConfig)}. */
    public static EndpointConfig.Builder defaults(InetSocketAddress bind) {
        return EndpointConfig.builder().bindAddress(bind).reuseAddress(true).broadcast(true)
                .receiveBufferSize(BUFFER_SIZE).sendBufferSize(BUFFER_SIZE).maxDatagramSize(MAX_DATAGRAM)
                .receiveBatchSize(16).queueDepth(8).gso(false);
    }

    /** Opens an endpoint with {@code config} (it must not be send-only). */
    public static EndpointTransport open(EndpointConfig config) throws IOException {
        if (config.sendOnly()) {
            throw new IllegalArgumentException("an EPICS transport receives: sendOnly must be false");
        }
        return new EndpointTransport(DatagramEndpoint.open(config));
    }

    /** The endpoint underneath (for its statistics). */
    public DatagramEndpoint endpoint() {
        return endpoint;
    }

    /** The bound address. */
    public InetSocketAddress localAddress() {
        return endpoint.localAddress();
    }

    private void deliver(Datagram d) {
        current.onDatagram(view.set(d.memory(), d.offset(), d.length(), d.source(), localAddress, ifindex, role));
    }

    @Override
    public int receive(EpicsDatagramHandler handler, int limit, long timeoutNanos) throws IOException {
        Objects.requireNonNull(handler, "handler must not be null");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        current = handler;
        Datagram first = endpoint.receive(Math.max(0, timeoutNanos), TimeUnit.NANOSECONDS);
        if (first == null) {
            return 0;
        }
        try {
            deliver(first);
        } finally {
            first.release();
        }
        return 1 + (limit > 1 ? endpoint.pollBatch(adapter, limit - 1) : 0);
    }

    @Override
    public void send(ByteBuffer datagram, InetSocketAddress destination) throws IOException {
        endpoint.send(datagram, destination);
    }

    @Override
    public void sendVia(ByteBuffer datagram, InetSocketAddress destination, int ifindex) throws IOException {
        endpoint.send(datagram, destination); // one socket: the kernel routes
    }

    @Override
    public int fanout(ByteBuffer datagram, InetSocketAddress destination) throws IOException {
        endpoint.send(datagram, destination);
        return 1;
    }

    @Override
    public int localPort() {
        return endpoint.localAddress().getPort();
    }

    @Override
    public String interfaceName(int index) {
        return names.name(index);
    }

    @Override
    public void close() {
        endpoint.close();
    }

    @Override
    public String toString() {
        return "EndpointTransport[" + endpoint.localAddress() + "]";
    }
}
