package io.meshwire.mesh;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** One discovered node; written by the node thread, read by others through the volatile fields. */
final class Discovery {
    static final int MAX_ADDRESSES = 8;

    final long nodeId;
    volatile byte[] staticPublicKey;
    volatile List<InetSocketAddress> addresses;
    volatile long lastSeenNanos;
    long bootId;
    long sequence;
    long timeMillis;

    Discovery(long nodeId, byte[] staticPublicKey, InetSocketAddress address, long bootId, long sequence,
              long timeMillis, long now) {
        this.nodeId = nodeId;
        this.staticPublicKey = staticPublicKey;
        this.addresses = List.of(address);
        this.bootId = bootId;
        this.sequence = sequence;
        this.timeMillis = timeMillis;
        this.lastSeenNanos = now;
    }

    /** Moves {@code address} to the front. @return whether it is new */
    boolean sawAddress(InetSocketAddress address) {
        List<InetSocketAddress> current = addresses;
        if (current.getFirst().equals(address)) {
            return false;
        }
        boolean known = current.contains(address);
        List<InetSocketAddress> next = new ArrayList<>(current.size() + 1);
        next.add(address);
        for (InetSocketAddress a : current) {
            if (!a.equals(address) && next.size() < MAX_ADDRESSES) {
                next.add(a);
            }
        }
        addresses = List.copyOf(next);
        return !known;
    }

    DiscoveredNode snapshot(long now) {
        return new DiscoveredNode(nodeId, staticPublicKey, addresses, Math.max(0, now - lastSeenNanos));
    }
}
