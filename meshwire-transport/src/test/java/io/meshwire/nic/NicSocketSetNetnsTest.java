package io.meshwire.nic;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwire.nic.testing.NetnsFixture;
import io.meshwire.nic.testing.NicSetProbe;
import io.meshwire.nic.testing.ProbeProcess;
import io.meshwire.transport.EndpointConfig.ReceiveMode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link NicSocketSet} on real NICs: a host namespace with two veth NICs ({@code vh1} 10.1.0.1/24, {@code vh2}
 * 10.2.0.1/24, {@code brd +}) and a peer namespace behind each. The set runs in a child JVM inside the host
 * namespace and each peer is a child JVM in its own namespace ({@link NicSetProbe}); this JVM enters nothing and
 * only reads their output. Every namespace is deleted afterwards. The sets use the default receive mode (INLINE);
 * the tests where the mode matters (a consumer that stops reading, sockets retired) run in both.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NicSocketSetNetnsTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static NetnsFixture netns;
  private static ProbeProcess host;
  private static ProbeProcess peer1;
  private static ProbeProcess peer2;
  private static int vh1;
  private static int vh2;

  @BeforeAll
  static void createNamespacesAndProbes() {
    netns = NetnsFixture.create(2);
    vh1 = netns.ifindex(netns.hostNamespace(), "vh1");
    vh2 = netns.ifindex(netns.hostNamespace(), "vh2");
    List<NetnsFixture.Veth> v = netns.veths();
    String[] java = NetnsFixture.javaCommand(NicSetProbe.class.getName());
    host = probe(netns.start(netns.hostNamespace(), java));
    peer1 = probe(netns.start(v.get(0).peerNamespace(), java));
    peer2 = probe(netns.start(v.get(1).peerNamespace(), java));
  }

  /** A child JVM running {@link NicSetProbe}, once it printed READY. */
  private static ProbeProcess probe(Process process) {
    ProbeProcess probe = new ProbeProcess(process, WAIT);
    probe.await(0, "READY"::equals);
    return probe;
  }

  @AfterAll
  static void deleteNamespaces() throws InterruptedException {
    for (ProbeProcess p : new ProbeProcess[] {host, peer1, peer2}) {
      if (p != null) {
        p.close();
      }
    }
    if (netns != null) {
      netns.close();
    }
  }

  private static int port(String line) {
    Matcher m = Pattern.compile("port=(\\d+)").matcher(line);
    assertThat(m.find()).as(line).isTrue();
    return Integer.parseInt(m.group(1));
  }

  @Test
  void shouldReachEachPeerExactlyOnceWhenFanningOutToLimitedBroadcast() throws Exception {
    peer1.command("bind lb1 0.0.0.0 47001", "BOUND lb1");
    peer2.command("bind lb2 0.0.0.0 47001", "BOUND lb2");
    host.command("open fan", "OPENED fan");
    int m1 = peer1.mark();
    int m2 = peer2.mark();

    String result = host.command("fanout fan 255.255.255.255 47001 hello-all", "FANOUT fan");

    assertThat(result).contains("attempted=2 sent=2").contains("vh1#" + vh1 + "=SENT", "vh2#" + vh2 + "=SENT");
    assertThat(peer1.await(m1, l -> l.startsWith("PEERRECV lb1"))).contains("src=10.1.0.1:", "text=hello-all");
    assertThat(peer2.await(m2, l -> l.startsWith("PEERRECV lb2"))).contains("src=10.2.0.1:", "text=hello-all");
    Thread.sleep(500); // a duplicate would have arrived by now
    assertThat(peer1.since(m1, l -> l.startsWith("PEERRECV lb1"))).hasSize(1);
    assertThat(peer2.since(m2, l -> l.startsWith("PEERRECV lb2"))).hasSize(1);
    host.command("close fan", "CLOSED fan");
  }

  @Test
  void shouldDeliverASubnetBroadcastToThatNicsBroadcastSocketWithItsMetadata() {
    String opened = host.command("open brd port=47002", "OPENED brd");
    assertThat(opened).contains("backend=NATIVE");
    assertThat(host.since(0, l -> l.startsWith("SOCKET brd BROADCAST_RX")))
        .containsExactly("SOCKET brd BROADCAST_RX vh1#" + vh1 + " 10.1.0.255:47002",
            "SOCKET brd BROADCAST_RX vh2#" + vh2 + " 10.2.0.255:47002");
    peer1.command("bind b1 10.1.0.2 0", "BOUND b1");
    peer2.command("bind b2 10.2.0.2 0", "BOUND b2");

    int m = host.mark();
    peer1.command("psend b1 10.1.0.255 47002 from-p1", "PSENT b1");
    String one = host.await(m, l -> l.startsWith("RECV brd") && l.endsWith("text=from-p1"));
    m = host.mark();
    peer2.command("psend b2 10.2.0.255 47002 from-p2", "PSENT b2");
    String two = host.await(m, l -> l.startsWith("RECV brd") && l.endsWith("text=from-p2"));

    assertThat(one).contains("role=BROADCAST_RX nic=vh1#" + vh1 + " dst=10.1.0.255 if=" + vh1 + " src=10.1.0.2:");
    assertThat(two).contains("role=BROADCAST_RX nic=vh2#" + vh2 + " dst=10.2.0.255 if=" + vh2 + " src=10.2.0.2:");
    host.command("close brd", "CLOSED brd");
  }

  @Test
  void shouldReplyThroughTheNicTheRequestCameInOnWhenTheSameAddressIsBehindBoth() {
    // 10.77.0.2 is on both peers and the host has no route to it: only the request's NIC can carry the reply
    String ns = netns.hostNamespace();
    List<NetnsFixture.Veth> v = netns.veths();
    netns.ipOk("-n", v.get(0).peerNamespace(), "addr", "add", "10.77.0.2/32", "dev", v.get(0).peerInterface());
    netns.ipOk("-n", v.get(1).peerNamespace(), "addr", "add", "10.77.0.2/32", "dev", v.get(1).peerInterface());
    // strict reverse-path filtering would drop a request from an address the host cannot route to
    netns.execOk(ns, "sh", "-c", "for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 > $f; done");
    host.command("open echo port=47003 echo", "OPENED echo");
    peer1.command("bind e1 10.77.0.2 47103", "BOUND e1");
    peer2.command("bind e2 10.77.0.2 47103", "BOUND e2");

    int h = host.mark();
    int m1 = peer1.mark();
    int m2 = peer2.mark();
    peer1.command("psend e1 10.1.0.1 47003 req-p1", "PSENT e1");
    assertThat(host.await(h, l -> l.startsWith("RECV echo"))).contains("if=" + vh1, "src=10.77.0.2:47103");
    assertThat(host.await(h, l -> l.startsWith("ECHO echo"))).isEqualTo("ECHO echo SENT");
    assertThat(peer1.await(m1, l -> l.startsWith("PEERRECV e1")))
        .isEqualTo("PEERRECV e1 src=10.1.0.1:47003 text=reply:req-p1");

    h = host.mark();
    peer2.command("psend e2 10.2.0.1 47003 req-p2", "PSENT e2");
    assertThat(host.await(h, l -> l.startsWith("RECV echo"))).contains("if=" + vh2);
    assertThat(peer2.await(m2, l -> l.startsWith("PEERRECV e2")))
        .isEqualTo("PEERRECV e2 src=10.2.0.1:47003 text=reply:req-p2");
    assertThat(peer1.since(m1, l -> l.startsWith("PEERRECV e1"))).hasSize(1);
    // plain routing has no answer for 10.77.0.2: that is why sendVia forces the NIC
    assertThat(host.command("send echo 10.77.0.2 47103 routed", "SENT echo")).isEqualTo("SENT echo NETWORK_UNREACHABLE");
    host.command("close echo", "CLOSED echo");
  }

  @Test
  void shouldBindOnePortOnEveryNicAndReceiveOnItWhenSameEphemeralPort() {
    int from = host.mark();
    int p = port(host.command("open same same", "OPENED same"));
    List<String> sockets = host.since(from, l -> l.startsWith("SOCKET same"));

    assertThat(p).isPositive();
    assertThat(sockets).containsExactly("SOCKET same UNICAST lo#1 127.0.0.1:" + p,
        "SOCKET same UNICAST vh1#" + vh1 + " 10.1.0.1:" + p, "SOCKET same UNICAST vh2#" + vh2 + " 10.2.0.1:" + p,
        "SOCKET same BROADCAST_RX vh1#" + vh1 + " 10.1.0.255:" + p,
        "SOCKET same BROADCAST_RX vh2#" + vh2 + " 10.2.0.255:" + p);
    // the kernel agrees: every socket of the host namespace on that port belongs to the set
    String ss = netns.execOk(netns.hostNamespace(), "cat", "/proc/net/udp");
    String hexPort = String.format(":%04X ", p);
    assertThat(ss.lines().filter(l -> l.contains(hexPort)).count()).isEqualTo(5);
    peer1.command("bind s1 10.1.0.2 0", "BOUND s1");
    peer2.command("bind s2 10.2.0.2 0", "BOUND s2");
    int m = host.mark();
    peer1.command("psend s1 10.1.0.1 " + p + " to-same-1", "PSENT s1");
    peer2.command("psend s2 10.2.0.1 " + p + " to-same-2", "PSENT s2");
    assertThat(host.await(m, l -> l.endsWith("text=to-same-1"))).contains("role=UNICAST nic=vh1#" + vh1);
    assertThat(host.await(m, l -> l.endsWith("text=to-same-2"))).contains("role=UNICAST nic=vh2#" + vh2);
    host.command("close same", "CLOSED same");
  }

  @ParameterizedTest
  @EnumSource(ReceiveMode.class)
  void shouldCountExactlyTheDatagramsLostWhenAFloodOverflowsATinyReceiveBuffer(ReceiveMode mode) throws Exception {
    String id = "drop-" + mode;
    String peer = "f1-" + mode;
    host.command("open " + id + " port=47004 loopback=false rcvbuf=1024 batch=4 queue=1 quiet paused mode=" + mode,
        "OPENED " + id);
    peer1.command("bind " + peer + " 10.1.0.2 0", "BOUND " + peer);
    int flood = 3000;
    // bursts of 50 keep the veth's backlog queue (netdev_max_backlog) from dropping: every loss is the socket's
    peer1.command("flood " + peer + " 10.1.0.1 47004 " + flood + " 200 50 1", "FLOODED " + peer);
    host.command("resume " + id, "RESUMED " + id);
    long received = waitStable(id);
    // the kernel reports the running drop count with the next datagram it queues: send one more
    peer1.command("psend " + peer + " 10.1.0.1 47004 marker", "PSENT " + peer);
    String count = awaitCount(id, received + 1);

    Matcher m = Pattern.compile("received=(\\d+) lastDrops=(\\d+) drops=(\\d+)").matcher(count);
    assertThat(m.find()).as(count).isTrue();
    long got = Long.parseLong(m.group(1));
    long lastDrops = Long.parseLong(m.group(2));
    long drops = Long.parseLong(m.group(3));
    assertThat(drops).as(count).isPositive();
    assertThat(lastDrops).isEqualTo(drops);
    assertThat(flood + 1 - got).as("sent - received, " + count).isEqualTo(drops);
    host.command("close " + id, "CLOSED " + id);
  }

  private static long waitStable(String id) throws InterruptedException {
    long last = -1;
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      long now = received(host.command("count " + id, "COUNT " + id));
      if (now == last) {
        return now;
      }
      last = now;
      Thread.sleep(300);
    }
    throw new AssertionError("receive count of " + id + " did not settle");
  }

  private static String awaitCount(String id, long atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String line = "";
    while (System.nanoTime() < deadline) {
      line = host.command("count " + id, "COUNT " + id);
      if (received(line) >= atLeast) {
        return line;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the marker never arrived: " + line);
  }

  private static long received(String countLine) {
    Matcher m = Pattern.compile("received=(\\d+)").matcher(countLine);
    assertThat(m.find()).as(countLine).isTrue();
    return Long.parseLong(m.group(1));
  }

  @ParameterizedTest
  @EnumSource(ReceiveMode.class)
  void shouldFollowANicAddedAndOneDeletedAtRunTimeWithinOneRefreshPeriod(ReceiveMode mode) throws Exception {
    long period = 1_000;
    // slack beyond the period: reconcile, the listener, the pipe to this JVM, and a loaded 2-core machine
    long slack = 1_000;
    String id = "follow-" + mode;
    host.command("open " + id + " port=47005 follow=" + period + " mode=" + mode, "OPENED " + id);

    int m = host.mark();
    NetnsFixture.Veth third = netns.addVeth();
    long added = System.nanoTime();
    String nic = third.hostInterface();
    String address = third.hostAddress().getHostAddress();
    int index = netns.ifindex(netns.hostNamespace(), nic);
    String unicast = host.await(m, l -> l.startsWith("ADDED " + id + " UNICAST " + nic + "#"));
    String broadcast = host.await(m, l -> l.startsWith("ADDED " + id + " BROADCAST_RX " + nic + "#"));
    long addLatency = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - added);
    assertThat(unicast).isEqualTo("ADDED " + id + " UNICAST " + nic + "#" + index + " " + address + ":47005");
    assertThat(broadcast).isEqualTo("ADDED " + id + " BROADCAST_RX " + nic + "#" + index + " "
        + third.broadcast().getHostAddress() + ":47005");
    assertThat(addLatency).as("ms from the new NIC running to its sockets").isLessThanOrEqualTo(period + slack);
    assertThat(boundSockets(third.hostAddress(), 47005)).isEqualTo(1);
    // the new NIC's socket really receives
    int r = host.mark();
    netns.execOk(third.peerNamespace(), "bash", "-c", "echo -n via-" + nic + " > /dev/udp/" + address + "/47005");
    assertThat(host.await(r, l -> l.startsWith("RECV " + id) && l.endsWith("text=via-" + nic)))
        .contains("role=UNICAST nic=" + nic + "#" + index, "if=" + index);

    m = host.mark();
    netns.deleteVeth(third);
    long deleted = System.nanoTime();
    String removed = host.await(m, l -> l.startsWith("REMOVED " + id + " UNICAST " + nic + "#"));
    long removeLatency = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - deleted);
    assertThat(removed).startsWith("REMOVED " + id + " UNICAST " + nic + "#" + index + " " + address + ":47005");
    assertThat(host.await(m, l -> l.startsWith("REMOVED " + id + " BROADCAST_RX " + nic + "#"))).isNotNull();
    assertThat(removeLatency).as("ms from the NIC's deletion to its sockets closing")
        .isLessThanOrEqualTo(period + slack);
    // the kernel outlives the address with a socket bound to it unless the set really closed it
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (boundSockets(third.hostAddress(), 47005) > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(boundSockets(third.hostAddress(), 47005)).as("sockets still bound to the removed address").isZero();
    host.command("close " + id, "CLOSED " + id);
  }

  /** How many UDP sockets of the host namespace are bound to {@code ip:port}, as the kernel lists them. */
  private static long boundSockets(java.net.Inet4Address ip, int port) {
    byte[] a = ip.getAddress();
    // /proc/net/udp prints the network-order address as a host-order hex u32: byte-reversed on little-endian
    String local = String.format(" %02X%02X%02X%02X:%04X ", a[3] & 0xff, a[2] & 0xff, a[1] & 0xff, a[0] & 0xff,
        port);
    return netns.execOk(netns.hostNamespace(), "cat", "/proc/net/udp").lines().filter(l -> l.contains(local))
        .count();
  }

  @Test
  void shouldReportIpv6DestinationAndIfindexWhenAnIpv6SetReceives() {
    String ns = netns.hostNamespace();
    List<NetnsFixture.Veth> v = netns.veths();
    // nodad: usable at once, without the ~1 s of duplicate address detection
    netns.ipOk("-n", ns, "addr", "add", "fd00:1::1/64", "dev", "vh1", "nodad");
    netns.ipOk("-n", ns, "addr", "add", "fd00:2::1/64", "dev", "vh2", "nodad");
    netns.ipOk("-n", v.get(0).peerNamespace(), "addr", "add", "fd00:1::2/64", "dev", v.get(0).peerInterface(),
        "nodad");
    int from = host.mark();
    host.command("open six family=6 port=47006 loopback=false", "OPENED six");
    assertThat(host.since(from, l -> l.startsWith("SOCKET six UNICAST")))
        .contains("SOCKET six UNICAST vh1#" + vh1 + " fd00:1:0:0:0:0:0:1:47006",
            "SOCKET six UNICAST vh2#" + vh2 + " fd00:2:0:0:0:0:0:1:47006");
    peer1.command("bind v6 fd00:1::2 47106", "BOUND v6");

    int m = host.mark();
    peer1.command("psend v6 fd00:1::1 47006 six", "PSENT v6");
    assertThat(host.await(m, l -> l.startsWith("RECV six")))
        .contains("role=UNICAST nic=vh1#" + vh1, "dst=fd00:1:0:0:0:0:0:1", "if=" + vh1, "text=six");
    int p = peer1.mark();
    assertThat(host.command("send six fd00:1::2 47106 back", "SENT six")).isEqualTo("SENT six SENT");
    assertThat(peer1.await(p, l -> l.startsWith("PEERRECV v6"))).contains("src=fd00:1:0:0:0:0:0:1:47006");
    host.command("close six", "CLOSED six");
  }
}
