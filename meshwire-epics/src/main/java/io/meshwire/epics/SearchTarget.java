package io.meshwire.epics;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Where one protocol's searches go, and how they leave the host.
 *
 * @param protocol the protocol searched there
 * @param address  the destination
 * @param kind     how to send
 * @param ifindex  for {@link Kind#NIC_BROADCAST} (and a multicast entry with {@code @iface}): the NIC to send
 *                 through; 0 otherwise
 * @param origin   where it came from, for reports ({@code auto:eth0}, or the address-list entry)
 */
public record SearchTarget(EpicsProtocol protocol, InetSocketAddress address, Kind kind, int ifindex,
        String origin) {

    /** How a search leaves the host. */
    public enum Kind {
        /** Routed normally ({@link EpicsTransport#send}). */
        UNICAST,
        /** A NIC's subnet broadcast, sent through that NIC ({@link EpicsTransport#sendVia}). */
        NIC_BROADCAST,
        /** 255.255.255.255 or multicast: a copy through every NIC ({@link EpicsTransport#fanout}). */
        FANOUT
    }

    /** Validates the fields. */
    public SearchTarget {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(origin, "origin");
        if (address.isUnresolved() || address.getPort() == 0) {
            throw new IllegalArgumentException("address must be resolved with a port: " + address);
        }
    }

    @Override
    public String toString() {
        return protocol.label() + " " + address.getAddress().getHostAddress() + ":" + address.getPort() + " "
                + kind + (ifindex != 0 ? " if#" + ifindex : "") + " (" + origin + ")";
    }
}
