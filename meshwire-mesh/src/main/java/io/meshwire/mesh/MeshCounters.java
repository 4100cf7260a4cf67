package io.meshwire.mesh;

import java.util.concurrent.atomic.LongAdder;

/** The node's running counters; increments allocate nothing once the adders have warmed up. */
final class MeshCounters {
    final LongAdder eventsSent = new LongAdder();
    final LongAdder eventBytesSent = new LongAdder();
    final LongAdder packetsSent = new LongAdder();
    final LongAdder bytesSent = new LongAdder();
    final LongAdder eventsReceived = new LongAdder();
    final LongAdder eventBytesReceived = new LongAdder();
    final LongAdder packetsReceived = new LongAdder();
    final LongAdder bytesReceived = new LongAdder();
    final LongAdder retransmits = new LongAdder();
    final LongAdder gaps = new LongAdder();
    final LongAdder backpressured = new LongAdder();
    final LongAdder streamResets = new LongAdder();
    final LongAdder heartbeatsSent = new LongAdder();
    final LongAdder heartbeatsReceived = new LongAdder();
    final LongAdder handshakesCompleted = new LongAdder();
    final LongAdder handshakesFailed = new LongAdder();
    final LongAdder grantsSent = new LongAdder();
    final LongAdder nacksSent = new LongAdder();
    final LongAdder beaconsSent = new LongAdder();
    final LongAdder beaconsReceived = new LongAdder();
    final LongAdder sendErrors = new LongAdder();
}
