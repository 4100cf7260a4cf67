package io.meshwire.mesh;

import io.meshwire.transport.DatagramEndpoint;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Puts a node's discovery beacons on the network. The node encodes a beacon (see {@link MeshNode} for the format)
 * every beacon interval and calls {@link #send} on its own thread; where the beacon goes is this interface's
 * business: a list of unicast addresses ({@link UnicastBeaconSender}), or a fanout over every NIC
 * ({@link NicBeaconSender}). Every node has the unicast one ({@link MeshConfig#beaconTargets()},
 * {@link MeshNode#addBeaconTarget}); a {@link MeshConfig#beaconSender() factory} adds a second one, and the node
 * hands each beacon to both, so a node can announce on every NIC and to addresses beyond routers at once.
 *
 * <p>Beacons arriving on the node's own socket are read by the node; a sender that receives on other sockets
 * hands them in with {@link MeshNode#acceptBeacon}.
 */
public interface BeaconSender extends AutoCloseable {
    /**
     * Sends one beacon. Should not block for long; failures for one destination should be counted or logged and
     * skipped, not thrown.
     *
     * @param beacon the encoded beacon between position and limit; do not modify it, position is left unchanged
     * @throws IOException when nothing could be sent at all (the node logs it, rate-limited, and goes on)
     */
    void send(ByteBuffer beacon) throws IOException;

    /**
     * Called once by {@link MeshNode#start} when the node is running, before {@code start} returns: a sender that
     * also receives beacons on its own sockets starts handing them to {@code node} here. Does nothing by default.
     *
     * @param node the node this sender was made for
     */
    default void nodeStarted(MeshNode node) {
    }

    /** Releases what the sender owns (not the node's endpoint). Idempotent. */
    @Override
    default void close() {
    }

    /** Makes a node's beacon sender when the node starts. */
    @FunctionalInterface
    interface Factory {
        /**
         * @param nodeEndpoint the node's own endpoint, for senders that reuse its socket (do not close it)
         * @return the sender, closed with the node
         * @throws IOException when it cannot be made; the node's start fails with it
         */
        BeaconSender create(DatagramEndpoint nodeEndpoint) throws IOException;
    }
}
