package io.meshwire.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwire.epics.EndpointTransport;
import io.meshwire.epics.NameDirectory;
import io.meshwire.epics.NameServer;
import io.meshwire.epics.NameServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code meshwire epics ...} end to end on loopback. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EpicsCommandTest {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @AfterEach
    void restoreEnvironment() {
        EpicsCommand.environment = System.getenv();
    }

    static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            return s.getLocalPort();
        }
    }

    static NameServer nameServer(String... lines) throws Exception {
        NameDirectory d = NameDirectory.parse("test", List.of(lines), NameDirectory.HostResolver.system());
        return NameServer.start(List.of(EndpointTransport.open(new InetSocketAddress("127.0.0.1", 0)),
                EndpointTransport.open(new InetSocketAddress("127.0.0.1", 0))), () -> d,
                NameServerConfig.builder().build());
    }

    @Test
    void shouldExitZeroAndPrintServerWhenEveryNameIsFound() throws Exception {
        try (NameServer ns = nameServer("CLI:A 127.0.0.1:15064", "CLI:B 127.0.0.1:15075 pva")) {
            int ca = ns.transports().get(0).localPort();
            int pva = ns.transports().get(1).localPort();
            EpicsCommand.environment = Map.of("EPICS_CA_ADDR_LIST", "127.0.0.1:" + ca, "EPICS_CA_AUTO_ADDR_LIST", "NO",
                    "EPICS_PVA_ADDR_LIST", "127.0.0.1:" + pva, "EPICS_PVA_AUTO_ADDR_LIST", "NO");
            int code = run("epics", "search", "CLI:A", "CLI:B", "--timeout", "5", "--bind", "127.0.0.1");
            assertThat(code).as(out + "" + err).isZero();
            assertThat(out.toString()).containsPattern("CLI:A\\s+ca\\s+yes\\s+127.0.0.1:15064\\s+127.0.0.1:" + ca
                    + "\\s+lo").containsPattern("CLI:B\\s+pva\\s+yes\\s+127.0.0.1:15075").contains("all found");
        }
    }

    @Test
    void shouldExitOneWithJsonWhenANameIsMissing() throws Exception {
        try (NameServer ns = nameServer("CLI:A 127.0.0.1:15064")) {
            int ca = ns.transports().get(0).localPort();
            EpicsCommand.environment = Map.of();
            int code = run("epics", "search", "CLI:A", "CLI:MISSING", "--protocol", "ca", "--timeout", "0.5",
                    "--json", "--ca-addr-list", "127.0.0.1:" + ca, "--auto-addr-list", "NO", "--bind", "127.0.0.1");
            assertThat(code).isEqualTo(1);
            assertThat(out.toString().strip()).startsWith("{\"results\":[").endsWith("}")
                    .contains("{\"name\":\"CLI:MISSING\",\"protocol\":\"ca\",\"found\":false}")
                    .contains("\"allFound\":false");
        }
    }

    @Test
    void shouldExitTwoNamingTheVariableWhenEnvironmentIsInvalid() {
        EpicsCommand.environment = Map.of("EPICS_CA_AUTO_ADDR_LIST", "perhaps");
        assertThat(run("epics", "search", "X")).isEqualTo(2);
        assertThat(err.toString()).contains("EPICS_CA_AUTO_ADDR_LIST='perhaps' is not a boolean: use YES or NO");
        EpicsCommand.environment = Map.of("EPICS_CA_AUTO_ADDR_LIST", "NO");
        assertThat(run("epics", "search", "X", "--protocol", "ca")).isEqualTo(2);
        assertThat(err.toString()).contains("no ca search destination");
    }

    @Test
    void shouldAnswerSearchesWhenNameserverCommandRuns(@TempDir Path dir) throws Exception {
        Path names = dir.resolve("names.txt");
        Files.writeString(names, "NS:* 127.0.0.1:15064\n");
        int ca = freeUdpPort();
        int pva = freeUdpPort();
        EpicsCommand.environment = Map.of();
        CompletableFuture<Integer> server = CompletableFuture.supplyAsync(() -> run("epics", "nameserver",
                "--directory", names.toString(), "--bind", "127.0.0.1", "--ca-port", "" + ca, "--pva-port", "" + pva,
                "--duration", "4"));
        StringWriter searchOut = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(searchOut, true));
        int code = cl.execute("epics", "search", "NS:ONE", "--timeout", "3", "--auto-addr-list", "NO",
                "--ca-addr-list", "127.0.0.1:" + ca, "--pva-addr-list", "127.0.0.1:" + pva, "--bind", "127.0.0.1");
        assertThat(code).as(searchOut.toString()).isZero();
        assertThat(server.get(20, TimeUnit.SECONDS)).isZero();
        assertThat(out.toString()).contains("1 entries from").contains("ca on udp port " + ca + " (lo 127.0.0.1)")
                .containsPattern("names searched: ca [1-9]")
                .containsPattern("replies sent per NIC: port " + ca + " lo 127.0.0.1 [1-9]");
    }

    @Test
    void shouldSendBeaconsToTheListedDestinationsWhenNameserverRunsWithBeacons(@TempDir Path dir) throws Exception {
        Path names = dir.resolve("names.txt");
        Files.writeString(names, "NS:* 127.0.0.1:15064\n");
        int ca = freeUdpPort();
        int pva = freeUdpPort();
        try (DatagramSocket caRx = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             DatagramSocket pvaRx = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            // explicit loopback destinations only: nothing may leave the host
            EpicsCommand.environment = Map.of("EPICS_CAS_AUTO_BEACON_ADDR_LIST", "NO",
                    "EPICS_PVAS_AUTO_BEACON_ADDR_LIST", "NO",
                    "EPICS_CAS_BEACON_ADDR_LIST", "127.0.0.1:" + caRx.getLocalPort(),
                    "EPICS_PVAS_BEACON_ADDR_LIST", "127.0.0.1:" + pvaRx.getLocalPort());
            CompletableFuture<Integer> server = CompletableFuture.supplyAsync(() -> run("epics", "nameserver",
                    "--directory", names.toString(), "--bind", "127.0.0.1", "--ca-port", "" + ca, "--pva-port",
                    "" + pva, "--beacons", "--beacon-period", "0.1", "--duration", "1"));
            caRx.setSoTimeout(10_000);
            pvaRx.setSoTimeout(10_000);
            java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[128], 128);
            caRx.receive(p);
            // RSRV_IS_UP (13), minor version 13, the CA port, beacon id 0, address 0
            assertThat(java.util.Arrays.copyOf(p.getData(), p.getLength())).containsExactly(0, 13, 0, 0, 0, 13,
                    (byte) (ca >> 8), (byte) ca, 0, 0, 0, 0, 0, 0, 0, 0);
            pvaRx.receive(p);
            assertThat(p.getData()[0] & 0xFF).isEqualTo(0xCA);
            assertThat(p.getData()[3]).as("CMD_BEACON").isZero();
            assertThat(server.get(20, TimeUnit.SECONDS)).isZero();
        }
        assertThat(out.toString()).contains("beacons: ca (port " + ca + ") to 127.0.0.1:")
                .contains("pva (port " + pva + ") to 127.0.0.1:").contains("every 0.02..0.1 s")
                .containsPattern("beacons sent: ca [1-9][0-9]*, pva [1-9][0-9]*; beacon send errors 0")
                .contains("replies and beacons sent per NIC:");
    }

    @Test
    void shouldExitTwoWhenBeaconPeriodIsGivenWithoutBeacons(@TempDir Path dir) throws Exception {
        Path names = dir.resolve("names.txt");
        Files.writeString(names, "NS:* 127.0.0.1:15064\n");
        EpicsCommand.environment = Map.of();
        assertThat(run("epics", "nameserver", "--directory", names.toString(), "--beacon-period", "1")).isEqualTo(2);
        assertThat(err.toString()).contains("--beacon-period needs --beacons");
        assertThat(run("epics", "nameserver", "--directory", names.toString(), "--beacons", "--beacon-period",
                "0.001")).isEqualTo(2);
        assertThat(err.toString()).contains("--beacon-period must be 0.02..3600 seconds");
        EpicsCommand.environment = Map.of("EPICS_CAS_BEACON_PERIOD", "soon");
        assertThat(run("epics", "nameserver", "--directory", names.toString(), "--beacons")).isEqualTo(2);
        assertThat(err.toString()).contains("EPICS_CAS_BEACON_PERIOD='soon' is not a period");
    }

    @Test
    void shouldExitTwoWithLineNumberWhenDirectoryIsBad(@TempDir Path dir) throws Exception {
        Path names = dir.resolve("names.txt");
        Files.writeString(names, "GOOD 127.0.0.1:1\nBAD\n");
        assertThat(run("epics", "nameserver", "--directory", names.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("names.txt:2: expected 'NAME-OR-GLOB HOST:PORT");
        assertThat(run("epics", "nameserver", "--directory", dir.resolve("none").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("no such directory file");
    }

    @Test
    void shouldPrintTableWhenBeaconsRunForADuration() throws Exception {
        int ca = freeUdpPort();
        int pva = freeUdpPort();
        EpicsCommand.environment = Map.of("EPICS_CA_REPEATER_PORT", "" + ca, "EPICS_PVA_BROADCAST_PORT", "" + pva);
        CompletableFuture<Integer> watcher = CompletableFuture.supplyAsync(() -> run("epics", "beacons",
                "--bind", "127.0.0.1", "--duration", "3"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!out.toString().contains("meshwire epics beacons:") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        byte[] beacon = {0, 13, 0, 0, 0, 13, 0x13, (byte) 0xc8, 0, 0, 0, 1, 0, 0, 0, 0};
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            for (int i = 0; i < 10; i++) {
                beacon[11] = (byte) (i + 1);
                s.send(new java.net.DatagramPacket(beacon, beacon.length, new InetSocketAddress("127.0.0.1", ca)));
                Thread.sleep(100);
            }
        }
        assertThat(watcher.get(20, TimeUnit.SECONDS)).isZero();
        assertThat(out.toString()).contains("new ca server 127.0.0.1:5064 on lo").contains("1 server");
    }
}
