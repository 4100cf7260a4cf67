package io.meshwire.epics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The name server and the search client over real loopback sockets (DatagramEndpoint). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NameServerLoopbackTest {
    static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress("127.0.0.1", 0);

    static List<SearchTarget> targets(NameServer ns) {
        return List.of(
                new SearchTarget(EpicsProtocol.CA, new InetSocketAddress("127.0.0.1", ns.transports().get(0).localPort()),
                        SearchTarget.Kind.UNICAST, 0, "test"),
                new SearchTarget(EpicsProtocol.PVA,
                        new InetSocketAddress("127.0.0.1", ns.transports().get(1).localPort()),
                        SearchTarget.Kind.UNICAST, 0, "test"));
    }

    static NameServer start(NameDirectoryFile file) throws Exception {
        return NameServer.start(List.of(EndpointTransport.open(LOOPBACK_ANY_PORT),
                EndpointTransport.open(LOOPBACK_ANY_PORT)), file,
                NameServerConfig.builder().reloadPeriod(Duration.ofMillis(50)).build());
    }

    /** A name server on loopback serving {@code directory}, written to {@code names} first. */
    private static NameServer start(Path names, String directory) throws Exception {
        Files.writeString(names, directory);
        return start(NameDirectoryFile.load(names, NameDirectoryTest.LITERALS));
    }

    /** Searches {@code names} at {@code ns} from {@code client} with the default client settings. */
    private static SearchReport search(EndpointTransport client, NameServer ns, List<String> names,
            Set<EpicsProtocol> protocols, Duration timeout) throws Exception {
        return EpicsSearch.run(client, SearchClientConfig.builder().build(), names, protocols, targets(ns), timeout);
    }

    @Test
    void shouldFindEveryNameOverBothProtocolsWhenDirectoryHasThem(@TempDir Path dir) throws Exception {
        Path names = dir.resolve("names.txt");
        try (NameServer ns = start(names, "# test\nLOOP:CA 127.0.0.1:15064 ca\nLOOP:PVA 127.0.0.1:15075 pva\n"
                + "LOOP:ANY:* 0.0.0.0:16000\n");
             EndpointTransport client = EndpointTransport.open(LOOPBACK_ANY_PORT)) {
            SearchReport r = search(client, ns, List.of("LOOP:CA", "LOOP:PVA", "LOOP:ANY:1"),
                    EnumSet.allOf(EpicsProtocol.class), Duration.ofSeconds(5));
            assertThat(r.allFound()).as(r.toText()).isTrue();
            assertThat(r.results()).filteredOn(SearchResult::found)
                    .extracting(x -> x.name() + "/" + x.protocol().label() + "=" + SearchResult.text(x.server())
                            + "@" + x.nic())
                    .containsExactly("LOOP:CA/ca=127.0.0.1:15064@lo", "LOOP:PVA/pva=127.0.0.1:15075@lo",
                            "LOOP:ANY:1/ca=127.0.0.1:16000@lo", "LOOP:ANY:1/pva=127.0.0.1:16000@lo");
            assertThat(r.results()).filteredOn(SearchResult::found)
                    .allSatisfy(x -> assertThat(x.repliedBy().getPort()).isIn(ns.transports().get(0).localPort(),
                            ns.transports().get(1).localPort()));
            // two names are served over one protocol only: the run lingers 250 ms after all were found, no longer
            assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(2));
            assertThat(r.toJson()).startsWith("{\"results\":[{\"name\":\"LOOP:CA\",\"protocol\":\"ca\",\"found\":true")
                    .contains("\"allFound\":true");
            assertThat(ns.stats().found()).isGreaterThanOrEqualTo(4);
        }
    }

    @Test
    void shouldReportMissingAfterTimeoutWhenNameIsUnknown(@TempDir Path dir) throws Exception {
        Path names = dir.resolve("names.txt");
        try (NameServer ns = start(names, "KNOWN 127.0.0.1:15064\n");
             EndpointTransport client = EndpointTransport.open(LOOPBACK_ANY_PORT)) {
            long t0 = System.nanoTime();
            SearchReport r = search(client, ns, List.of("KNOWN", "UNKNOWN"), EnumSet.of(EpicsProtocol.CA),
                    Duration.ofMillis(700));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(r.allFound()).isFalse();
            assertThat(r.missing()).containsExactly("UNKNOWN");
            assertThat(ms).isBetween(650L, 3_000L);
            // 0, 32, 96, 224, 480 ms: five rounds within 700 ms
            assertThat(r.rounds()).isEqualTo(5);
            assertThat(r.toText()).contains("1 not found");
        }
    }

    @Test
    void shouldAnswerNewNamesWhenDirectoryFileChanges(@TempDir Path dir) throws Exception {
        Path names = dir.resolve("names.txt");
        try (NameServer ns = start(names, "OLD 127.0.0.1:15064\n");
             EndpointTransport client = EndpointTransport.open(LOOPBACK_ANY_PORT)) {
            Files.writeString(names, "OLD 127.0.0.1:15064\nNEW 127.0.0.1:25064\n");
            Files.setLastModifiedTime(names, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
            SearchReport r = search(client, ns, List.of("NEW"), EnumSet.of(EpicsProtocol.CA), Duration.ofSeconds(5));
            assertThat(r.allFound()).isTrue();
            assertThat(r.results().get(0).server().getPort()).isEqualTo(25064);
        }
    }

    @Test
    void shouldCountAndNotAnswerWhenDatagramIsMalformed(@TempDir Path dir) throws Exception {
        Path names = dir.resolve("names.txt");
        try (NameServer ns = start(names, "TEST:LIBCA 127.0.0.1:15064\n");
             EndpointTransport client = EndpointTransport.open(LOOPBACK_ANY_PORT)) {
            InetSocketAddress caPort = targets(ns).get(0).address();
            byte[] noVersion = java.util.Arrays.copyOfRange(CaCodecTest.LIBCA_SEARCH, 16, 48);
            client.send(ByteBuffer.wrap(noVersion), caPort);
            client.send(ByteBuffer.wrap(java.util.Arrays.copyOf(CaCodecTest.LIBCA_SEARCH, 40)), caPort);
            client.send(ByteBuffer.wrap(CaCodecTest.LIBCA_SEARCH), caPort);
            int[] got = new int[1];
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (got[0] == 0 && System.nanoTime() < deadline) {
                client.receive(d -> got[0]++, 8, TimeUnit.MILLISECONDS.toNanos(100));
            }
            // only the good datagram is answered; wait a little for anything else
            client.receive(d -> got[0]++, 8, TimeUnit.MILLISECONDS.toNanos(200));
            assertThat(got[0]).isEqualTo(1);
            assertThat(ns.drops().count(EpicsDropReason.CA_MISSING_VERSION)).isEqualTo(1);
            assertThat(ns.drops().count(EpicsDropReason.TRUNCATED)).isEqualTo(1);
        }
    }
}
