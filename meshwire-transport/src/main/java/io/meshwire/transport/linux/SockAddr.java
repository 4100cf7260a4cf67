package io.meshwire.transport.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * Encodes and decodes {@code sockaddr_in} / {@code sockaddr_in6} in native memory.
 *
 * <p>Internal API. Layout (netinet/in.h): family is host order, port and address are network order,
 * {@code sin6_scope_id} is host order.
 */
public final class SockAddr {

    private static final ValueLayout.OfShort FAMILY = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfShort PORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt HOST_INT = ValueLayout.JAVA_INT_UNALIGNED;

    private SockAddr() {
    }

    /**
     * Writes {@code address} into {@code target} at {@code offset}.
     *
     * @param ipv6Socket true when the socket is AF_INET6: an IPv4 address is then written as v4-mapped
     * @return the address length to pass to the kernel
     */
    public static int encode(InetSocketAddress address, boolean ipv6Socket, MemorySegment target, long offset) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address: " + address);
        }
        int port = address.getPort();
        if (!ipv6Socket) {
            if (!(ip instanceof Inet4Address)) {
                throw new IllegalArgumentException("IPv6 destination " + address + " on an IPv4 socket");
            }
            target.asSlice(offset, LinuxSockets.SOCKADDR_IN_LENGTH).fill((byte) 0);
            target.set(FAMILY, offset, (short) LinuxSockets.AF_INET);
            target.set(PORT, offset + 2, (short) port);
            byte[] b = ip.getAddress();
            MemorySegment.copy(b, 0, target, ValueLayout.JAVA_BYTE, offset + 4, 4);
            return LinuxSockets.SOCKADDR_IN_LENGTH;
        }
        target.asSlice(offset, LinuxSockets.SOCKADDR_IN6_LENGTH).fill((byte) 0);
        target.set(FAMILY, offset, (short) LinuxSockets.AF_INET6);
        target.set(PORT, offset + 2, (short) port);
        byte[] b = ip.getAddress();
        if (b.length == 4) {
            // v4-mapped ::ffff:a.b.c.d so a dual-stack socket can reach IPv4 peers
            target.set(ValueLayout.JAVA_BYTE, offset + 8 + 10, (byte) 0xff);
            target.set(ValueLayout.JAVA_BYTE, offset + 8 + 11, (byte) 0xff);
            MemorySegment.copy(b, 0, target, ValueLayout.JAVA_BYTE, offset + 8 + 12, 4);
        } else {
            MemorySegment.copy(b, 0, target, ValueLayout.JAVA_BYTE, offset + 8, 16);
            if (ip instanceof Inet6Address v6 && v6.getScopeId() != 0) {
                target.set(HOST_INT, offset + 24, v6.getScopeId());
            }
        }
        return LinuxSockets.SOCKADDR_IN6_LENGTH;
    }

    /** Port of the address at {@code offset}, without allocating. */
    public static int port(MemorySegment source, long offset) {
        return Short.toUnsignedInt(source.get(PORT, offset + 2));
    }

    /** Address family at {@code offset}. */
    public static int family(MemorySegment source, long offset) {
        return source.get(FAMILY, offset);
    }

    /** Decodes the address at {@code offset}; v4-mapped IPv6 addresses come back as IPv4. */
    public static InetSocketAddress decode(MemorySegment source, long offset) {
        int family = family(source, offset);
        int port = port(source, offset);
        try {
            if (family == LinuxSockets.AF_INET) {
                byte[] b = new byte[4];
                MemorySegment.copy(source, ValueLayout.JAVA_BYTE, offset + 4, b, 0, 4);
                return new InetSocketAddress(InetAddress.getByAddress(b), port);
            }
            if (family == LinuxSockets.AF_INET6) {
                byte[] b = new byte[16];
                MemorySegment.copy(source, ValueLayout.JAVA_BYTE, offset + 8, b, 0, 16);
                int scope = source.get(HOST_INT, offset + 24);
                InetAddress ip = scope != 0 ? Inet6Address.getByAddress(null, b, scope) : InetAddress.getByAddress(b);
                return new InetSocketAddress(ip, port);
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException("kernel returned a malformed address", e);
        }
        throw new IllegalStateException("unexpected address family " + family);
    }

    /** Length of the sockaddr at {@code offset} according to its family. */
    public static int length(MemorySegment source, long offset) {
        return family(source, offset) == LinuxSockets.AF_INET6
                ? LinuxSockets.SOCKADDR_IN6_LENGTH : LinuxSockets.SOCKADDR_IN_LENGTH;
    }

}
