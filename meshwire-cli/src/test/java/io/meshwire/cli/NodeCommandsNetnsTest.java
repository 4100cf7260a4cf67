package io.meshwire.cli;

import io.meshwire.mesh.MeshIdentity;
import io.meshwire.nic.testing.NetnsFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code meshwire sub} and {@code meshwire pub} as separate processes across two NICs, found by discovery alone: a
 * host namespace with two veth NICs ({@code vh1} 10.1.0.1/24, {@code vh2} 10.2.0.1/24) and a peer namespace behind
 * each ({@link NetnsFixture#create(int) NetnsFixture.create(2)}). The real CLI ({@link Main}) runs in child JVMs
 * started with {@code ip netns exec}: {@code sub --discover} in the host namespace, and in each peer namespace a
 * {@code pub --discover --connect NODEID} that names the subscriber by node id only (no address, no
 * {@code --beacon-target}) and sends a bounded count of reliable events. The processes' output and exit codes show
 * that each publisher found the subscriber through the NIC that faces it and that every event arrived, in order,
 * over each NIC. The subscriber also has a {@code --beacon-target}: a {@code node} on the host namespace's
 * loopback, which no NIC's broadcast reaches, finds it through that target alone. This JVM enters no namespace;
 * child processes are killed by PID and the namespaces deleted afterwards, also on failure.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NodeCommandsNetnsTest {

    private static final String PSK = "5a".repeat(32);
    private static final int EVENTS = 2_000;
    /** The {@code --seconds} bound every process gets; each ends by itself well before. */
    private static final String RUN_SECONDS = "30";
    private static final Duration START = Duration.ofSeconds(20);
    private static final Duration EXIT = Duration.ofSeconds(40);
    private static final Pattern CONNECT = Pattern.compile("(?m)^connect: ([0-9a-f]{16})@[^:]+:(\\d+)/");
    /** The loopback node's address inside the (fresh) host namespace. */
    private static final String LOOPBACK_NODE = "127.0.0.1:7000";

    private final List<CliProcess> processes = new ArrayList<>();
    private NetnsFixture netns;

    /** One CLI child JVM: its whole output kept, bounded waits. */
    private static final class CliProcess {
        private final String name;
        private final Process process;
        private final StringBuilder output = new StringBuilder();

        CliProcess(String name, Process process) {
            this.name = name;
            this.process = process;
            Thread.ofPlatform().daemon().name("pump-" + name).start(this::pump);
        }

        private void pump() {
            try (InputStream in = process.getInputStream()) {
                byte[] buffer = new byte[4096];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    synchronized (output) {
                        output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                        output.notifyAll();
                    }
                }
            } catch (IOException e) {
                synchronized (output) {
                    output.append("\n[pump failed: ").append(e).append("]\n");
                    output.notifyAll();
                }
            }
        }

        String output() {
            synchronized (output) {
                return output.toString();
            }
        }

        /** Waits until the output matches {@code pattern}; returns the match. */
        Matcher await(Pattern pattern, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (output) {
                while (true) {
                    Matcher m = pattern.matcher(output);
                    if (m.find()) {
                        return m;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || !process.isAlive()) {
                        throw new AssertionError(name + ": no match for /" + pattern + "/ within " + timeout
                                + " (alive: " + process.isAlive() + "); output:\n" + output);
                    }
                    output.wait(Math.max(1, Math.min(200, TimeUnit.NANOSECONDS.toMillis(left))));
                }
            }
        }

        /** Waits for the exit; fails (the process is killed afterwards) if it does not end in time. */
        int exitCode(Duration timeout) throws InterruptedException {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(name + " did not exit within " + timeout + "; output:\n" + output());
            }
            return process.exitValue();
        }

        /** Kills the process (by its PID) and whatever it started. */
        void kill() throws InterruptedException {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @AfterEach
    void killProcessesAndDeleteNamespaces() throws InterruptedException {
        try {
            for (CliProcess p : processes) {
                p.kill();
                System.out.println("---- meshwire " + p.name + " printed:\n" + p.output());
            }
        } finally {
            if (netns != null) {
                netns.close();
            }
        }
    }

    @Test
    void shouldDeliverEveryReliableEventInOrderThroughEachNicWhenPubFindsSubByNodeIdAlone() throws Exception {
        netns = NetnsFixture.create(2);
        List<NetnsFixture.Veth> veths = netns.veths();
        String hostId = nodeId("01");
        List<String> pubIds = List.of(nodeId("02"), nodeId("03"));

        CliProcess loopbackNode = start("node", netns.hostNamespace(), "node", "--psk", PSK, "--seed",
                "04".repeat(32), "--bind", LOOPBACK_NODE, "--seconds", RUN_SECONDS);
        loopbackNode.await(CONNECT, START);
        CliProcess sub = start("sub", netns.hostNamespace(), "sub", "--psk", PSK, "--seed", "01".repeat(32),
                "--discover", "--beacon-target", LOOPBACK_NODE, "--count", Integer.toString(2 * EVENTS),
                "--seconds", RUN_SECONDS);
        Matcher connect = sub.await(CONNECT, START);
        assertThat(connect.group(1)).isEqualTo(hostId);
        String hostPort = connect.group(2);
        // the subscriber announces through both NICs before any publisher starts, and to its beacon target
        // up to the newline: the output arrives in pieces, and a match at the end of the buffer may be half a line
        Pattern announced = Pattern.compile("(?m)^discovery: beacons on every NIC, port \\d+, through ([^\\n]*)\\n");
        String discovery = sub.await(announced, START).group(1);
        assertThat(discovery).contains("vh1 10.1.0.1").contains("vh2 10.2.0.1").endsWith("; also to " + LOOPBACK_NODE);
        // the loopback node hears the subscriber through the unicast target (no NIC's broadcast reaches it)
        loopbackNode.await(Pattern.compile("(?m)^discovered: " + hostId + " at /?127\\.0\\.0\\.1:" + hostPort
                + "\\n"), START);

        List<CliProcess> pubs = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            // by node id alone: the address and key of the subscriber come from its beacons on this NIC
            pubs.add(start("pub" + (k + 1), veths.get(k).peerNamespace(), "pub", "--psk", PSK, "--seed",
                    ("0" + (k + 2)).repeat(32), "--discover", "--connect", hostId, "--stream", "7", "--count",
                    Integer.toString(EVENTS), "--seconds", RUN_SECONDS));
        }

        int subExit = sub.exitCode(EXIT);
        List<Integer> pubExits = new ArrayList<>();
        for (CliProcess pub : pubs) {
            pubExits.add(pub.exitCode(EXIT));
        }
        String subOut = sub.output();
        assertThat(subExit).as(subOut).isZero();
        assertThat(pubExits).as("pub exit codes").containsExactly(0, 0);
        assertThat(subOut).doesNotContain("FAIL").contains("received " + thousands(2 * EVENTS) + " events");

        for (int k = 0; k < 2; k++) {
            String pubId = pubIds.get(k);
            String pubOut = pubs.get(k).output();
            String nic = "10\\." + (k + 1) + "\\.0\\.";
            String pubPort = pubs.get(k).await(CONNECT, Duration.ZERO).group(2);
            // the publisher reached the subscriber at the address of the NIC that faces it, learnt from a beacon
            assertThat(pubOut).doesNotContain("FAIL")
                    .containsPattern("(?m)^discovered: " + hostId + " at /?" + nic + "1:" + hostPort + "$")
                    .containsPattern("(?m)^session: " + hostId + " at /?" + nic + "1:" + hostPort + " up in ")
                    .contains("publishing: reliable stream 7 to " + hostId)
                    .contains("sent " + thousands(EVENTS) + " events");
            // the subscriber heard the publisher's beacon through that NIC, and every event came over it in order
            assertThat(subOut)
                    .containsPattern("(?m)^discovered: " + pubId + " at /?" + nic + "2:" + pubPort + "$")
                    .containsPattern("(?m)^peer connected: " + pubId + " at /?" + nic + "2:" + pubPort + "$")
                    .containsPattern("(?m)^from " + pubId + " stream 7: " + thousands(EVENTS)
                            + " events .*, missing 0, out of order 0$");
        }
        assertThat(subOut).containsPattern("(?m)^beacons: [1-9][0-9,]* copies sent through NICs \\(0 failed\\), "
                + "[1-9][0-9,]* heard from other nodes");
    }

    private CliProcess start(String name, String namespace, String... args) {
        // the real CLI entry point in a fresh JVM (same java binary and class path, native access granted)
        CliProcess p = new CliProcess(name, netns.start(namespace,
                NetnsFixture.javaCommand(Main.class.getName(), args)));
        processes.add(p);
        return p;
    }

    private static String nodeId(String seedByte) {
        long id = MeshIdentity.fromSeed(HexFormat.of().parseHex(seedByte.repeat(32))).nodeId();
        return String.format("%016x", id);
    }

    private static String thousands(int n) {
        return String.format(java.util.Locale.ROOT, "%,d", n);
    }
}
