package io.meshwire.mesh;

import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;

/**
 * A node known from its authenticated beacons.
 *
 * @param nodeId its node id
 * @param staticPublicKey its X25519 static public key (what {@code connect} needs)
 * @param addresses where its beacons came from (source address, announced port), most recent first
 * @param ageNanos time since its last beacon
 */
public record DiscoveredNode(long nodeId, byte[] staticPublicKey, List<InetSocketAddress> addresses, long ageNanos) {
    /** Copies. */
    public DiscoveredNode {
        staticPublicKey = staticPublicKey.clone();
        addresses = List.copyOf(addresses);
    }

    @Override
    public byte[] staticPublicKey() {
        return staticPublicKey.clone();
    }

    /** @return the most recent address */
    public InetSocketAddress address() {
        return addresses.getFirst();
    }

    @Override
    public String toString() {
        return "DiscoveredNode(" + Long.toUnsignedString(nodeId, 16) + ", " + addresses + ", key="
                + HexFormat.of().formatHex(staticPublicKey, 0, 4) + "…, age " + ageNanos / 1_000_000 + " ms)";
    }
}
