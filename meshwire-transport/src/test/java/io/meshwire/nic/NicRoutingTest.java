package io.meshwire.nic;

import static io.meshwire.nic.FakeInterfaces.ip;
import static io.meshwire.nic.FakeInterfaces.loV4;
import static io.meshwire.nic.FakeInterfaces.loV6;
import static io.meshwire.nic.FakeInterfaces.v4;
import static io.meshwire.nic.FakeInterfaces.v6;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** IPv4 routing rules, rule by rule. */
class NicRoutingTest {

  private static final NetworkInterfaceInfo LO = loV4();
  private static final NetworkInterfaceInfo ETH0 = v4(2, "eth0", "10.1.0.5/24");
  private static final NetworkInterfaceInfo ETH1 = v4(3, "eth1", "10.2.0.5/24");

  private static Route<NetworkInterfaceInfo> route(String dest, NetworkInterfaceInfo... candidates) {
    return NicRouting.pickNic(ip(dest), List.of(candidates)).orElseThrow();
  }


  @Test
  void shouldPickSubnetNicWhenDestIsInsideItsSubnet() {
    assertThat(route("10.2.0.77", LO, ETH0, ETH1)).isEqualTo(new Route<>(ETH1, RouteReason.SUBNET));
    assertThat(route("10.1.0.1", LO, ETH0, ETH1)).isEqualTo(new Route<>(ETH0, RouteReason.SUBNET));
  }

  @Test
  void shouldPickLongestPrefixWhenSubnetsOverlap() {
    NetworkInterfaceInfo wide = v4(4, "wide", "10.0.0.1/8");
    assertThat(route("10.1.0.9", LO, wide, ETH0)).isEqualTo(new Route<>(ETH0, RouteReason.SUBNET));
    assertThat(route("10.9.0.9", LO, wide, ETH0)).isEqualTo(new Route<>(wide, RouteReason.SUBNET));
  }

  @Test
  void shouldPickFirstOfEqualPrefixesWhenTwoNicsShareASubnet() {
    NetworkInterfaceInfo twin = v4(5, "eth0b", "10.1.0.6/24");
    assertThat(route("10.1.0.9", twin, ETH0).nic()).isEqualTo(twin);
  }

  @Test
  void shouldMatchNonByteAlignedPrefixWhenDestInsideIt() {
    NetworkInterfaceInfo slash20 = v4(6, "eth20", "172.16.16.1/20");
    assertThat(route("172.16.31.200", LO, ETH0, slash20)).isEqualTo(new Route<>(slash20, RouteReason.SUBNET));
    assertThat(route("172.16.32.1", LO, ETH0, slash20).reason()).isEqualTo(RouteReason.FIRST_NON_LOOPBACK);
  }

  @Test
  void shouldPickBroadcastNicWhenDestIsItsSubnetBroadcastOutsideItsPrefix() {
    // A /32 host address with a wider broadcast (ip addr add 10.7.0.1/32 brd 10.7.255.255): the subnet rule
    // cannot match, the broadcast rule does.
    NetworkInterfaceInfo host = v4(7, "vx", "10.7.0.1/32", "10.7.255.255");
    assertThat(route("10.7.255.255", LO, ETH0, host)).isEqualTo(new Route<>(host, RouteReason.SUBNET_BROADCAST));
  }

  @Test
  void shouldPickSubnetRuleWhenDestIsBroadcastInsideThePrefix() {
    assertThat(route("10.1.0.255", LO, ETH0, ETH1)).isEqualTo(new Route<>(ETH0, RouteReason.SUBNET));
  }

  @Test
  void shouldPickLoopbackWhenDestIsIn127Slash8AndNoSubnetMatches() {
    NetworkInterfaceInfo lo32 = FakeInterfaces.loopbackFlag(v4(1, "lo", "127.0.0.1/32", null));
    assertThat(route("127.0.0.53", ETH0, lo32)).isEqualTo(new Route<>(lo32, RouteReason.LOOPBACK));
  }

  @Test
  void shouldPickLoopbackBySubnetWhenLoopbackIsSlash8() {
    assertThat(route("127.3.2.1", ETH0, LO)).isEqualTo(new Route<>(LO, RouteReason.SUBNET));
  }

  @Test
  void shouldPickDefaultRouteNicWhenNoSubnetMatches() {
    NetworkInterfaceInfo wan = v4(8, "wan", "192.0.2.10/0");
    assertThat(route("8.8.8.8", LO, ETH0, wan)).isEqualTo(new Route<>(wan, RouteReason.DEFAULT_ROUTE));
  }

