package io.meshwire.epics;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One entry of an EPICS address list ({@code EPICS_CA_ADDR_LIST}, {@code EPICS_PVA_ADDR_LIST}):
 * {@code host[:port]}, and for PVA also {@code [,TTL][@iface]} (pvxs syntax).
 *
 * @param text      the entry as written, for messages
 * @param address   the resolved IPv4 address
 * @param port      the port given, or the protocol default
 * @param ttl       the multicast TTL given, or -1
 * @param iface     the interface given after {@code @} (a name or an address), or null
 */
public record AddressListEntry(String text, Inet4Address address, int port, int ttl, String iface) {
    /** Validates the fields. */
    public AddressListEntry {
        Objects.requireNonNull(text, "text must not be null");
        Objects.requireNonNull(address, "address must not be null");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535: " + port);
        }
        if (ttl < -1 || ttl > 255) {
            throw new IllegalArgumentException("ttl must be 0..255 or -1: " + ttl);
        }
    }

    /** The address and port. */
    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, port);
    }

    @Override
    public String toString() {
        return address.getHostAddress() + ":" + port + (ttl >= 0 ? "," + ttl : "") + (iface != null ? "@" + iface : "");
    }
}
