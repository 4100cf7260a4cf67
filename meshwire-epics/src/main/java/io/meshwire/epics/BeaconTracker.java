package io.meshwire.epics;

import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * Keeps track of the servers whose beacons arrive: CA {@code RSRV_IS_UP} (direct, or forwarded by a repeater) and
 * PVA {@code CMD_BEACON}, per server and NIC: how many, at what intervals, and restarts (a CA beacon id that goes
 * back, a PVA GUID that changes). A beacon repeating the last id or sequence is counted as a duplicate (a broadcast
 * reaches both the broadcast-bound and the wildcard socket of a NIC). Independent of sockets: feed it datagrams.
 *
 * <p>Memory is bounded: at most {@code capacity} servers; beacons of further servers are counted in
 * {@link #overflow()} and otherwise ignored. No allocation per beacon except for a server's first one. Thread-safe
 * (one lock; one receiving thread is the expected caller).
 */
public final class BeaconTracker {
    /** Told about new servers and restarts (on the receiving thread, with the tracker's lock held). */
    public interface Listener {
        /** A server's first beacon on a NIC. */
        default void onNewServer(BeaconServer server) {
        }

        /** A server restarted. */
        default void onRestart(BeaconServer server) {
        }
    }

    private static final class Entry {
        final EpicsProtocol protocol;
        final int ip;
        final int port;
        final int ifindex;
        final long firstNanos;
        final byte[] guid;
        long lastNanos;
        long lastId;
        long beacons;
        long duplicates;
        long restarts;
        long lastInterval = -1;
        long minInterval = Long.MAX_VALUE;
        long maxInterval = -1;

        Entry(EpicsProtocol protocol, int ip, int port, int ifindex, long now) {
            this.protocol = protocol;
            this.ip = ip;
            this.port = port;
            this.ifindex = ifindex;
            this.firstNanos = now;
            this.guid = protocol == EpicsProtocol.PVA ? new byte[PvaProtocol.GUID_LENGTH] : null;
        }
    }

    private final int capacity;
    private final Entry[] table;
    private final int mask;
    private final List<Entry> order = new ArrayList<>();
    private final Listener listener;
    private final EpicsDropCounters drops;
    private final CaMessageFlyweight ca = new CaMessageFlyweight();
    private final PvaMessageFlyweight pva = new PvaMessageFlyweight();
    private final PvaBeaconFlyweight beacon = new PvaBeaconFlyweight();
    private IntFunction<String> interfaceNames = i -> null;
    private long overflow;
    private long repeaterConfirms;

    /**
     * @param capacity most servers tracked
     * @param listener told about new servers and restarts
     * @param drops    where malformed beacons are counted
     */
    public BeaconTracker(int capacity, Listener listener, EpicsDropCounters drops) {
        if (capacity < 1 || capacity > 1 << 20) {
            throw new IllegalArgumentException("capacity must be 1..1048576: " + capacity);
        }
        this.capacity = capacity;
        int size = Integer.highestOneBit(capacity * 2 - 1) << 1;
        this.table = new Entry[size];
        this.mask = size - 1;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.drops = Objects.requireNonNull(drops, "drops");
    }

    /** How interface indexes are named in snapshots (e.g. {@link EpicsTransport#interfaceName}). */
    public synchronized void interfaceNames(IntFunction<String> names) {
        this.interfaceNames = Objects.requireNonNull(names, "names");
    }

    /** Beacons of servers beyond the capacity. */
    public synchronized long overflow() {
        return overflow;
    }

    /** {@code CA_REPEATER_CONFIRM} messages seen (a repeater accepted a registration). */
    public synchronized long repeaterConfirms() {
        return repeaterConfirms;
    }

    /** Handles one received datagram. */
    public synchronized void onDatagram(EpicsDatagram d, long nowNanos) {
        if (d.length() == 0 || !(d.source().getAddress() instanceof Inet4Address)) {
            return;
        }
        int srcIp = Ipv4.toInt(d.source().getAddress());
        int first = Byte.toUnsignedInt(d.memory().get(ValueLayout.JAVA_BYTE, d.offset()));
        if (first == PvaProtocol.MAGIC) {
            PvaMessageFlyweight m = pva.wrap(d.memory(), d.offset(), d.length());
            while (m.next()) {
                if (m.command() != PvaProtocol.BEACON) {
                    continue;
                }
                if (!beacon.wrap(m, drops)) {
                    return;
                }
                if (!beacon.tcp()) {
                    continue;
                }
                int ip = beacon.serverAddress() == Ipv4.PVA_ANY ? srcIp : (int) beacon.serverAddress();
                onBeacon(EpicsProtocol.PVA, ip, beacon.serverPort(), d.ifindex(), beacon.sequenceId(), nowNanos);
            }
            if (m.error() != null) {
                drops.drop(m.error());
            }
            return;
        }
        CaMessageFlyweight m = ca.wrap(d.memory(), d.offset(), d.length());
        while (m.next()) {
            switch (m.command()) {
                case CaProtocol.RSRV_IS_UP -> {
                    int ip = m.parameter2() == 0 ? srcIp : m.parameter2();
                    onBeacon(EpicsProtocol.CA, ip, beaconPort(m), d.ifindex(), Integer.toUnsignedLong(m.parameter1()),
                            nowNanos);
                }
                case CaProtocol.REPEATER_CONFIRM -> repeaterConfirms++;
                default -> {
                }
            }
        }
        if (m.error() != null) {
            drops.drop(m.error());
        }
    }

    /**
     * The server port of a CA beacon: data count per the protocol (rsrv); jca's CAS 2.4.11 sends count 0 and the port
     * in the data type instead (observed: {@code 00 0d 00 00 b8 14 00 00 ...} for port 47124), which no minor
     * version could be; a server that sends neither gets the default port.
     */
    static int beaconPort(CaMessageFlyweight m) {
        if (m.dataCount() != 0) {
            return m.dataCount();
        }
        return m.dataType() > 0xFF ? m.dataType() : CaProtocol.DEFAULT_SERVER_PORT;
    }

    private static int slot(EpicsProtocol p, int ip, int port, int ifindex) {
        int h = (ip * 0x9E3779B9) ^ (port * 0x85EBCA6B) ^ (ifindex * 0xC2B2AE35) ^ p.ordinal();
        return h ^ (h >>> 16);
    }

    private void onBeacon(EpicsProtocol p, int ip, int port, int ifindex, long id, long now) {
        int i = slot(p, ip, port, ifindex) & mask;
        Entry e;
        while ((e = table[i]) != null) {
            if (e.ip == ip && e.port == port && e.ifindex == ifindex && e.protocol == p) {
                break;
            }
            i = (i + 1) & mask;
        }
        if (e == null) {
            if (order.size() >= capacity) {
                overflow++;
                return;
            }
            e = new Entry(p, ip, port, ifindex, now);
            table[i] = e;
            order.add(e);
            e.beacons = 1;
            e.lastNanos = now;
            e.lastId = id;
            if (p == EpicsProtocol.PVA) {
                copyGuid(e);
            }
            listener.onNewServer(snapshot(e, now));
            return;
        }
        boolean restart;
        if (p == EpicsProtocol.PVA) {
            restart = !sameGuid(e);
            if (restart) {
                copyGuid(e);
            } else if (id == e.lastId) {
                e.duplicates++;
                return;
            }
        } else {
            if (id == e.lastId) {
                e.duplicates++;
                return;
            }
            // a beacon id that goes back means a new server process (ids count up from 0 at start-up)
            restart = id < e.lastId;
        }
        long interval = now - e.lastNanos;
        e.beacons++;
        e.lastNanos = now;
        e.lastId = id;
        if (restart) {
            e.restarts++;
            e.lastInterval = -1;
            listener.onRestart(snapshot(e, now));
            return;
        }
        e.lastInterval = interval;
        e.minInterval = Math.min(e.minInterval, interval);
        e.maxInterval = Math.max(e.maxInterval, interval);
    }

    private boolean sameGuid(Entry e) {
        for (int k = 0; k < PvaProtocol.GUID_LENGTH; k++) {
            if (e.guid[k] != beacon.segment().get(ValueLayout.JAVA_BYTE, beacon.guidOffset() + k)) {
                return false;
            }
        }
        return true;
    }

    private void copyGuid(Entry e) {
        for (int k = 0; k < PvaProtocol.GUID_LENGTH; k++) {
            e.guid[k] = beacon.segment().get(ValueLayout.JAVA_BYTE, beacon.guidOffset() + k);
        }
    }

    private static Duration d(long nanos) {
        return nanos < 0 || nanos == Long.MAX_VALUE ? null : Duration.ofNanos(nanos);
    }

    private BeaconServer snapshot(Entry e, long now) {
        return new BeaconServer(e.protocol, new InetSocketAddress(Ipv4.toAddress(e.ip), e.port), e.ifindex,
                e.ifindex == 0 ? null : interfaceNames.apply(e.ifindex),
                e.guid == null ? null : HexFormat.of().formatHex(e.guid), e.beacons, e.duplicates, e.restarts,
                e.lastId, Duration.ofNanos(now - e.firstNanos), Duration.ofNanos(now - e.lastNanos),
                d(e.lastInterval), d(e.minInterval), d(e.maxInterval));
    }

    /** Every server seen, in the order first seen. */
    public synchronized List<BeaconServer> servers(long nowNanos) {
        List<BeaconServer> out = new ArrayList<>(order.size());
        for (Entry e : order) {
            out.add(snapshot(e, nowNanos));
        }
        return out;
    }
}