  @Test
  void shouldNotLetSlash0ShadowASpecificSubnetWhenBothCouldMatch() {
    NetworkInterfaceInfo wan = v4(8, "wan", "192.0.2.10/0");
    assertThat(route("10.2.0.9", LO, wan, ETH1)).isEqualTo(new Route<>(ETH1, RouteReason.SUBNET));
  }

  @Test
  void shouldPickFirstNonLoopbackWhenNoRuleMatches() {
    assertThat(route("192.168.77.1", LO, ETH1, ETH0)).isEqualTo(new Route<>(ETH1, RouteReason.FIRST_NON_LOOPBACK));
  }

  @Test
  void shouldPickFirstNonLoopbackWhenDestIsLimitedBroadcast() {
    // Callers fan out 255.255.255.255 themselves; routing it still answers with a single fallback NIC.
    assertThat(route("255.255.255.255", LO, ETH0, ETH1))
        .isEqualTo(new Route<>(ETH0, RouteReason.FIRST_NON_LOOPBACK));
  }

  @Test
  void shouldPickFirstCandidateWhenEveryCandidateIsLoopbackAndNothingMatches() {
    assertThat(route("192.168.77.1", LO)).isEqualTo(new Route<>(LO, RouteReason.ANY));
  }

  @Test
  void shouldFallThroughToNonLoopbackWhenDestIs127AndNoLoopbackCandidate() {
    assertThat(route("127.0.0.1", ETH0, ETH1)).isEqualTo(new Route<>(ETH0, RouteReason.FIRST_NON_LOOPBACK));
  }

  @Test
  void shouldReturnEmptyWhenNoIpv4Candidate() {
    assertThat(NicRouting.pickNic(ip("10.1.0.1"), List.of())).isEmpty();
    assertThat(NicRouting.pickNic(ip("10.1.0.1"), List.of(loV6(), v6(2, "eth0", "2001:db8::1/64")))).isEmpty();
  }

  @Test
  void shouldIgnoreIpv6CandidatesWhenRoutingIpv4() {
    NetworkInterfaceInfo eth0v6 = v6(2, "eth0", "2001:db8::1/64");
    assertThat(route("192.168.77.1", loV6(), eth0v6, LO, ETH1))
        .isEqualTo(new Route<>(ETH1, RouteReason.FIRST_NON_LOOPBACK));
  }

  @Test
  void shouldReturnCallerObjectWhenRoutingBoundSockets() {
    record BoundSocket(String id, NetworkInterfaceInfo nic) {}
    List<BoundSocket> sockets = List.of(new BoundSocket("lo", LO), new BoundSocket("a", ETH0),
        new BoundSocket("b", ETH1));
    Route<BoundSocket> r = NicRouting.pickNic(ip("10.2.0.1"), sockets, BoundSocket::nic).orElseThrow();
    assertThat(r.nic().id()).isEqualTo("b");
    assertThat(r.reason()).isEqualTo(RouteReason.SUBNET);
  }

  @Test
  void shouldRejectIpv6DestWhenRoutingAnIpv4Set() {
    assertThatThrownBy(() -> NicRouting.pickNic(ip("2001:db8::1"), List.of(LO, ETH0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dest must be IPv4")
        .hasMessageContaining("2001:db8")
        .hasMessageContaining("pickNicV6");
  }

  @Test
  void shouldRejectNullsWhenArgumentsAreMissing() {
    List<NetworkInterfaceInfo> withNull = new ArrayList<>(Arrays.asList(ETH0, null));
    assertThatThrownBy(() -> NicRouting.pickNic(null, List.of(ETH0)))
        .isInstanceOf(NullPointerException.class).hasMessage("dest must not be null");
    assertThatThrownBy(() -> NicRouting.pickNic(ip("10.1.0.1"), null))
        .isInstanceOf(NullPointerException.class).hasMessage("candidates must not be null");
    assertThatThrownBy(() -> NicRouting.pickNic(ip("10.1.0.1"), List.of(ETH0), null))
        .isInstanceOf(NullPointerException.class).hasMessage("nicOf must not be null");
    assertThatThrownBy(() -> NicRouting.pickNic(ip("10.1.0.1"), withNull))
        .isInstanceOf(NullPointerException.class).hasMessage("candidates must not contain null");
    Function<String, NetworkInterfaceInfo> broken = s -> null;
    assertThatThrownBy(() -> NicRouting.pickNic(ip("10.1.0.1"), List.of("sock"), broken))
        .isInstanceOf(NullPointerException.class).hasMessage("nicOf returned null for sock");
  }

  @Test
  void shouldExplainTheRuleWhenPrinted() {
    assertThat(route("10.1.0.9", ETH0).toString())
        .isEqualTo("eth0#2 10.1.0.5/24 brd 10.1.0.255 up multicast (SUBNET: destination is inside the NIC's subnet)");
  }
}
