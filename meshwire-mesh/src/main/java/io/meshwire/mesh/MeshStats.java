package io.meshwire.mesh;

import io.meshwire.wire.DropReason;
import java.util.Map;

/**
 * A snapshot of a node's counters. Events and event bytes count application payloads; packets and bytes count
 * datagrams on the wire (all kinds); syscalls come from the node's endpoint.
 *
 * @param eventsSent events accepted by sends (each once, retransmissions not counted)
 * @param eventBytesSent their payload bytes
 * @param packetsSent datagrams sent, including retransmissions, control, heartbeats, handshakes and beacons
 * @param bytesSent their bytes
 * @param sendSyscalls send system calls (a {@code sendmmsg} with many datagrams is one)
 * @param eventsReceived events delivered to the application
 * @param eventBytesReceived their payload bytes
 * @param packetsReceived datagrams received (before any check)
 * @param bytesReceived their bytes
 * @param receiveSyscalls receive system calls
 * @param retransmits reliable packets sent again (NACK or RTO)
 * @param gaps fire-and-forget packets that never arrived (sequence gaps)
 * @param backpressured sends refused for lack of credit or retransmit room
 * @param streamResets reliable streams reset, by this node or its peers
 * @param heartbeatsSent heartbeats sent
 * @param heartbeatsReceived authenticated heartbeats received
 * @param handshakesCompleted sessions established
 * @param handshakesFailed connect attempts that gave up
 * @param kernelDrops datagrams the kernel dropped for lack of buffer room (native backend)
 * @param drops dropped input by reason (non-zero reasons only)
 */
public record MeshStats(
        long eventsSent,
        long eventBytesSent,
        long packetsSent,
        long bytesSent,
        long sendSyscalls,
        long eventsReceived,
        long eventBytesReceived,
        long packetsReceived,
        long bytesReceived,
        long receiveSyscalls,
        long retransmits,
        long gaps,
        long backpressured,
        long streamResets,
        long heartbeatsSent,
        long heartbeatsReceived,
        long handshakesCompleted,
        long handshakesFailed,
        long kernelDrops,
        Map<DropReason, Long> drops) {

    /** Copies the map. */
    public MeshStats {
        drops = Map.copyOf(drops);
    }

    /**
     * @param reason a reason
     * @return drops counted for it
     */
    public long drops(DropReason reason) {
        return drops.getOrDefault(reason, 0L);
    }

    /** @return drops over all reasons */
    public long dropsTotal() {
        long total = 0;
        for (long n : drops.values()) {
            total += n;
        }
        return total;
    }

    /** @return datagrams per send syscall, or 0 before the first */
    public double packetsPerSendSyscall() {
        return sendSyscalls == 0 ? 0 : (double) packetsSent / sendSyscalls;
    }

    /** @return datagrams per receive syscall, or 0 before the first */
    public double packetsPerReceiveSyscall() {
        return receiveSyscalls == 0 ? 0 : (double) packetsReceived / receiveSyscalls;
    }
}
