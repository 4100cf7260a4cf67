package io.meshwire.cli;

import io.meshwire.mesh.MeshConfig;
import io.meshwire.mesh.NicBeaconSender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code meshwire node}, {@code sub}, {@code pub} and {@code keygen} through picocli, in-process on loopback: a
 * subscriber and a publisher exchange a bounded count, and wrong options fail with messages that name the fix.
 */
class NodeCommandsTest {

    private static final String PSK = "5a".repeat(32);
    private static final Pattern CONNECT = Pattern.compile("(?m)^connect: (\\S+)");

    /** One command run in-process with its output captured. */
    private record Run(CompletableFuture<Integer> exit, StringWriter out, StringWriter err) {
        static Run start(String... args) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cli = new CommandLine(new Main()).setOut(new PrintWriter(out, true))
                    .setErr(new PrintWriter(err, true));
            CompletableFuture<Integer> exit = new CompletableFuture<>();
            Thread.ofPlatform().name("cli-" + args[0]).daemon().start(() -> exit.complete(cli.execute(args)));
            return new Run(exit, out, err);
        }

        String connectString() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                Matcher m = CONNECT.matcher(out.toString());
                if (m.find()) {
                    return m.group(1);
                }
                Thread.sleep(10);
            }
            throw new AssertionError("no connect line in: " + out + err);
        }

        int await() throws Exception {
            int code = exit.get(60, TimeUnit.SECONDS);
            System.out.print(out);
            System.err.print(err);
            return code;
        }
    }

    private static int run(StringWriter out, StringWriter err, String... args) {
        return new CommandLine(new Main()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(args);
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldDeliverEveryEventWhenPubPublishesToSubscribedChannel() throws Exception {
        Run sub = Run.start("sub", "--psk", PSK, "--bind", "127.0.0.1:0", "--channel", "sensors/lidar",
                "--count", "3000", "--seconds", "40");
        String target = sub.connectString();

        Run pub = Run.start("pub", "--psk", PSK, "--bind", "127.0.0.1:0", "--connect", target,
                "--channel", "sensors/lidar", "--count", "3000", "--size", "100", "--seconds", "40");

        assertThat(pub.await()).isZero();
        assertThat(sub.await()).isZero();
        assertThat(pub.out().toString()).contains("publishing: reliable to channel sensors/lidar (1 subscribers)")
                .contains("sent 3,000 events");
        assertThat(sub.out().toString()).contains("subscribed: channel sensors/lidar")
                .contains("received 3,000 events").contains("missing 0, out of order 0");
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldDeliverEveryEventWhenPubSendsOnAStreamToANodeFoundByItsBeacons() throws Exception {
        int pubPort = freePort();
        Run sub = Run.start("sub", "--psk", PSK, "--bind", "127.0.0.1:0", "--beacon-target", "127.0.0.1:" + pubPort,
                "--count", "2000", "--seconds", "40");
        String target = sub.connectString();
        String nodeId = target.substring(0, target.indexOf('@'));
        String address = target.substring(target.indexOf('@') + 1, target.indexOf('/'));

        // by node id alone: the sub's address and key come from its beacons; ours tell it who we are
        Run pub = Run.start("pub", "--psk-file", keyFile(PSK).toString(), "--bind", "127.0.0.1:" + pubPort,
                "--beacon-target", address, "--connect", nodeId, "--stream", "7", "--count", "2000", "--rate",
                "20000", "--seconds", "40");

        assertThat(pub.await()).isZero();
        assertThat(sub.await()).isZero();
        assertThat(pub.out().toString()).contains("publishing: reliable stream 7");
        assertThat(sub.out().toString()).contains("stream 7: 2,000 events").contains("received 2,000 events");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldPrintIdentityAndConnectStringWhenNodeRuns() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String seed = "11".repeat(32);

        int exit = run(out, err, "node", "--psk", PSK, "--seed", seed, "--bind", "127.0.0.1:0", "--seconds", "0.5");

        assertThat(exit).as(err.toString()).isZero();
        String id = String.format("%016x", io.meshwire.mesh.MeshIdentity.fromSeed(bytes(seed)).nodeId());
        assertThat(out.toString()).contains("node: node id " + id).containsPattern("connect: " + id + "@127\\.0\\.0\\.1:\\d+/[0-9a-f]{64}");
    }

    @Test
    void shouldNameTheFixWhenPskIsMissingOrMalformed() throws Exception {
        List<String> messages = new ArrayList<>();
        for (String[] args : List.of(
                new String[] {"node", "--seconds", "1"},
                new String[] {"node", "--psk", "abc", "--seconds", "1"},
                new String[] {"sub", "--psk-file", "/nonexistent/mesh.psk"},
                new String[] {"pub", "--psk", PSK, "--psk-file", keyFile(PSK).toString(), "--count", "1",
                        "--channel", "x"})) {
            StringWriter err = new StringWriter();
            assertThat(run(new StringWriter(), err, args)).isEqualTo(2);
            messages.add(err.toString());
        }
        assertThat(messages.get(0)).contains("no PSK").contains("--psk-file").contains("meshwire keygen");
        assertThat(messages.get(1)).contains("--psk: expected 64 hex digits (32 bytes), got 3 characters")
                .contains("meshwire keygen");
        assertThat(messages.get(2)).contains("--psk-file /nonexistent/mesh.psk: cannot read the file");
        assertThat(messages.get(3)).contains("--psk and --psk-file both given");
    }

    @Test
    void shouldNameTheExpectedFormWhenConnectOrBindIsMalformed() {
        StringWriter err = new StringWriter();
        assertThat(run(new StringWriter(), err, "pub", "--psk", PSK, "--connect", "xyz@127.0.0.1:7000/00", "--count",
                "1")).isEqualTo(2);
        assertThat(err.toString()).contains("--connect xyz@127.0.0.1:7000/00").contains("NODEID@HOST:PORT/KEY");

        StringWriter err2 = new StringWriter();
        assertThat(run(new StringWriter(), err2, "pub", "--psk", PSK, "--connect", "1a@127.0.0.1:7000/00", "--count",
                "1")).isEqualTo(2);
        assertThat(err2.toString()).contains("--connect key: expected 64 hex digits");

        StringWriter err3 = new StringWriter();
        assertThat(run(new StringWriter(), err3, "node", "--psk", PSK, "--bind", "localhost")).isEqualTo(2);
        assertThat(err3.toString()).contains("--bind localhost: expected HOST:PORT");

        StringWriter err4 = new StringWriter();
        assertThat(run(new StringWriter(), err4, "pub", "--psk", PSK)).isEqualTo(2);
        assertThat(err4.toString()).contains("no target").contains("--connect").contains("--channel");
    }

    @Test
    void shouldBeaconOnEveryNicAndToTheTargetsWhenDiscoverAndBeaconTargetAreBothGiven() {
        // parsed and configured only: starting a --discover node here would broadcast on this host's NICs
        for (String command : List.of("node", "sub", "pub")) {
            CommandLine.ParseResult parsed = new CommandLine(new Main()).parseArgs(command, "--psk", PSK, "--discover",
                    "--beacon-target", "127.0.0.1:7000", "--beacon-target", "127.0.0.1:7001");
            MeshOptions options = (MeshOptions) parsed.subcommand().commandSpec().mixins().values().stream()
                    .map(CommandLine.Model.CommandSpec::userObject).filter(MeshOptions.class::isInstance)
                    .findFirst().orElseThrow();

            MeshConfig config = options.config();

            assertThat(config.beaconSender()).as(command).isInstanceOf(NicBeaconSender.Factory.class);
            assertThat(config.beaconTargets()).as(command).containsExactly(new InetSocketAddress("127.0.0.1", 7000),
                    new InetSocketAddress("127.0.0.1", 7001));
        }
    }

    @Test
    void shouldNameTheFixWhenDiscoverIsCombinedWithWhatItCannotServe() {
        StringWriter err2 = new StringWriter();
        assertThat(run(new StringWriter(), err2, "node", "--psk", PSK, "--discover", "--bind", "127.0.0.1:0"))
                .isEqualTo(2);
        assertThat(err2.toString()).contains("--discover with --bind 127.0.0.1:0").contains("bind 0.0.0.0")
                .contains("--beacon-target instead");

        StringWriter err3 = new StringWriter();
        assertThat(run(new StringWriter(), err3, "pub", "--psk", PSK, "--beacon-port", "47951", "--connect", "1a",
                "--count", "1")).isEqualTo(2);
        assertThat(err3.toString()).contains("--beacon-port 47951 without --discover");

        StringWriter err4 = new StringWriter();
        assertThat(run(new StringWriter(), err4, "pub", "--psk", PSK, "--discover", "--beacon-port", "0",
                "--connect", "1a", "--count", "1")).isEqualTo(2);
        assertThat(err4.toString()).contains("--beacon-port 0 must be in 1..65535");
    }

    @Test
    void shouldDescribeDiscoveryOnEveryNicWhenHelpIsAsked() {
        for (String command : List.of("node", "sub", "pub")) {
            StringWriter out = new StringWriter();
            assertThat(run(out, new StringWriter(), command, "--help")).isZero();
            assertThat(out.toString()).as(command).contains("--discover").contains("--beacon-port=PORT")
                    .contains("On every NIC");
        }
    }

    @Test
    void shouldPrintA32ByteHexKeyWhenKeygenRuns() {
        StringWriter out = new StringWriter();
        assertThat(run(out, new StringWriter(), "keygen")).isZero();
        assertThat(out.toString().strip()).matches("[0-9a-f]{64}");
    }

    private static int freePort() throws Exception {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static Path keyFile(String hex) throws Exception {
        Path file = Files.createTempFile("meshwire-test", ".psk");
        file.toFile().deleteOnExit();
        Files.writeString(file, "# test key\n" + hex + "\n");
        return file;
    }

    private static byte[] bytes(String hex) {
        return java.util.HexFormat.of().parseHex(hex);
    }
}
