package io.meshwire.nic.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opentest4j.TestAbortedException;

class NetnsFixtureTest {

  private static String namespaces(NetnsFixture f) {
    return f.ipOk("netns", "list");
  }

  @Test
  @Timeout(60)
  void shouldBuildVethsOnSeparateSubnetsWithBroadcastWhenCreated() {
    try (NetnsFixture f = NetnsFixture.create(2)) {
      String host = f.ipOk("-n", f.hostNamespace(), "-o", "-4", "addr", "show");
      assertThat(host).contains("vh1    inet 10.1.0.1/24 brd 10.1.0.255", "vh2    inet 10.2.0.1/24 brd 10.2.0.255",
          "lo    inet 127.0.0.1/8");
      assertThat(f.veths()).extracting(NetnsFixture.Veth::hostInterface).containsExactly("vh1", "vh2");
      NetnsFixture.Veth second = f.veths().get(1);
      assertThat(f.ipOk("-n", second.peerNamespace(), "-o", "-4", "addr", "show", "dev", "vp2"))
          .contains("inet 10.2.0.2/24 brd 10.2.0.255");
      assertThat(f.ipOk("-n", f.hostNamespace(), "-o", "link", "show", "dev", "vh1")).contains("state UP");
      // The caller's namespace stays untouched.
      assertThat(f.ipOk("-o", "link", "show")).doesNotContain("vh1", "vp1");
    }
  }

  @Test
  @Timeout(60)
  void shouldDeleteEverythingWhenClosedAndIgnoreASecondClose() {
    NetnsFixture f = NetnsFixture.create(2);
    String host = f.hostNamespace();
    String peer = f.veths().get(0).peerNamespace();
    assertThat(namespaces(f)).contains(host, peer);
    f.close();
    f.close();
    assertThat(namespaces(f)).doesNotContain(host, peer);
    assertThatThrownBy(f::addVeth).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  @Test
  @Timeout(60)
  void shouldDeleteWhatWasBuiltWhenCreationFailsHalfway() {
    NetnsFixture.requireEnvironment();
    String prefix = "mwnic-" + ProcessHandle.current().pid() + "-";
    long before = countOurs(prefix);
    assertThatThrownBy(() -> NetnsFixture.create(3, k -> {
      if (k == 2) {
        throw new IllegalStateException("injected failure before veth 2");
      }
    })).isInstanceOf(IllegalStateException.class).hasMessage("injected failure before veth 2");
    assertThat(countOurs(prefix)).isEqualTo(before);
  }

  @Test
  @Timeout(60)
  void shouldDeleteThePeerNamespaceWhenAddingAVethFailsHalfway() {
    try (NetnsFixture f = NetnsFixture.create(1)) {
      // Occupy the name the next veth will take, so "ip link add vh2" fails after its peer namespace exists.
      f.ipOk("-n", f.hostNamespace(), "link", "add", "vh2", "type", "veth", "peer", "name", "squat2");
      assertThatThrownBy(f::addVeth).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("adding veth vh2 failed");
      assertThat(namespaces(f)).doesNotContain(f.hostNamespace().replace("-h", "-p2"));
      assertThat(f.veths()).hasSize(1);
    }
  }

  @Test
  @Timeout(60)
  void shouldAddAndDeleteAVethWhenAskedAtRunTime() {
    try (NetnsFixture f = NetnsFixture.create(1)) {
      NetnsFixture.Veth added = f.addVeth();
      assertThat(added.hostInterface()).isEqualTo("vh2");
      assertThat(f.execOk(f.hostNamespace(), "ip", "-o", "-4", "addr", "show", "dev", "vh2"))
          .contains("inet 10.2.0.1/24 brd 10.2.0.255");
      f.deleteVeth(added);
      assertThat(f.exec(f.hostNamespace(), Duration.ofSeconds(10), "ip", "link", "show", "dev", "vh2").exitCode())
          .isNotZero();
      assertThat(namespaces(f)).doesNotContain(added.peerNamespace());
      assertThatThrownBy(() -> f.deleteVeth(added)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("veth is not a current NIC");
    }
  }

  @Test
  @Timeout(60)
  void shouldReturnOutputAndExitCodeWhenExecutingInANamespace() {
    try (NetnsFixture f = NetnsFixture.create(0)) {
      NetnsFixture.ExecResult ok =
          f.exec(f.hostNamespace(), Duration.ofSeconds(10), "sh", "-c", "echo hi; echo err >&2");
      assertThat(ok.exitCode()).isZero();
      assertThat(ok.output()).contains("hi", "err");
      assertThat(f.exec(f.hostNamespace(), Duration.ofSeconds(10), "sh", "-c", "exit 3").exitCode()).isEqualTo(3);
      assertThatThrownBy(() -> f.execOk(f.hostNamespace(), "sh", "-c", "echo boom; exit 4"))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("exited 4: boom");
      assertThatThrownBy(() -> f.exec(f.hostNamespace(), Duration.ofMillis(300), "sleep", "30"))
          .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("timed out after PT0.3S");
      // Only lo exists in a fresh namespace.
      assertThat(f.execOk(f.hostNamespace(), "ip", "-o", "link")).contains("lo:").doesNotContain("vh");
    }
  }

  @Test
  void shouldFailInsteadOfSkippingWhenCiIsTrue() {
    assertThatThrownBy(() -> NetnsFixture.unavailable("not root (uid 1000)", Map.of("CI", "true")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not root (uid 1000)")
        .hasMessageContaining("CI=true");
  }

  @Test
  void shouldSkipWithTheReasonWhenNotOnCi() {
    assertThatThrownBy(() -> NetnsFixture.unavailable("not root (uid 1000)", Map.of()))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("not root (uid 1000)");
    assertThatThrownBy(() -> NetnsFixture.unavailable("no ip", Map.of("CI", "false")))
        .isInstanceOf(TestAbortedException.class);
  }

  @Test
  void shouldRejectVethCountWhenOutOfRange() {
    assertThatThrownBy(() -> NetnsFixture.create(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("vethCount must be in 0..200: -1");
  }

  private static long countOurs(String prefix) {
    String ip = NetnsFixture.requireEnvironment();
    String out = NetnsFixture.run(NetnsFixture.COMMAND_TIMEOUT, List.of(ip, "netns", "list")).output();
    return out.lines().filter(l -> l.startsWith(prefix)).count();
  }
}
