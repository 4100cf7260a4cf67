package io.meshwire.epics;

import io.meshwire.testing.AllocationMeter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwire.nic.NicSetConfig;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link NicSetTransport} on the loopback NIC with real sockets: the arrival fields of each datagram, a name server and
 * a search client over it, and no allocation per received datagram. The per-NIC behaviour with two real NICs is
 * covered by {@code interop.PerNicInteropNetnsTest}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NicSetTransportLoopbackTest {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void shouldReportLoopbackNicAndUnicastRoleWhenDatagramArrives() throws Exception {
        int lo = NetworkInterface.getByInetAddress(LOOPBACK).getIndex();
        try (NicSetTransport t = NicSetTransport.open(LOOPBACK, 0);
             DatagramSocket peer = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            assertThat(t.localPort()).isPositive();
            peer.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, new InetSocketAddress(LOOPBACK, t.localPort())));
            AtomicReference<String> seen = new AtomicReference<>();
            int n = t.receive(d -> seen.set(d.length() + " from " + d.source().getPort() + " at "
                    + d.localAddress().getHostAddress() + " to " + d.destination().getHostAddress() + " if "
                    + d.ifindex() + " " + d.role()), 8, TimeUnit.SECONDS.toNanos(5));
            assertThat(n).isEqualTo(1);
            assertThat(seen.get()).isEqualTo("3 from " + peer.getLocalPort() + " at 127.0.0.1 to 127.0.0.1 if " + lo
                    + " UNICAST");
            assertThat(t.interfaceName(lo)).isEqualTo(NetworkInterface.getByIndex(lo).getName());
            assertThat(t.interfaceName(0)).isNull();
        }
    }

    @Test
    void shouldReplyThroughLoopbackWhenSendViaNamesItsIndex() throws Exception {
        int lo = NetworkInterface.getByInetAddress(LOOPBACK).getIndex();
        try (NicSetTransport t = NicSetTransport.open(LOOPBACK, 0);
             DatagramSocket peer = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            peer.setSoTimeout(5_000);
            InetSocketAddress to = new InetSocketAddress(LOOPBACK, peer.getLocalPort());
            t.sendVia(ByteBuffer.wrap(new byte[] {7}), to, lo);
            t.sendVia(ByteBuffer.wrap(new byte[] {8}), to, 0); // unknown NIC: routed
            DatagramPacket p = new DatagramPacket(new byte[8], 8);
            peer.receive(p);
            assertThat(p.getData()[0]).isEqualTo((byte) 7);
            assertThat(p.getPort()).isEqualTo(t.localPort());
            peer.receive(p);
            assertThat(p.getData()[0]).isEqualTo((byte) 8);
            assertThat(t.socketSet().stats().sent()).isEqualTo(2);
        }
    }

    @Test
    void shouldRejectPerNicEphemeralPortsWhenOpening() {
        assertThatThrownBy(() -> NicSetTransport.open(NicSetConfig.builder().port(0).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sameEphemeralPort(true)");
    }

    @Test
    void shouldFindNamesWhenNameServerAndSearchRunOnNicSetTransports() throws Exception {
        NameDirectory d = NameDirectory.parse("test", List.of("LO:CA 127.0.0.1:15064 ca", "LO:PVA 127.0.0.1:15075 pva"),
                NameDirectory.HostResolver.system());
        try (NameServer ns = NameServer.start(List.of(NicSetTransport.open(LOOPBACK, 0),
                NicSetTransport.open(LOOPBACK, 0)), () -> d, NameServerConfig.builder().build());
             NicSetTransport client = NicSetTransport.open(LOOPBACK, 0)) {
            List<SearchTarget> targets = List.of(
                    new SearchTarget(EpicsProtocol.CA, new InetSocketAddress(LOOPBACK,
                            ns.transports().get(0).localPort()), SearchTarget.Kind.UNICAST, 0, "ns"),
                    new SearchTarget(EpicsProtocol.PVA, new InetSocketAddress(LOOPBACK,
                            ns.transports().get(1).localPort()), SearchTarget.Kind.UNICAST, 0, "ns"));
            SearchReport r = EpicsSearch.run(client, SearchClientConfig.builder().build(), List.of("LO:CA", "LO:PVA"),
                    EnumSet.allOf(EpicsProtocol.class), targets, Duration.ofSeconds(5));
            String lo = NetworkInterface.getByInetAddress(LOOPBACK).getName();
            assertThat(r.results()).as(r.toText()).filteredOn(SearchResult::found)
                    .extracting(x -> x.name() + "/" + x.protocol().label() + "=" + SearchResult.text(x.server()) + "@"
                            + x.nic())
                    .containsExactlyInAnyOrder("LO:CA/ca=127.0.0.1:15064@" + lo, "LO:PVA/pva=127.0.0.1:15075@" + lo);
            assertThat(ns.stats().found()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void shouldAllocateNothingPerDatagramWhenReceiving() throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        try (NicSetTransport t = NicSetTransport.open(LOOPBACK, 0);
             DatagramSocket peer = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            // a steady sender on another thread (its allocations are not this thread's), bounded in count
            Thread sender = Thread.ofPlatform().daemon().start(() -> {
                DatagramPacket p = new DatagramPacket(new byte[32], 32, new InetSocketAddress(LOOPBACK, t.localPort()));
                for (int i = 0; i < 2_000_000 && !done.get(); i++) {
                    try {
                        peer.send(p);
                        if ((i & 63) == 0) {
                            Thread.sleep(1); // stay within the kernel buffer
                        }
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            long[] bytes = new long[1];
            EpicsDatagramHandler handler = d -> bytes[0] += d.length() + d.ifindex() + d.source().getPort();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
            long best = AllocationMeter.bestOfRounds(5, 2_000, () -> {
                try {
                    while (t.receive(handler, 1, 0) == 0 && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            });
            done.set(true);
            sender.join(5_000);
            assertThat(bytes[0]).isPositive();
            assertThat(best).as("bytes allocated per received datagram").isLessThan(1);
        }
    }
}
