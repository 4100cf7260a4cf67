package io.meshwire.transport.linux;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

/**
 * A socket's send destination as a native {@code sockaddr}, encoded again only when the destination changes: a
 * sender that keeps its peer pays no encoding per datagram (compared by identity first, then by equals).
 *
 * <p>Internal API. Not thread-safe: the owner's send lock guards it.
 */
public final class DestinationSockAddr {
    private final MemorySegment sockaddr;
    private final boolean ipv6;
    private InetSocketAddress last;
    private int lastLength;

    /**
     * @param sockaddr  where the destination is encoded ({@link LinuxSockets#SOCKADDR_STORAGE_LENGTH} bytes); once
     *                  sends began, the owner writes nothing else there
     * @param ipv6Socket whether the socket is AF_INET6 (an IPv4 destination is then encoded v4-mapped)
     */
    public DestinationSockAddr(MemorySegment sockaddr, boolean ipv6Socket) {
        this.sockaddr = sockaddr;
        this.ipv6 = ipv6Socket;
    }

    /** Encodes {@code dest} unless it is the one encoded last; returns the {@code sockaddr}'s length. */
    public int encode(InetSocketAddress dest) {
        if (dest == last || dest.equals(last)) {
            return lastLength;
        }
        int len = SockAddr.encode(dest, ipv6, sockaddr, 0);
        last = dest;
        lastLength = len;
        return len;
    }
}
