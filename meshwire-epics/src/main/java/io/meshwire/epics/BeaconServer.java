package io.meshwire.epics;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link BeaconTracker} knows about one server as seen on one NIC.
 *
 * @param protocol      CA or PVA
 * @param server        the server's address and TCP port
 * @param ifindex       the interface its beacons arrive on (0 when unknown)
 * @param interfaceName that interface's name, or null
 * @param guid          PVA server GUID in hex, or null for CA
 * @param beacons       beacons counted (duplicates excluded)
 * @param duplicates    beacons seen twice (the same beacon through two sockets, e.g. broadcast-bound and wildcard)
 * @param restarts      restarts detected (CA: the beacon id went back; PVA: the GUID changed)
 * @param lastId        the last beacon id (CA) or sequence number (PVA)
 * @param sinceFirst    time since the first beacon
 * @param sinceLast     time since the last beacon
 * @param lastInterval  the last interval between beacons (null before the second)
 * @param minInterval   the shortest interval seen (null before the second)
 * @param maxInterval   the longest interval seen (null before the second)
 */
public record BeaconServer(EpicsProtocol protocol, InetSocketAddress server, int ifindex, String interfaceName,
        String guid, long beacons, long duplicates, long restarts, long lastId, Duration sinceFirst,
        Duration sinceLast, Duration lastInterval, Duration minInterval, Duration maxInterval) {
    /** Validates the fields. */
    public BeaconServer {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(server, "server");
    }

    /** The NIC as reports show it. */
    public String nic() {
        return interfaceName != null ? interfaceName : ifindex != 0 ? "if#" + ifindex : "-";
    }
}
