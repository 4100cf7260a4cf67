package io.meshwire.epics;

import io.meshwire.nic.FanoutResult;
import io.meshwire.nic.NicDatagram;
import io.meshwire.nic.NicDatagramHandler;
import io.meshwire.nic.NicSetConfig;
import io.meshwire.nic.NicSetListener;
import io.meshwire.nic.NicSocket;
import io.meshwire.nic.NicSocketSet;
import io.meshwire.nic.SendResult;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * An {@link EpicsTransport} over a per-NIC {@link NicSocketSet}: one socket bound to every NIC address (loopback
 * included), a receive-only socket on every NIC's subnet broadcast address and, on a fixed port, one on the
 * wildcard address, all on the same port. Each received datagram carries the kernel's {@code IP_PKTINFO}
 * destination and interface index and the role of the socket it arrived on; {@link #sendVia} leaves through the
 * given NIC (forced output device, that NIC's source address) and {@link #fanout} through every up, non-loopback
 * NIC. This is what the EPICS tools use by default: a name server answers a broadcast search through the NIC it
 * came in on, and a search client reaches every subnet the way libca and pvxs do.
 *
 * <p>Without native access the set falls back to its NIO backend, which has no {@code IP_PKTINFO}: datagrams then
 * carry the receiving socket's NIC index (0 on the wildcard socket) and no destination, so a name server may answer a
 * subnet broadcast twice (clients match replies by search id, so this is harmless) and routes its reply to a limited
 * broadcast. Grant {@code --enable-native-access=ALL-UNNAMED} for the full behaviour.
 *
 * <p>Receiving allocates nothing per datagram: the set's view is mapped onto one reused {@link EpicsDatagram}, the
 * local address of the arrival NIC comes from a table rebuilt only when the set's sockets change.
 */
public final class NicSetTransport implements EpicsTransport {
    private static final int MAX_IFINDEX = 4096;

    private final NicSocketSet set;
    private final EpicsDatagram view = new EpicsDatagram();
    private final NicDatagramHandler adapter = this::deliver;
    private final InterfaceNames names = new InterfaceNames();
    /** The first unicast address of each NIC by index (copy on write; replaced when sockets come or go). */
    private volatile InetAddress[] nicAddress = new InetAddress[0];
    private EpicsDatagramHandler current;
    private long lastTimeoutNanos = -1;
    private Duration lastTimeout = Duration.ZERO;

    private NicSetTransport(NicSocketSet set) {
        this.set = set;
        refresh();
        set.addListener(new NicSetListener() {
            @Override
            public void onSocketsAdded(List<NicSocket> sockets) {
                refresh();
            }

            @Override
            public void onSocketsRemoved(List<NicSocket> sockets) {
                refresh();
            }
        });
    }

    /**
     * The settings for an EPICS port: IPv4, loopback included, {@code SO_BROADCAST}, broadcast-bound receive
     * sockets, the wildcard receive socket on a fixed port, the same port on every NIC for port 0 (PVA searches
     * carry one response port), small buffers and batches (EPICS traffic is small). Adjust before {@link #open}.
     *
     * @param port the port on every NIC; 0 for one kernel-chosen port shared by every NIC (a search client)
     */
    public static NicSetConfig.Builder defaults(int port) {
        return NicSetConfig.builder().family(StandardProtocolFamily.INET).port(port).sameEphemeralPort(port == 0)
                .includeLoopback(true).broadcastRx(true).wildcardRx(port != 0).broadcast(true)
                .receiveBufferSize(EndpointTransport.BUFFER_SIZE).sendBufferSize(EndpointTransport.BUFFER_SIZE)
                .maxDatagramSize(EndpointTransport.MAX_DATAGRAM).receiveBatchSize(16).queueDepth(8);
    }

    /**
     * Opens a set with {@code config} (see {@link #defaults}).
     *
     * @throws IllegalArgumentException when the config is IPv6 or gives each NIC its own ephemeral port
     * @throws java.net.BindException   when no NIC could bind (the message names each NIC's reason)
     */
    public static NicSetTransport open(NicSetConfig config) throws IOException {
        Objects.requireNonNull(config, "config must not be null");
        if (config.ipv6()) {
            throw new IllegalArgumentException("EPICS name search here is IPv4: use family(INET)");
        }
        if (config.port() == 0 && !config.sameEphemeralPort()) {
            throw new IllegalArgumentException("port 0 needs sameEphemeralPort(true): a PVA search carries one "
                    + "response port, so every NIC must listen on the same one");
        }
        return new NicSetTransport(NicSocketSet.open(config));
    }

    /**
     * Opens the set for {@code port} with {@link #defaults}: on every NIC when {@code bind} is the wildcard
     * address, else on the NIC holding {@code bind} only (its unicast address and its subnet broadcast address).
     *
     * @throws java.net.BindException when no socket could bind, or no NIC holds {@code bind}
     */
    public static NicSetTransport open(InetAddress bind, int port) throws IOException {
        Objects.requireNonNull(bind, "bind must not be null");
        NicSetConfig.Builder b = defaults(port);
        if (!bind.isAnyLocalAddress()) {
            b.onlyAddress(bind).wildcardRx(false);
        }
        return open(b.build());
    }

    /** The socket set underneath (for its per-socket counters: {@link NicSocketSet#stats()}). */
    public NicSocketSet socketSet() {
        return set;
    }

    private void refresh() {
        int max = 0;
        List<NicSocket> sockets = set.sockets();
        for (NicSocket s : sockets) {
            if (s.role() == io.meshwire.nic.SocketRole.UNICAST) {
                max = Math.max(max, Math.min(MAX_IFINDEX, s.ifindex()));
            }
        }
        InetAddress[] table = new InetAddress[max + 1];
        for (NicSocket s : sockets) {
            int i = s.ifindex();
            if (s.role() == io.meshwire.nic.SocketRole.UNICAST && i > 0 && i <= max && table[i] == null) {
                table[i] = s.localAddress().getAddress();
            }
            if (i > 0) {
                names.put(i, s.nic().name());
            }
        }
        nicAddress = table;
    }

    private void deliver(NicDatagram d) {
        NicSocket socket = d.socket();
        int ifindex = d.ifindex();
        InetAddress local;
        SocketRole role;
        switch (socket.role()) {
            case UNICAST -> {
                local = socket.localAddress().getAddress();
                role = SocketRole.UNICAST;
            }
            case BROADCAST_RX -> {
                local = socket.nic().address(); // the NIC's unicast entry, not the broadcast address bound
                role = SocketRole.BROADCAST_RX;
            }
            default -> {
                InetAddress[] table = nicAddress;
                local = ifindex > 0 && ifindex < table.length ? table[ifindex] : null;
                role = SocketRole.WILDCARD_RX;
            }
        }
        current.onDatagram(view.set(d.memory(), d.offset(), d.length(), d.source(), local,
                d.hasPacketInfo() ? d.destination() : null, ifindex, role));
    }

    @Override
    public int receive(EpicsDatagramHandler handler, int limit, long timeoutNanos) throws IOException {
        Objects.requireNonNull(handler, "handler must not be null");
        current = handler;
        if (timeoutNanos <= 0) {
            return set.poll(adapter, limit);
        }
        if (timeoutNanos != lastTimeoutNanos) {
            // the runners pass the same timeout again and again: keep its Duration rather than make one per call
            lastTimeout = Duration.ofNanos(timeoutNanos);
            lastTimeoutNanos = timeoutNanos;
        }
        return set.receive(adapter, limit, lastTimeout);
    }

    @Override
    public void send(ByteBuffer datagram, InetSocketAddress destination) throws IOException {
        check(set.send(datagram, destination), destination, 0);
    }

    @Override
    public void sendVia(ByteBuffer datagram, InetSocketAddress destination, int ifindex) throws IOException {
        if (ifindex <= 0) {
            send(datagram, destination);
            return;
        }
        SendResult r = set.sendVia(datagram, destination, ifindex);
        if (r == SendResult.NO_NIC) {
            // arrived on a NIC the set has no sending socket for (an address it left out): let routing pick
            r = set.send(datagram, destination);
        }
        check(r, destination, ifindex);
    }

    private static void check(SendResult r, InetSocketAddress destination, int ifindex) throws IOException {
        if (!r.isSent()) {
            throw new IOException("send to " + destination + (ifindex > 0 ? " via if#" + ifindex : "") + ": " + r);
        }
    }

    @Override
    public int fanout(ByteBuffer datagram, InetSocketAddress destination) throws IOException {
        FanoutResult r = set.fanout(datagram, destination);
        int sent = r.sent();
        if (sent < r.attempted()) {
            throw new IOException("fanout to " + destination + " failed on " + (r.attempted() - sent) + " of "
                    + r.attempted() + " NICs: " + r);
        }
        return sent;
    }

    @Override
    public int localPort() {
        return set.port();
    }

    @Override
    public String interfaceName(int ifindex) {
        return names.name(ifindex);
    }

    @Override
    public void close() {
        set.close();
    }

    @Override
    public String toString() {
        return "NicSetTransport[" + set + "]";
    }
}
