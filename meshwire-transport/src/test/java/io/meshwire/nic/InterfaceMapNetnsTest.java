package io.meshwire.nic;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwire.nic.testing.InterfaceMapProbe;
import io.meshwire.nic.testing.NetnsFixture;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link InterfaceMap} over the real JDK enumerator inside a namespace with two veth NICs: a child JVM runs
 * {@link InterfaceMapProbe} in the host namespace and prints what the map sees.
 */
class InterfaceMapNetnsTest {

  private NetnsFixture netns;

  @BeforeEach
  void createNamespaces() {
    netns = NetnsFixture.create(2);
  }

  @AfterEach
  void deleteNamespaces() {
    netns.close();
  }

  @Test
  @Timeout(60)
  void shouldSeeBothVethNicsWithSubnetAndBroadcastWhenEnumeratingInANamespace() {
    String host = netns.hostNamespace();
    int vh1 = netns.ifindex(host, "vh1");
    int vh2 = netns.ifindex(host, "vh2");
    // A labelled alias: one more entry on the same NIC, not a NIC of its own.
    netns.ipOk("-n", host, "addr", "add", "10.1.0.9/24", "brd", "+", "label", "vh1:1", "dev", "vh1");

    String out = netns.execOk(host, NetnsFixture.javaCommand(InterfaceMapProbe.class.getName(), "dump",
        "10.2.0.2", "10.1.0.255", "127.0.0.1", "192.0.2.1"));

    List<String> v4 = out.lines().filter(l -> l.startsWith("ENTRY ") && !l.contains(":")).toList();
    assertThat(v4).containsExactly(
        "ENTRY lo#1 127.0.0.1/8 up loopback",
        "ENTRY vh1#" + vh1 + " 10.1.0.1/24 brd 10.1.0.255 up multicast",
        "ENTRY vh1#" + vh1 + " 10.1.0.9/24 brd 10.1.0.255 up multicast",
        "ENTRY vh2#" + vh2 + " 10.2.0.1/24 brd 10.2.0.255 up multicast");
    assertThat(out).contains(
        "ROUTE 10.2.0.2 vh2#" + vh2 + " 10.2.0.1/24 brd 10.2.0.255 up multicast (SUBNET:",
        "ROUTE 10.1.0.255 vh1#" + vh1 + " 10.1.0.1/24 brd 10.1.0.255 up multicast (SUBNET:",
        "ROUTE 127.0.0.1 lo#1 127.0.0.1/8 up loopback (SUBNET:",
        "ROUTE 192.0.2.1 vh1#" + vh1 + " 10.1.0.1/24 brd 10.1.0.255 up multicast (FIRST_NON_LOOPBACK:");
  }

  @Test
  @Timeout(90)
  void shouldReportAddedRemovedAndChangedWhenVethsChangeAtRunTime() throws Exception {
    Process probe = netns.start(netns.hostNamespace(),
        NetnsFixture.javaCommand(InterfaceMapProbe.class.getName(), "watch", "200"));
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread.ofVirtual().start(() -> pump(probe, lines));
    List<String> initial = awaitLine(lines, "READY"::equals);
    assertThat(initial).anyMatch(l -> l.startsWith("ENTRY vh1#") && l.contains(" 10.1.0.1/24 brd 10.1.0.255 up"));
    assertThat(initial).anyMatch(l -> l.startsWith("ENTRY vh2#") && l.contains(" 10.2.0.1/24 brd 10.2.0.255 up"));
    assertThat(initial).noneMatch(l -> l.contains("vh3"));

    NetnsFixture.Veth third = netns.addVeth();
    int vh3 = netns.ifindex(netns.hostNamespace(), "vh3");
    String added = awaitLine(lines, l -> l.startsWith("ADDED vh3#")).getLast();
    assertThat(added).startsWith("ADDED vh3#" + vh3 + " [10.3.0.1/24");

    netns.deleteVeth(third);
    String removed = awaitLine(lines, l -> l.startsWith("REMOVED vh3#")).getLast();
    assertThat(removed).startsWith("REMOVED vh3#" + vh3 + " [10.3.0.1/24");

    netns.ipOk("-n", netns.hostNamespace(), "link", "set", "vh2", "down");
    // Settled state: IPv4 entry down, the link-local IPv6 address gone with the link. A refresh may catch an
    // intermediate state first, so wait for the settled one.
    String vh2 = "vh2#" + netns.ifindex(netns.hostNamespace(), "vh2");
    String settled = "-> " + vh2 + " [10.2.0.1/24 down]";
    assertThat(awaitLine(lines, l -> l.startsWith("CHANGED " + vh2 + " ") && l.endsWith(settled))).isNotEmpty();

    probe.getOutputStream().close(); // the probe exits at EOF on stdin
    assertThat(probe.waitFor(20, TimeUnit.SECONDS)).as("probe exits when stdin closes").isTrue();
    assertThat(probe.exitValue()).isZero();
    List<String> rest = new ArrayList<>();
    lines.drainTo(rest);
    assertThat(rest).noneMatch(l -> l.startsWith("ADDED vh1") || l.startsWith("REMOVED vh1")
        || l.startsWith("ADDED vh2") || l.startsWith("REMOVED vh2"));
  }

  /** Reads lines until one matches; returns all lines read, the match last. */
  private static List<String> awaitLine(BlockingQueue<String> lines, Predicate<String> match)
      throws InterruptedException {
    List<String> seen = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null) {
        seen.add(line);
        if (match.test(line)) {
          return seen;
        }
      }
    }
    throw new AssertionError("no matching line from the probe within 30 s; saw " + seen);
  }

  private static void pump(Process p, BlockingQueue<String> lines) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      r.lines().forEach(lines::add);
    } catch (IOException | java.io.UncheckedIOException e) {
      lines.add("PUMP FAILED " + e);
    }
  }
}
