package io.meshwire.epics;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of searching one name over one protocol.
 *
 * @param name          the name searched
 * @param protocol      the protocol
 * @param found         whether a server answered
 * @param server        the server's address and TCP port (null when not found)
 * @param repliedBy     the reply's source (the server itself, or a name server); null when not found
 * @param localAddress  the local address the reply arrived at, or null when unknown
 * @param ifindex       the interface the reply arrived on, or 0 when unknown
 * @param interfaceName that interface's name, or null when unknown
 * @param elapsed       time from the first search to the first reply (null when not found)
 * @param otherServers  further servers that answered for the same name (EPICS warns about these)
 */
public record SearchResult(String name, EpicsProtocol protocol, boolean found, InetSocketAddress server,
        InetSocketAddress repliedBy, InetAddress localAddress, int ifindex, String interfaceName, Duration elapsed,
        List<InetSocketAddress> otherServers) {

    /** Validates the fields. */
    public SearchResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(protocol, "protocol");
        otherServers = List.copyOf(otherServers);
        if (found && (server == null || repliedBy == null || elapsed == null)) {
            throw new IllegalArgumentException("a found result needs server, repliedBy and elapsed");
        }
    }

    /** The NIC as reports show it: {@code eth0}, {@code if#3}, or {@code -} when unknown. */
    public String nic() {
        if (interfaceName != null) {
            return interfaceName;
        }
        return ifindex != 0 ? "if#" + ifindex : "-";
    }

    /** {@code a.b.c.d:port} without any host-name lookup, or {@code -} for null. */
    public static String text(InetSocketAddress a) {
        return a == null ? "-" : a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
