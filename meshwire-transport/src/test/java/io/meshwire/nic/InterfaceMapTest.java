package io.meshwire.nic;

import static io.meshwire.nic.FakeInterfaces.ip;
import static io.meshwire.nic.FakeInterfaces.loV4;
import static io.meshwire.nic.FakeInterfaces.loV6;
import static io.meshwire.nic.FakeInterfaces.v4;
import static io.meshwire.nic.FakeInterfaces.v6;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class InterfaceMapTest {

  private static final NetworkInterfaceInfo ETH0 = v4(2, "eth0", "10.1.0.5/24");
  private static final NetworkInterfaceInfo ETH0_V6 = v6(2, "eth0", "fe80::2/64");
  private static final NetworkInterfaceInfo ETH1 = v4(3, "eth1", "10.2.0.5/24");

  /** Records listener calls as strings, in order. */
  private static final class Recorder implements InterfaceListener {
    final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    @Override
    public void onInterfaceAdded(Nic nic) {
      events.add("added " + nic);
    }

    @Override
    public void onInterfaceRemoved(Nic nic) {
      events.add("removed " + nic);
    }

    @Override
    public void onInterfaceChanged(Nic before, Nic after) {
      events.add("changed " + before + " -> " + after);
    }

    List<String> drain() {
      List<String> out = new java.util.ArrayList<>();
      events.drainTo(out);
      return out;
    }
  }

  @Test
  void shouldSortByIndexThenIpv4FirstThenAddressWhenEnumerationOrderDiffers() throws IOException {
    NetworkInterfaceInfo alias = v4(2, "eth0", "10.1.0.9/24");
    FakeInterfaces fake = FakeInterfaces.builder()
        .add(ETH1).add(ETH0_V6).add(alias).add(ETH0).add(loV6()).add(loV4()).build();
    try (InterfaceMap map = InterfaceMap.create(fake)) {
      assertThat(map.all()).containsExactly(loV4(), loV6(), ETH0, alias, ETH0_V6, ETH1);
    }
  }

  @Test
  void shouldAnswerQueriesFromTheSnapshotWhenAsked() throws IOException {
    NetworkInterfaceInfo down = FakeInterfaces.down(v4(4, "eth2", "10.3.0.5/24"));
    FakeInterfaces fake = FakeInterfaces.builder().loopback().add(ETH0).add(ETH0_V6).add(ETH1).add(down).build();
    try (InterfaceMap map = InterfaceMap.create(fake)) {
      assertThat(map.upNonLoopback()).containsExactly(ETH0, ETH0_V6, ETH1);
      assertThat(map.ipv4()).containsExactly(loV4(), ETH0, ETH1, down);
      assertThat(map.byIndex(2)).containsExactly(ETH0, ETH0_V6);
      assertThat(map.byIndex(99)).isEmpty();
      assertThat(map.byAddress(ip("10.2.0.5"))).contains(ETH1);
      assertThat(map.byAddress(ip("fe80::2"))).contains(ETH0_V6);
      assertThat(map.byAddress(ip("10.9.9.9"))).isEmpty();
      assertThat(map.nics()).extracting(Nic::name).containsExactly("lo", "eth0", "eth1", "eth2");
      assertThat(map.nics().get(1).entries()).containsExactly(ETH0, ETH0_V6);
    }
  }

  @Test
  void shouldRouteAmongUpInterfacesWhenAskedForARoute() throws IOException {
    NetworkInterfaceInfo down = FakeInterfaces.down(v4(4, "eth2", "10.3.0.5/24"));
    FakeInterfaces fake = FakeInterfaces.builder().loopback().add(ETH0).add(ETH0_V6).add(down).build();
    try (InterfaceMap map = InterfaceMap.create(fake)) {
      assertThat(map.route(ip("10.1.0.9")).orElseThrow()).isEqualTo(new Route<>(ETH0, RouteReason.SUBNET));
      assertThat(map.route(ip("10.3.0.9")).orElseThrow()).isEqualTo(new Route<>(ETH0, RouteReason.FIRST_NON_LOOPBACK));
      assertThat(map.route(ip("fe80::9%2")).orElseThrow()).isEqualTo(new Route<>(ETH0_V6, RouteReason.LINK_SCOPE));
      assertThat(map.route(ip("::1")).orElseThrow()).isEqualTo(new Route<>(loV6(), RouteReason.LOOPBACK));
    }
  }

  @Test
  void shouldReportAddedRemovedAndChangedWhenRefreshFindsDifferences() throws IOException {
    FakeInterfaces fake = FakeInterfaces.builder().loopback().add(ETH0).add(ETH1).build();
    Recorder recorder = new Recorder();
    try (InterfaceMap map = InterfaceMap.create(fake)) {
      map.addListener(recorder);
      NetworkInterfaceInfo eth2 = v4(4, "eth2", "10.3.0.5/24");
      NetworkInterfaceInfo eth0Down = FakeInterfaces.down(ETH0);
      fake.set(List.of(loV4(), loV6(), eth0Down, eth2));

      InterfaceDiff diff = map.refresh();

      assertThat(diff.added()).containsExactly(new Nic(4, "eth2", List.of(eth2)));
      assertThat(diff.removed()).containsExactly(new Nic(3, "eth1", List.of(ETH1)));
      assertThat(diff.changed()).containsExactly(
          new InterfaceDiff.Changed(new Nic(2, "eth0", List.of(ETH0)), new Nic(2, "eth0", List.of(eth0Down))));
      assertThat(recorder.drain()).containsExactly(
          "removed eth1#3 [10.2.0.5/24]",
          "added eth2#4 [10.3.0.5/24]",
          "changed eth0#2 [10.1.0.5/24] -> eth0#2 [10.1.0.5/24 down]");
      assertThat(map.all()).containsExactly(loV4(), loV6(), eth0Down, eth2);
    }
  }

  @Test
  void shouldReportChangedWhenAnAddressIsAddedToAnExistingNic() throws IOException {
    FakeInterfaces fake = FakeInterfaces.builder().loopback().add(ETH0).build();
    try (InterfaceMap map = InterfaceMap.create(fake)) {
      NetworkInterfaceInfo alias = v4(2, "eth0", "10.1.7.5/24");
      fake.set(List.of(loV4(), loV6(), ETH0, alias));
      InterfaceDiff diff = map.refresh();
      assertThat(diff.added()).isEmpty();
      assertThat(diff.changed()).singleElement()
          .satisfies(c -> assertThat(c.after().entries()).containsExactly(ETH0, alias));
    }
  }

  @Test
  void shouldReportNothingWhenOnlyTheOrderWithinANicChanged() throws IOException {
    FakeInterfaces fake = FakeInterfaces.builder().loopback().add(ETH0).add(ETH0_V6).build();
    Recorder recorder = new Recorder();
    try (InterfaceMap map = InterfaceMap.create(fake)) {
      map.addListener(recorder);
      fake.set(List.of(loV6(), loV4(), ETH0_V6, ETH0));
      assertThat(map.refresh().isEmpty()).isTrue();
      assertThat(recorder.drain()).isEmpty();
    }
  }

  @Test
  void shouldReportRemoveAndAddWhenAnIndexIsReusedUnderANewName() throws IOException {
    FakeInterfaces fake = FakeInterfaces.builder().loopback().add(ETH0).build();
    try (InterfaceMap map = InterfaceMap.create(fake)) {
      NetworkInterfaceInfo renamed = v4(2, "veth9", "10.1.0.5/24");
      fake.set(List.of(loV4(), loV6(), renamed));
      InterfaceDiff diff = map.refresh();
      assertThat(diff.removed()).extracting(Nic::name).containsExactly("eth0");
      assertThat(diff.added()).extracting(Nic::name).containsExactly("veth9");
      assertThat(diff.changed()).isEmpty();
    }
  }

  @Test
  void shouldKeepCallingOtherListenersWhenOneThrows() throws IOException {
    FakeInterfaces fake = FakeInterfaces.builder().loopback().build();
    Recorder recorder = new Recorder();
    try (InterfaceMap map = InterfaceMap.create(fake)) {
      map.addListener(new InterfaceListener() {
        @Override
        public void onInterfaceAdded(Nic nic) {
          throw new IllegalStateException("listener bug");
        }
      });
      map.addListener(recorder);
      fake.set(List.of(loV4(), loV6(), ETH0, ETH1));
      map.refresh();
      assertThat(recorder.drain()).containsExactly("added eth0#2 [10.1.0.5/24]", "added eth1#3 [10.2.0.5/24]");
    }
  }

  @Test
  void shouldStopNotifyingWhenListenerRemoved() throws IOException {
    FakeInterfaces fake = FakeInterfaces.builder().loopback().build();
    Recorder recorder = new Recorder();
    try (InterfaceMap map = InterfaceMap.create(fake)) {
      map.addListener(recorder);
      assertThat(map.removeListener(recorder)).isTrue();
      assertThat(map.removeListener(recorder)).isFalse();
      fake.set(List.of(loV4(), ETH0));
      assertThat(map.refresh().isEmpty()).isFalse();
      assertThat(recorder.drain()).isEmpty();
    }
  }

  @Test
  void shouldKeepTheOldSnapshotWhenEnumerationFails() throws IOException {
    FakeInterfaces fake = FakeInterfaces.builder().loopback().add(ETH0).build();
    try (InterfaceMap map = InterfaceMap.create(fake)) {
      fake.set(List.of(loV4()));
      fake.failNext(new IOException("netlink busy"));
      assertThatThrownBy(map::refresh).isInstanceOf(IOException.class).hasMessage("netlink busy");
      assertThat(map.all()).contains(ETH0);
    }
  }

  @Test
  void shouldRefreshOnlyWhenOlderThanMaxAgeAndReturnThePreviousAge() throws IOException {
    AtomicLong now = new AtomicLong(1_000);
    FakeInterfaces fake = FakeInterfaces.builder().loopback().build();
    try (InterfaceMap map = new InterfaceMap(fake, now::get)) {
      assertThat(fake.enumerations()).isEqualTo(1);
      now.addAndGet(Duration.ofSeconds(5).toNanos());
      assertThat(map.refreshIfStale(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(5));
      assertThat(fake.enumerations()).isEqualTo(1);
      assertThat(map.age()).isEqualTo(Duration.ofSeconds(5));

      now.addAndGet(Duration.ofSeconds(6).toNanos());
      assertThat(map.refreshIfStale(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(11));
      assertThat(fake.enumerations()).isEqualTo(2);
      assertThat(map.age()).isEqualTo(Duration.ZERO);
    }
  }

  @Test
  void shouldRejectArgumentsWhenInvalid() throws IOException {
    try (InterfaceMap map = InterfaceMap.create(FakeInterfaces.builder().loopback().build())) {
      assertThatThrownBy(() -> map.refreshIfStale(Duration.ofSeconds(-1)))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("maxAge must be positive: PT-1S");
      assertThatThrownBy(() -> map.refreshIfStale(Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("maxAge must be positive: PT0S");
      assertThatThrownBy(() -> map.refreshIfStale(null))
          .isInstanceOf(NullPointerException.class).hasMessage("maxAge must not be null");
      assertThatThrownBy(() -> map.startPeriodicRefresh(Duration.ofMillis(-5)))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("period must be positive: PT-0.005S");
      assertThatThrownBy(() -> map.startPeriodicRefresh(null))
          .isInstanceOf(NullPointerException.class).hasMessage("period must not be null");
      assertThatThrownBy(() -> map.byIndex(-1))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("index must be >= 0: -1");
      assertThatThrownBy(() -> map.byAddress(null))
          .isInstanceOf(NullPointerException.class).hasMessage("address must not be null");
      assertThatThrownBy(() -> map.route(null))
          .isInstanceOf(NullPointerException.class).hasMessage("dest must not be null");
      assertThatThrownBy(() -> map.addListener(null))
          .isInstanceOf(NullPointerException.class).hasMessage("listener must not be null");
      assertThatThrownBy(() -> map.removeListener(null))
          .isInstanceOf(NullPointerException.class).hasMessage("listener must not be null");
    }
    assertThatThrownBy(() -> InterfaceMap.create(null))
        .isInstanceOf(NullPointerException.class).hasMessage("enumerator must not be null");
    assertThatThrownBy(() -> InterfaceMap.create(() -> null))
        .isInstanceOf(NullPointerException.class).hasMessage("enumerator returned null");
  }

  @Test
  @Timeout(10)
  void shouldRefreshPeriodicallyAndSkipTheFirstTickWhenStarted() throws Exception {
    FakeInterfaces fake = FakeInterfaces.builder().loopback().build();
    Recorder recorder = new Recorder();
    try (InterfaceMap map = InterfaceMap.create(fake)) {
      map.addListener(recorder);
      map.startPeriodicRefresh(Duration.ofSeconds(1));
      // The first tick is one period away: nothing re-enumerates right after start.
      Thread.sleep(200);
      assertThat(fake.enumerations()).isEqualTo(1);

      fake.set(List.of(loV4(), loV6(), ETH0));
      assertThat(recorder.events.poll(5, TimeUnit.SECONDS)).isEqualTo("added eth0#2 [10.1.0.5/24]");
      fake.set(List.of(loV4(), loV6()));
      assertThat(recorder.events.poll(5, TimeUnit.SECONDS)).isEqualTo("removed eth0#2 [10.1.0.5/24]");
      assertThatThrownBy(map::startPeriodicRefresh)
          .isInstanceOf(IllegalStateException.class).hasMessage("periodic refresh already started");
    }
  }

  @Test
  @Timeout(10)
  void shouldKeepRefreshingWhenAPeriodicRefreshFails() throws Exception {
    FakeInterfaces fake = FakeInterfaces.builder().loopback().build();
    Recorder recorder = new Recorder();
    try (InterfaceMap map = InterfaceMap.create(fake)) {
      map.addListener(recorder);
      fake.failNext(new IOException("transient"));
      fake.set(List.of(loV4(), loV6(), ETH1));
      map.startPeriodicRefresh(Duration.ofMillis(50));
      assertThat(recorder.events.poll(5, TimeUnit.SECONDS)).isEqualTo("added eth1#3 [10.2.0.5/24]");
      assertThat(fake.enumerations()).isGreaterThanOrEqualTo(3); // initial, failed tick, good tick
    }
  }

  @Test
  @Timeout(10)
  void shouldStopRefreshingWhenClosedAndStayClosedWhenClosedAgain() throws Exception {
    FakeInterfaces fake = FakeInterfaces.builder().loopback().build();
    InterfaceMap map = InterfaceMap.create(fake);
    map.startPeriodicRefresh(Duration.ofMillis(20));
    Thread.sleep(100);
    map.close();
    int after = fake.enumerations();
    Thread.sleep(150);
    assertThat(fake.enumerations()).isEqualTo(after);
    map.close();
    assertThatThrownBy(map::refresh).isInstanceOf(IllegalStateException.class).hasMessage("InterfaceMap is closed");
    assertThatThrownBy(map::startPeriodicRefresh)
        .isInstanceOf(IllegalStateException.class).hasMessage("InterfaceMap is closed");
    assertThat(map.all()).containsExactly(loV4(), loV6());
  }

  @Test
  @Timeout(10)
  void shouldStopWhenClosedFromAListenerOnTheRefresherThread() throws Exception {
    FakeInterfaces fake = FakeInterfaces.builder().loopback().build();
    InterfaceMap map = InterfaceMap.create(fake);
    BlockingQueue<String> closedBy = new LinkedBlockingQueue<>();
    map.addListener(new InterfaceListener() {
      @Override
      public void onInterfaceAdded(Nic nic) {
        map.close();
        closedBy.add(Thread.currentThread().getName());
      }
    });
    map.startPeriodicRefresh(Duration.ofMillis(20));
    fake.set(List.of(loV4(), ETH0));
    assertThat(closedBy.poll(5, TimeUnit.SECONDS)).isEqualTo("meshwire-ifmap-refresh");
    int after = fake.enumerations();
    Thread.sleep(100);
    assertThat(fake.enumerations()).isEqualTo(after);
  }

  @Test
  void shouldSeeLoopbackWhenEnumeratingTheRealHost() throws IOException {
    try (InterfaceMap map = InterfaceMap.create()) {
      assertThat(map.all()).anySatisfy(e -> {
        assertThat(e.address()).isEqualTo(ip("127.0.0.1"));
        assertThat(e.prefixLength()).isEqualTo(8);
        assertThat(e.loopback()).isTrue();
        assertThat(e.up()).isTrue();
        assertThat(e.index()).isPositive();
      });
      assertThat(map.upNonLoopback()).noneMatch(NetworkInterfaceInfo::loopback);
    }
  }
}
