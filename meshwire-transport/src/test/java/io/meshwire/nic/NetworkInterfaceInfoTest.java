package io.meshwire.nic;

import static io.meshwire.nic.FakeInterfaces.ip;
import static io.meshwire.nic.FakeInterfaces.loV4;
import static io.meshwire.nic.FakeInterfaces.v4;
import static io.meshwire.nic.FakeInterfaces.v6;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NetworkInterfaceInfoTest {

  @Test
  void shouldDeriveNetmaskWhenPrefixIsGiven() {
    assertThat(v4(2, "eth0", "10.1.0.5/24").netmask()).isEqualTo(ip("255.255.255.0"));
    assertThat(v4(2, "eth0", "10.1.0.5/20").netmask()).isEqualTo(ip("255.255.240.0"));
    assertThat(v4(2, "eth0", "10.1.0.5/32").netmask()).isEqualTo(ip("255.255.255.255"));
    assertThat(v4(2, "eth0", "10.1.0.5/0").netmask()).isEqualTo(ip("0.0.0.0"));
    assertThat(v6(2, "eth0", "2001:db8::1/64").netmask()).isEqualTo(ip("ffff:ffff:ffff:ffff::"));
  }

  @Test
  void shouldContainAddressWhenInsideSubnet() {
    NetworkInterfaceInfo e = v4(2, "eth0", "172.16.16.1/20");
    assertThat(e.subnetContains(ip("172.16.31.255"))).isTrue();
    assertThat(e.subnetContains(ip("172.16.32.0"))).isFalse();
    assertThat(e.subnetContains(ip("2001:db8::1"))).isFalse();
    assertThat(v6(2, "eth0", "2001:db8::1/64").subnetContains(ip("2001:db8::ffff"))).isTrue();
    assertThat(v6(2, "eth0", "2001:db8::1/64").subnetContains(ip("2001:db9::1"))).isFalse();
  }

  @Test
  void shouldContainNothingWhenPrefixIsZero() {
    NetworkInterfaceInfo wan = v4(2, "wan", "192.0.2.1/0");
    assertThat(wan.subnetContains(ip("8.8.8.8"))).isFalse();
    assertThat(wan.isDefaultRoute()).isTrue();
    assertThat(FakeInterfaces.loopbackFlag(wan).isDefaultRoute()).isFalse();
  }

  @Test
  void shouldDeriveFlagsWhenAsked() {
    NetworkInterfaceInfo eth0 = v4(2, "eth0", "10.1.0.5/24");
    assertThat(eth0.upNonLoopback()).isTrue();
    assertThat(eth0.isIpv4()).isTrue();
    assertThat(eth0.isIpv6()).isFalse();
    assertThat(FakeInterfaces.down(eth0).upNonLoopback()).isFalse();
    assertThat(loV4().upNonLoopback()).isFalse();
    assertThat(eth0.broadcast()).contains((Inet4Address) ip("10.1.0.255"));
    assertThat(eth0.cidr()).isEqualTo("10.1.0.5/24");
    assertThat(eth0).hasToString("eth0#2 10.1.0.5/24 brd 10.1.0.255 up multicast");
    assertThat(FakeInterfaces.down(loV4())).hasToString("lo#1 127.0.0.1/8 down loopback");
  }

  @Test
  void shouldRejectComponentsWhenInvalid() {
    var a = ip("10.1.0.5");
    Optional<Inet4Address> none = Optional.empty();
    assertThatThrownBy(() -> new NetworkInterfaceInfo(-1, "eth0", a, 24, none, true, false, true))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("index must be >= 0: -1");
    assertThatThrownBy(() -> new NetworkInterfaceInfo(2, " ", a, 24, none, true, false, true))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("name must not be blank");
    assertThatThrownBy(() -> new NetworkInterfaceInfo(2, null, a, 24, none, true, false, true))
        .isInstanceOf(NullPointerException.class).hasMessage("name must not be null");
    assertThatThrownBy(() -> new NetworkInterfaceInfo(2, "eth0", null, 24, none, true, false, true))
        .isInstanceOf(NullPointerException.class).hasMessage("address must not be null");
    assertThatThrownBy(() -> new NetworkInterfaceInfo(2, "eth0", a, 24, null, true, false, true))
        .isInstanceOf(NullPointerException.class).hasMessageStartingWith("broadcast must not be null");
    assertThatThrownBy(() -> new NetworkInterfaceInfo(2, "eth0", a, 33, none, true, false, true))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("prefixLength must be in 0..32 for 10.1.0.5: 33");
    assertThatThrownBy(() -> new NetworkInterfaceInfo(2, "eth0", ip("::2"), 129, none, true, false, true))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("prefixLength must be in 0..128");
    Optional<Inet4Address> brd = Optional.of((Inet4Address) ip("10.1.0.255"));
    assertThatThrownBy(() -> new NetworkInterfaceInfo(2, "eth0", ip("::2"), 64, brd, true, false, true))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("broadcast must be empty for IPv6");
    assertThatThrownBy(() -> v4(2, "eth0", "10.1.0.5/24").subnetContains(null))
        .isInstanceOf(NullPointerException.class).hasMessage("candidate must not be null");
  }

  @Test
  void shouldRejectNicWhenEntriesBelongElsewhereOrAreEmpty() {
    assertThatThrownBy(() -> new Nic(2, "eth0", List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("entries must not be empty for NIC eth0#2");
    assertThatThrownBy(() -> new Nic(2, "eth0", List.of(v4(3, "eth0", "10.1.0.5/24"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("entries must all belong to eth0#2");
  }
}
