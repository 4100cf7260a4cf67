package io.meshwire.epics;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A received datagram as the EPICS tools see it: the bytes, who sent it, and where it arrived (local address,
 * interface index, socket role). A mutable view an {@link EpicsTransport} fills and reuses for every datagram: valid
 * only during {@link EpicsDatagramHandler#onDatagram}, so keep no reference to it or its memory.
 */
public final class EpicsDatagram {
    private MemorySegment memory = MemorySegment.NULL;
    private long offset;
    private int length;
    private InetSocketAddress source;
    private InetAddress localAddress;
    private InetAddress destination;
    private int ifindex;
    private SocketRole role = SocketRole.UNICAST;

    /**
     * Points the view at a datagram; for {@link EpicsTransport} implementations.
     *
     * @param localAddress the address the datagram arrived at (the receiving NIC's unicast address, or what the
     *                     socket is bound to), or null when unknown (a wildcard socket without packet info)
     * @param ifindex      the receiving interface's index, or 0 when unknown
     */
    public EpicsDatagram set(MemorySegment memory, long offset, int length, InetSocketAddress source,
            InetAddress localAddress, int ifindex, SocketRole role) {
        return set(memory, offset, length, source, localAddress, null, ifindex, role);
    }

    /**
     * As {@link #set(MemorySegment, long, int, InetSocketAddress, InetAddress, int, SocketRole)}, with the datagram's
     * own destination address when the transport knows it ({@code IP_PKTINFO}): the NIC's address for unicast, the
     * subnet broadcast, 255.255.255.255 or a multicast group.
     */
    public EpicsDatagram set(MemorySegment memory, long offset, int length, InetSocketAddress source,
            InetAddress localAddress, InetAddress destination, int ifindex, SocketRole role) {
        this.destination = destination;
        this.memory = memory;
        this.offset = offset;
        this.length = length;
        this.source = source;
        this.localAddress = localAddress;
        this.ifindex = ifindex;
        this.role = role;
        return this;
    }

    /** The memory holding the datagram; read at {@link #offset()}. */
    public MemorySegment memory() {
        return memory;
    }

    /** Offset of the first byte in {@link #memory()}. */
    public long offset() {
        return offset;
    }

    /** Length in bytes. */
    public int length() {
        return length;
    }

    /** The sender. */
    public InetSocketAddress source() {
        return source;
    }

    /** The local address it arrived at, or null when unknown. */
    public InetAddress localAddress() {
        return localAddress;
    }

    /** The datagram's destination address as sent, or null when unknown. */
    public InetAddress destination() {
        return destination;
    }

    /** The receiving interface's index, or 0 when unknown. */
    public int ifindex() {
        return ifindex;
    }

    /** The kind of socket it arrived on. */
    public SocketRole role() {
        return role;
    }

    @Override
    public String toString() {
        return "EpicsDatagram[" + length + " bytes from " + source + " to " + destination + " at " + localAddress
                + " if#" + ifindex + " " + role + "]";
    }
}
