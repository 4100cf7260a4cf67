package io.meshwire.epics;

import io.meshwire.testing.AllocationMeter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwire.util.RateLimitedLog;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * The name server's beacons over real loopback sockets: received by plain transports and read with our flyweights,
 * and by {@link BeaconListener} into a {@link BeaconTracker}. Beacons go to explicit 127.0.0.1 destinations only
 * (automatic lists off), so nothing leaves the host.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NameServerBeaconsLoopbackTest {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress(LOOPBACK, 0);
    static final NameDirectory EMPTY = empty();
    static final byte[] GUID = HexFormat.of().parseHex("0102030405060708090a0b0c");
    static final Duration PERIOD = Duration.ofMillis(200);

    /** One beacon as it arrived; version = CA minor version (data type) or PVA header version. */
    record Beacon(int version, long id, int serverPort, long serverAddress, String guid, int changeCount,
            long nanos) {
    }

    static NameDirectory empty() {
        try {
            return NameDirectory.parse("empty", List.of(), NameDirectoryTest.LITERALS);
        } catch (DirectoryFormatException e) {
            throw new AssertionError(e);
        }
    }

    /** Receives beacons on one loopback socket and keeps each one, read with our flyweights. */
    static final class Receiver implements AutoCloseable {
        final EndpointTransport transport;
        final List<Beacon> beacons = new CopyOnWriteArrayList<>();
        final EpicsDropCounters drops = new EpicsDropCounters();
        final BeaconTracker tracker;
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread;
        final CaMessageFlyweight ca = new CaMessageFlyweight();
        final PvaMessageFlyweight pva = new PvaMessageFlyweight();
        final PvaBeaconFlyweight pvaBeacon = new PvaBeaconFlyweight();

        Receiver(BeaconTracker tracker) throws Exception {
            this.transport = EndpointTransport.open(LOOPBACK_ANY_PORT);
            this.tracker = tracker;
            tracker.interfaceNames(transport::interfaceName);
            thread = Thread.ofPlatform().daemon().start(() -> {
                EpicsDatagramHandler h = this::onDatagram;
                while (running.get()) {
                    try {
                        transport.receive(h, 16, TimeUnit.MILLISECONDS.toNanos(50));
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
        }

        int port() {
            return transport.localPort();
        }

        void onDatagram(EpicsDatagram d) {
            long now = System.nanoTime();
            tracker.onDatagram(d, now);
            int first = Byte.toUnsignedInt(d.memory().get(ValueLayout.JAVA_BYTE, d.offset()));
            if (first == PvaProtocol.MAGIC) {
                PvaMessageFlyweight m = pva.wrap(d.memory(), d.offset(), d.length());
                while (m.next()) {
                    if (m.command() == PvaProtocol.BEACON && m.fromServer() && pvaBeacon.wrap(m, drops)
                            && pvaBeacon.tcp()) {
                        byte[] g = new byte[PvaProtocol.GUID_LENGTH];
                        java.lang.foreign.MemorySegment.copy(pvaBeacon.segment(), ValueLayout.JAVA_BYTE,
                                pvaBeacon.guidOffset(), g, 0, g.length);
                        beacons.add(new Beacon(m.version(), pvaBeacon.sequenceId(), pvaBeacon.serverPort(),
                                pvaBeacon.serverAddress(), HexFormat.of().formatHex(g), pvaBeacon.changeCount(), now));
                    }
                }
                return;
            }
            CaMessageFlyweight m = ca.wrap(d.memory(), d.offset(), d.length());
            while (m.next()) {
                if (m.command() == CaProtocol.RSRV_IS_UP) {
                    beacons.add(new Beacon(m.dataType(), Integer.toUnsignedLong(m.parameter1()), m.dataCount(),
                            Integer.toUnsignedLong(m.parameter2()), null, 0, now));
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(5_000);
            transport.close();
        }
    }

    static BeaconTracker tracker(List<String> restarts) {
        return new BeaconTracker(16, new BeaconTracker.Listener() {
            @Override
            public void onRestart(BeaconServer s) {
                restarts.add(BeaconReport.event("restart", s));
            }
        }, new EpicsDropCounters());
    }

    static NameServerConfig config(int caRx, int pvaRx, byte[] guid, Duration period) {
        SearchResponderConfig.Builder responder = SearchResponderConfig.builder();
        if (guid != null) {
            responder.guid(guid);
        }
        return NameServerConfig.builder().responder(responder.build())
                .beacons(BeaconSenderConfig.builder().enabled(true).period(period).autoAddrList(false)
                        .caAddrList("127.0.0.1:" + caRx).pvaAddrList("127.0.0.1:" + pvaRx).build())
                .build();
    }

    static NameServer start(int caPort, int pvaPort, NameServerConfig config) throws Exception {
        Map<EpicsProtocol, EpicsTransport> t = new EnumMap<>(EpicsProtocol.class);
        t.put(EpicsProtocol.CA, EndpointTransport.open(new InetSocketAddress(LOOPBACK, caPort)));
        t.put(EpicsProtocol.PVA, EndpointTransport.open(new InetSocketAddress(LOOPBACK, pvaPort)));
        return NameServer.start(t, () -> EMPTY, config);
    }

    static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    static List<Long> intervalsMillis(List<Beacon> beacons) {
        List<Long> out = new ArrayList<>();
        for (int i = 1; i < beacons.size(); i++) {
            out.add(TimeUnit.NANOSECONDS.toMillis(beacons.get(i).nanos() - beacons.get(i - 1).nanos()));
        }
        return out;
    }

    @Test
    void shouldAnnounceBothPortsWithCountingIdsAndGrowingIntervalsWhenBeaconsAreOn() throws Exception {
        List<String> restarts = new CopyOnWriteArrayList<>();
        BeaconTracker tracker = tracker(restarts);
        try (Receiver caRx = new Receiver(tracker); Receiver pvaRx = new Receiver(tracker);
             NameServer ns = start(0, 0, config(caRx.port(), pvaRx.port(), GUID, PERIOD))) {
            int caPort = ns.transports().get(0).localPort();
            int pvaPort = ns.transports().get(1).localPort();
            // 0, 20, 60, 140, 300 (period 200 reached), 500, 700 ms
            waitFor(() -> caRx.beacons.size() >= 7 && pvaRx.beacons.size() >= 7, "7 beacons of each protocol");
            List<Beacon> ca = List.copyOf(caRx.beacons).subList(0, 7);
            List<Beacon> pva = List.copyOf(pvaRx.beacons).subList(0, 7);

            assertThat(ca).extracting(Beacon::id).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(ca).allSatisfy(b -> {
                assertThat(b.version()).isEqualTo(CaProtocol.MINOR_VERSION);
                assertThat(b.serverPort()).isEqualTo(caPort);
                assertThat(b.serverAddress()).as("server address 0: receivers take the source").isZero();
            });
            assertThat(pva).extracting(Beacon::id).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(pva).allSatisfy(b -> {
                assertThat(b.serverPort()).isEqualTo(pvaPort);
                assertThat(b.serverAddress()).isEqualTo(Ipv4.PVA_ANY);
                assertThat(b.guid()).isEqualTo("0102030405060708090a0b0c");
                assertThat(b.changeCount()).isZero();
            });
            for (List<Beacon> beacons : List.of(ca, pva)) {
                List<Long> ms = intervalsMillis(beacons);
                // nominal 20, 40, 80, 160, 200, 200: scheduling delays only lengthen an interval on the sender, the
                // receiving thread's wake-up can shift one by a few ms either way
                assertThat(ms.get(1)).as("intervals %s", ms).isGreaterThan(ms.get(0));
                assertThat(ms.get(0)).as("intervals %s", ms).isBetween(10L, 150L);
                assertThat(ms.get(2)).as("intervals %s", ms).isGreaterThanOrEqualTo(70L);
                assertThat(ms.get(3)).as("intervals %s", ms).isGreaterThanOrEqualTo(150L);
                assertThat(ms.subList(4, 6)).as("intervals %s", ms).allSatisfy(i -> assertThat(i).isBetween(185L,
                        600L));
            }

            // the same beacons through BeaconTracker: one server per protocol, at the name server's ports
            List<String> seen = tracker.servers(System.nanoTime()).stream().map(s -> BeaconReport.event("seen", s))
                    .toList();
            assertThat(seen).containsExactlyInAnyOrder("seen ca server 127.0.0.1:" + caPort + " on lo",
                    "seen pva server 127.0.0.1:" + pvaPort + " on lo guid 0102030405060708090a0b0c");
            assertThat(restarts).isEmpty();
            assertThat(ns.beaconProtocols()).containsExactly(EpicsProtocol.CA, EpicsProtocol.PVA);
            assertThat(ns.beaconsSent(EpicsProtocol.CA)).isGreaterThanOrEqualTo(7);
            assertThat(ns.beaconsSent(EpicsProtocol.PVA)).isGreaterThanOrEqualTo(7);
            assertThat(ns.beaconsSent()).isEqualTo(ns.beaconsSent(EpicsProtocol.CA)
                    + ns.beaconsSent(EpicsProtocol.PVA));
            assertThat(ns.beaconSendErrors()).isZero();
            assertThat(caRx.drops.total() + pvaRx.drops.total()).isZero();
        }
    }

    @Test
    void shouldBeSeenAsRestartWhenNameServerStartsAgainOnTheSamePorts() throws Exception {
        List<String> restarts = new CopyOnWriteArrayList<>();
        BeaconTracker tracker = tracker(restarts);
        EndpointTransport caRx = EndpointTransport.open(LOOPBACK_ANY_PORT);
        EndpointTransport pvaRx = EndpointTransport.open(LOOPBACK_ANY_PORT);
        try (BeaconListener l = BeaconListener.start(List.of(caRx, pvaRx), tracker)) {
            int caPort;
            int pvaPort;
            try (NameServer first = start(0, 0, config(caRx.localPort(), pvaRx.localPort(), null, PERIOD))) {
                caPort = first.transports().get(0).localPort();
                pvaPort = first.transports().get(1).localPort();
                waitFor(() -> tracker.servers(System.nanoTime()).size() == 2
                        && tracker.servers(System.nanoTime()).stream().allMatch(s -> s.beacons() >= 3),
                        "3 beacons of each protocol");
            }
            assertThat(restarts).isEmpty();
            // a new process on the same ports: CA beacon ids start at 0 again, the PVA GUID is a new random one
            try (NameServer second = start(caPort, pvaPort, config(caRx.localPort(), pvaRx.localPort(), null,
                    PERIOD))) {
                waitFor(() -> restarts.size() == 2, "a restart of each protocol");
            }
            assertThat(restarts).anyMatch(r -> r.startsWith("restart ca server 127.0.0.1:" + caPort + " on lo"))
                    .anyMatch(r -> r.startsWith("restart pva server 127.0.0.1:" + pvaPort + " on lo guid "));
            assertThat(tracker.servers(System.nanoTime())).hasSize(2).allSatisfy(s -> assertThat(s.restarts())
                    .isEqualTo(1));
        }
    }

    @Test
    void shouldCountErrorsAndCloseAtOnceWhenItsSocketIsClosedUnderneath() throws Exception {
        try (Receiver caRx = new Receiver(tracker(new ArrayList<>()));
             Receiver pvaRx = new Receiver(tracker(new ArrayList<>()))) {
            NameServer ns = start(0, 0, config(caRx.port(), pvaRx.port(), GUID, Duration.ofSeconds(1)));
            waitFor(() -> caRx.beacons.size() >= 2, "2 CA beacons");
            ns.transports().get(0).close(); // the CA socket dies; the beacons must fail quietly, counted
            waitFor(() -> ns.beaconSendErrors() >= 2, "2 counted beacon send errors");
            long t0 = System.nanoTime();
            ns.close();
            ns.close();
            // the receive threads notice within their 100 ms receive timeout; the next beacon is not waited for
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(1_000);
            assertThat(ns.beaconsSent(EpicsProtocol.PVA)).isPositive();
            long sent = ns.beaconsSent();
            Thread.sleep(100);
            assertThat(ns.beaconsSent()).as("nothing sent after close").isEqualTo(sent);
        }
    }

    @Test
    void shouldRefuseBeaconsWhenTransportsComeAsAList() throws Exception {
        EndpointTransport t = EndpointTransport.open(LOOPBACK_ANY_PORT);
        try {
            assertThatThrownBy(() -> NameServer.start(List.of(t), () -> EMPTY, config(1, 1, GUID, PERIOD)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Map<EpicsProtocol");
        } finally {
            t.close();
        }
    }

    @Test
    void shouldSendNoBeaconsWhenTheyAreOffOrTheProtocolIsNotAnswered() throws Exception {
        try (Receiver caRx = new Receiver(tracker(new ArrayList<>()))) {
            NameServerConfig pvaOnly = NameServerConfig.builder()
                    .responder(SearchResponderConfig.builder().answerCa(false).build())
                    .beacons(BeaconSenderConfig.builder().enabled(true).autoAddrList(false).period(PERIOD)
                            .caAddrList("127.0.0.1:" + caRx.port()).pvaAddrList("127.0.0.1:" + caRx.port()).build())
                    .build();
            try (NameServer off = start(0, 0, NameServerConfig.builder().build());
                 NameServer pva = start(0, 0, pvaOnly)) {
                assertThat(off.beaconProtocols()).isEmpty();
                assertThat(pva.beaconProtocols()).containsExactly(EpicsProtocol.PVA);
                waitFor(() -> pva.beaconsSent() >= 3, "3 PVA beacons");
                assertThat(pva.beaconsSent(EpicsProtocol.CA)).isZero();
                assertThat(off.beaconsSent()).isZero();
                assertThat(caRx.beacons).allSatisfy(b -> assertThat(b.guid()).isNotNull());
            }
        }
    }

    @Test
    void shouldAllocateNothingWhenSendingABeacon() throws Exception {
        try (Receiver caRx = new Receiver(tracker(new ArrayList<>()));
             EndpointTransport ca = EndpointTransport.open(LOOPBACK_ANY_PORT);
             EndpointTransport pva = EndpointTransport.open(LOOPBACK_ANY_PORT)) {
            BeaconSenderConfig c = BeaconSenderConfig.builder().enabled(true).autoAddrList(false)
                    .caAddrList("127.0.0.1:" + caRx.port()).pvaAddrList("127.0.0.1:" + caRx.port()).build();
            RateLimitedLog warn = new RateLimitedLog(LoggerFactory.getLogger(getClass()), 1_000);
            BeaconSender caSender = new BeaconSender(EpicsProtocol.CA, ca, c, GUID, warn);
            BeaconSender pvaSender = new BeaconSender(EpicsProtocol.PVA, pva, c, GUID, warn);
            long best = AllocationMeter.bestOfRounds(5, 500, () -> {
                caSender.sendBeacon();
                pvaSender.sendBeacon();
            });
            assertThat(caSender.errors() + pvaSender.errors()).isZero();
            assertThat(caSender.sent()).isGreaterThanOrEqualTo(3_000);
            assertThat(best).as("bytes allocated per beacon pair").isLessThan(1);
        }
    }
}
