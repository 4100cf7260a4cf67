package io.meshwire.mesh;

import io.meshwire.transport.DatagramEndpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each beacon to a list of unicast addresses over the node's own endpoint, so replies and handshakes come
 * back to the announced port. Used on loopback and wherever peers' addresses are known in advance. Thread-safe:
 * targets may be added while the node runs.
 */
public final class UnicastBeaconSender implements BeaconSender {
    private static final Logger LOG = LoggerFactory.getLogger(UnicastBeaconSender.class);

    private final DatagramEndpoint endpoint;
    private final CopyOnWriteArrayList<InetSocketAddress> targets;
    private final LongAdder errors = new LongAdder();

    /**
     * @param endpoint the node's endpoint (not closed by this sender)
     * @param targets where beacons go
     */
    public UnicastBeaconSender(DatagramEndpoint endpoint, List<InetSocketAddress> targets) {
        this.endpoint = endpoint;
        this.targets = new CopyOnWriteArrayList<>(targets);
    }

    /**
     * Adds a destination (ignored if already present).
     *
     * @param target a resolved address with a port
     */
    public void addTarget(InetSocketAddress target) {
        if (target.isUnresolved() || target.getPort() == 0) {
            throw new IllegalArgumentException("beacon target must be resolved with a port: " + target);
        }
        targets.addIfAbsent(target);
    }

    /** @return the current destinations */
    public List<InetSocketAddress> targets() {
        return List.copyOf(targets);
    }

    /** @return sends that failed */
    public long errors() {
        return errors.sum();
    }

    @Override
    public void send(ByteBuffer beacon) throws IOException {
        int failed = 0;
        IOException last = null;
        for (InetSocketAddress target : targets) {
            if (target.equals(endpoint.localAddress())) {
                continue;
            }
            try {
                endpoint.send(beacon, target);
            } catch (IOException e) {
                // One unreachable target must not stop the others (e.g. a peer that is not up yet).
                failed++;
                errors.increment();
                last = e;
                LOG.debug("beacon to {} failed: {}", target, e.toString());
            }
        }
        if (failed > 0 && failed == targets.size()) {
            throw last;
        }
    }
}
