package io.meshwire.epics;

import io.meshwire.nic.NetworkInterfaceInfo;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns an {@link EpicsNetworkConfig} and the host's interfaces into search destinations, the way libca and pvxs
 * build their search lists: the automatic part first (the subnet broadcast of every up, non-loopback IPv4 interface
 * that has one, sent through that interface), then the explicit entries. An explicit entry equal to a NIC's
 * broadcast address is sent through that NIC; 255.255.255.255 and multicast go out through every NIC; anything else
 * is routed. Duplicates are dropped, the first kept. Point-to-point links (no broadcast address) get no automatic
 * entry: libca would use the peer address, which the interface list does not carry.
 */
public final class SearchTargets {
    private SearchTargets() {
    }

    /** The destinations of {@code protocol}. */
    public static List<SearchTarget> resolve(EpicsNetworkConfig config, EpicsProtocol protocol,
            List<NetworkInterfaceInfo> interfaces) {
        int port = config.searchPort(protocol);
        Map<InetSocketAddress, SearchTarget> out = new LinkedHashMap<>();
        if (config.autoAddrList(protocol)) {
            for (NetworkInterfaceInfo nic : interfaces) {
                if (nic.isIpv4() && nic.upNonLoopback() && nic.broadcast().isPresent()) {
                    InetSocketAddress a = new InetSocketAddress(nic.broadcast().get(), port);
                    out.putIfAbsent(a, new SearchTarget(protocol, a, SearchTarget.Kind.NIC_BROADCAST, nic.index(),
                            "auto:" + nic.name()));
                }
            }
        }
        for (AddressListEntry e : config.addrList(protocol)) {
            InetSocketAddress a = e.socketAddress();
            out.putIfAbsent(a, classify(protocol, e, a, interfaces));
        }
        return new ArrayList<>(out.values());
    }

    /** The destinations of every protocol in {@code protocols}, in that order. */
    public static List<SearchTarget> resolve(EpicsNetworkConfig config, Iterable<EpicsProtocol> protocols,
            List<NetworkInterfaceInfo> interfaces) {
        List<SearchTarget> all = new ArrayList<>();
        for (EpicsProtocol p : protocols) {
            all.addAll(resolve(config, p, interfaces));
        }
        return all;
    }

    private static SearchTarget classify(EpicsProtocol protocol, AddressListEntry e, InetSocketAddress a,
            List<NetworkInterfaceInfo> interfaces) {
        Inet4Address ip = e.address();
        String origin = e.text();
        if (ip.isMulticastAddress() || Ipv4.toInt(ip) == 0xFFFFFFFF) {
            if (e.iface() != null) {
                for (NetworkInterfaceInfo nic : interfaces) {
                    if (nic.name().equals(e.iface()) || nic.address().getHostAddress().equals(e.iface())) {
                        return new SearchTarget(protocol, a, SearchTarget.Kind.NIC_BROADCAST, nic.index(), origin);
                    }
                }
            }
            return new SearchTarget(protocol, a, SearchTarget.Kind.FANOUT, 0, origin);
        }
        for (NetworkInterfaceInfo nic : interfaces) {
            if (nic.isIpv4() && nic.broadcast().isPresent() && nic.broadcast().get().equals(ip)) {
                return new SearchTarget(protocol, a, SearchTarget.Kind.NIC_BROADCAST, nic.index(), origin);
            }
        }
        return new SearchTarget(protocol, a, SearchTarget.Kind.UNICAST, 0, origin);
    }
}
