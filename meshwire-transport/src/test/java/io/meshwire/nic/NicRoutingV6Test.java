package io.meshwire.nic;

import static io.meshwire.nic.FakeInterfaces.ip;
import static io.meshwire.nic.FakeInterfaces.loV4;
import static io.meshwire.nic.FakeInterfaces.loV6;
import static io.meshwire.nic.FakeInterfaces.v4;
import static io.meshwire.nic.FakeInterfaces.v6;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** IPv6 routing rules, rule by rule. */
class NicRoutingV6Test {

  private static final NetworkInterfaceInfo LO = loV4();
  private static final NetworkInterfaceInfo ETH0 = v4(2, "eth0", "10.1.0.5/24");

  private final NetworkInterfaceInfo eth0Link = v6(2, "eth0", "fe80::2/64");
  private final NetworkInterfaceInfo eth0Global = v6(2, "eth0", "2001:db8:2::1/64");
  private final NetworkInterfaceInfo eth1Link = v6(3, "eth1", "fe80::3/64");
  private final NetworkInterfaceInfo eth1Global = v6(3, "eth1", "2001:db8:3::1/64");

  @Test
  void shouldPickNicByScopeIdWhenDestIsLinkLocal() {
    assertThat(route6("fe80::99%3", loV6(), eth0Link, eth1Link))
        .isEqualTo(new Route<>(eth1Link, RouteReason.LINK_SCOPE));
    assertThat(route6("fe80::99%2", loV6(), eth0Link, eth1Link))
        .isEqualTo(new Route<>(eth0Link, RouteReason.LINK_SCOPE));
  }

  @Test
  void shouldPreferLinkLocalEntryWhenScopedNicHasSeveralAddresses() {
    assertThat(route6("fe80::99%3", eth0Global, eth1Global, eth1Link))
        .isEqualTo(new Route<>(eth1Link, RouteReason.LINK_SCOPE));
    assertThat(route6("fe80::99%3", eth0Link, eth1Global))
        .isEqualTo(new Route<>(eth1Global, RouteReason.LINK_SCOPE));
  }

  @Test
  void shouldPickNicByScopeIdWhenDestIsLinkLocalMulticast() {
    assertThat(route6("ff02::1%3", loV6(), eth0Link, eth1Link))
        .isEqualTo(new Route<>(eth1Link, RouteReason.LINK_SCOPE));
  }

  @Test
  void shouldReturnEmptyWhenScopeIdNamesNoCandidate() {
    assertThat(NicRouting.pickNicV6(ip("fe80::99%9"), List.of(loV6(), eth0Link, eth0Global))).isEmpty();
  }

  @Test
  void shouldRejectLinkLocalDestWhenScopeIdIsMissing() {
    assertThatThrownBy(() -> NicRouting.pickNicV6(ip("fe80::99"), List.of(eth0Link)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dest fe80:0:0:0:0:0:0:99 is link-local and needs a scope id");
  }

  @Test
  void shouldPickLoopbackWhenDestIsV6Loopback() {
    assertThat(route6("::1", eth0Global, loV6())).isEqualTo(new Route<>(loV6(), RouteReason.LOOPBACK));
  }

  @Test
  void shouldPickPrefixMatchWhenDestIsInsideAPrefix() {
    assertThat(route6("2001:db8:3::42", loV6(), eth0Link, eth0Global, eth1Link, eth1Global))
        .isEqualTo(new Route<>(eth1Global, RouteReason.SUBNET));
  }

  @Test
  void shouldPickLongestPrefixWhenV6PrefixesOverlap() {
    NetworkInterfaceInfo wide = v6(4, "wide", "2001:db8::1/32");
    assertThat(route6("2001:db8:3::42", wide, eth1Global)).isEqualTo(new Route<>(eth1Global, RouteReason.SUBNET));
    assertThat(route6("2001:db8:9::42", wide, eth1Global)).isEqualTo(new Route<>(wide, RouteReason.SUBNET));
  }

  @Test
  void shouldSkipLinkLocalEntriesWhenFallingBackToFirstNonLoopback() {
    assertThat(route6("2001:db8:99::1", loV6(), eth0Link, eth1Link, eth1Global))
        .isEqualTo(new Route<>(eth1Global, RouteReason.FIRST_NON_LOOPBACK));
    assertThat(route6("2001:db8:99::1", loV6(), eth0Link, eth1Link))
        .isEqualTo(new Route<>(eth0Link, RouteReason.FIRST_NON_LOOPBACK));
  }

  @Test
  void shouldPickFirstCandidateWhenOnlyLoopbackAndNothingMatches() {
    assertThat(route6("2001:db8:99::1", loV6())).isEqualTo(new Route<>(loV6(), RouteReason.ANY));
  }

  @Test
  void shouldIgnoreIpv4CandidatesAndReturnEmptyWhenNoV6Candidate() {
    assertThat(NicRouting.pickNicV6(ip("2001:db8::1"), List.of(LO, ETH0))).isEmpty();
  }

  @Test
  void shouldRejectIpv4DestWhenRoutingV6() {
    assertThatThrownBy(() -> NicRouting.pickNicV6(ip("10.1.0.1"), List.of(eth0Global)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dest must be IPv6")
        .hasMessageContaining("10.1.0.1");
    assertThatThrownBy(() -> NicRouting.pickNicV6(null, List.of(eth0Global)))
        .isInstanceOf(NullPointerException.class).hasMessage("dest must not be null");
  }

  private static Route<NetworkInterfaceInfo> route6(String dest, NetworkInterfaceInfo... candidates) {
    return NicRouting.pickNicV6(ip(dest), List.of(candidates)).orElseThrow();
  }
}
