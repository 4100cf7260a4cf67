package io.meshwire.epics;

import io.meshwire.util.RateLimitedLog;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One protocol's beacons for a {@link NameServer}, sent through the transport that answers that protocol's searches
 * and on the server's scheduler thread: the first at once, the next after {@link BeaconSenderConfig#FIRST_INTERVAL},
 * each interval doubling up to the period, then one per period (rsrv's schedule, {@code rsrv/online_notify.c}).
 *
 * <ul>
 *   <li>CA: {@code RSRV_IS_UP}, data type = minor version 13, count = the transport's port, parameter 1 = beacon id
 *       counting up from 0, parameter 2 = 0 (receivers and repeaters take the source address).</li>
 *   <li>PVA: big-endian {@code CMD_BEACON} with the responder's GUID, flags 0, sequence id counting up mod 256, change
 *       count 0, server address 0 (the source address), server port = the transport's port, protocol "tcp".</li>
 * </ul>
 * The datagram is built once into a direct buffer; a beacon only rewrites the id, so sending allocates nothing once
 * the schedule has reached the period (the ramp-up schedules a few one-shot tasks). Send errors are counted and
 * warned about at most once a second, never thrown.
 */
final class BeaconSender {
    private static final Logger LOG = LoggerFactory.getLogger(BeaconSender.class);
    /** Offset of the u8 beaconSequenceId in a CMD_BEACON: after the header, the u8[12] GUID and the u8 flags. */
    static final int PVA_SEQUENCE_OFFSET = PvaProtocol.HEADER_LENGTH + PvaProtocol.GUID_LENGTH + 1;
    private static final int PVA_CAPACITY = 128;

    private final EpicsProtocol protocol;
    private final EpicsTransport transport;
    private final ByteBuffer buffer;
    private final MemorySegment segment;
    private final int length;
    private final int serverPort;
    private final InetSocketAddress broadcast;
    private final String broadcastLabel;
    private final InetSocketAddress[] destinations;
    private final String[] labels;
    private final long periodNanos;
    private final RateLimitedLog warn;
    private final LongAdder sent = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final Runnable tick = this::tick;
    private final Runnable beacon = this::sendBeacon;
    private ScheduledExecutorService scheduler;
    private long intervalNanos;
    private long nextId;
    private volatile boolean stopped;

    /**
     * @param protocol  which beacon
     * @param transport where it goes out, and whose port it announces
     * @param config    period and destinations
     * @param guid      the PVA server GUID (ignored for CA)
     * @param warn      where send errors are reported
     */
    BeaconSender(EpicsProtocol protocol, EpicsTransport transport, BeaconSenderConfig config, byte[] guid,
            RateLimitedLog warn) {
        this.protocol = protocol;
        this.transport = transport;
        this.warn = warn;
        this.serverPort = transport.localPort();
        int port = config.port(protocol);
        String name = protocol.label() + " beacon to ";
        if (config.autoAddrList(protocol)) {
            broadcast = new InetSocketAddress(Ipv4.toAddress(0xFFFFFFFF), port);
            broadcastLabel = name + "255.255.255.255:" + port + " on every NIC";
        } else {
            broadcast = null;
            broadcastLabel = null;
        }
        List<AddressListEntry> list = config.addrList(protocol);
        destinations = new InetSocketAddress[list.size()];
        labels = new String[list.size()];
        for (int i = 0; i < destinations.length; i++) {
            destinations[i] = list.get(i).socketAddress();
            labels[i] = name + list.get(i);
        }
        periodNanos = config.period(protocol).toNanos();
        intervalNanos = Math.min(BeaconSenderConfig.FIRST_INTERVAL.toNanos(), periodNanos);
        if (protocol == EpicsProtocol.CA) {
            buffer = ByteBuffer.allocateDirect(CaProtocol.HEADER_LENGTH);
            segment = MemorySegment.ofBuffer(buffer);
            length = CaProtocol.HEADER_LENGTH;
        } else {
            buffer = ByteBuffer.allocateDirect(PVA_CAPACITY);
            segment = MemorySegment.ofBuffer(buffer);
            length = PvaEncoder.writeBeacon(segment, 0, true, guid, 0, 0, 0, 0, serverPort);
        }
    }

    /** The protocol. */
    EpicsProtocol protocol() {
        return protocol;
    }

    /** Beacon datagrams sent (a fan-out counts one per NIC). */
    long sent() {
        return sent.sum();
    }

    /** Beacon sends that failed. */
    long errors() {
        return errors.sum();
    }

    /** Sends the first beacon at once on {@code scheduler}'s thread and schedules the rest there. */
    void start(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
        scheduler.execute(tick);
    }

    /** Sends no more beacons (tasks already queued return at once). */
    void stop() {
        stopped = true;
    }

    private void tick() {
        if (stopped) {
            return;
        }
        sendBeacon();
        try {
            if (intervalNanos >= periodNanos) {
                // steady state: one periodic task, which re-queues itself without allocating
                scheduler.scheduleWithFixedDelay(beacon, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
            } else {
                scheduler.schedule(tick, intervalNanos, TimeUnit.NANOSECONDS);
                intervalNanos = Math.min(intervalNanos * 2, periodNanos);
            }
        } catch (RejectedExecutionException closing) {
            // the name server is closing
        }
    }

    /** Sends one beacon to every destination now (the scheduled tasks call this; tests may too). */
    void sendBeacon() {
        if (stopped) {
            return;
        }
        try {
            if (protocol == EpicsProtocol.CA) {
                CaEncoder.writeBeacon(segment, 0, CaProtocol.MINOR_VERSION, serverPort, (int) nextId, 0);
                nextId = (nextId + 1) & 0xFFFF_FFFFL;
            } else {
                segment.set(ValueLayout.JAVA_BYTE, PVA_SEQUENCE_OFFSET, (byte) nextId);
                nextId = (nextId + 1) & 0xFF;
            }
            if (broadcast != null) {
                try {
                    sent.add(transport.fanout(rewind(), broadcast));
                } catch (IOException | RuntimeException e) {
                    failed(broadcastLabel, e);
                }
            }
            for (int i = 0; i < destinations.length; i++) {
                try {
                    transport.send(rewind(), destinations[i]);
                    sent.increment();
                } catch (IOException | RuntimeException e) {
                    failed(labels[i], e);
                }
            }
        } catch (RuntimeException e) {
            // a bug: an exception escaping a periodic task would silently cancel it
            LOG.error("{} beacon failed unexpectedly", protocol.label(), e);
        }
    }

    private ByteBuffer rewind() {
        buffer.limit(length).position(0);
        return buffer;
    }

    private void failed(String label, Exception e) {
        errors.increment();
        if (!stopped) {
            warn.warn("{} failed: {}", label, e.getMessage() != null ? e.getMessage() : e.toString());
        }
    }
}
