package io.meshwire.nic;

import static io.meshwire.nic.FakeInterfaces.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwire.testing.NativeAssumptions;
import io.meshwire.transport.Backend;
import io.meshwire.transport.EndpointConfig.BackendPreference;
import io.meshwire.transport.EndpointConfig.ReceiveMode;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The socket-set contract on the epoll/FFM backend, plus what only it has: PKTINFO and kernel drop counts. */
class NativeNicSocketSetTest extends AbstractNicSocketSetTest {
  /** Datagrams per measured round of the allocation test. */
  private static final int PER_ROUND = 2000;

  @BeforeAll
  static void requireNative() {
    NativeAssumptions.requireNativeBackend();
  }

  @Override
  BackendPreference backend() {
    return BackendPreference.NATIVE;
  }

  @ParameterizedTest
  @EnumSource(ReceiveMode.class)
  void shouldReportTheHeaderDestinationFromPacketInfoWhenTheWildcardSocketReceives(ReceiveMode mode)
      throws Exception {
    int port = freePort("127.1.0.1", "127.1.255.254", "0.0.0.0");
    NicSocketSet set = open(config(FAKE1).port(port).wildcardRx(true).receiveMode(mode));
    DatagramChannel sender = peer("127.0.0.1");

    assertThat(set.backend()).isEqualTo(Backend.NATIVE);
    sender.send(text("w"), at("127.0.0.9", port));

    assertThat(receive(set, 1)).singleElement().satisfies(s -> {
      assertThat(s.role()).isEqualTo(SocketRole.WILDCARD_RX);
      assertThat(s.packetInfo()).isTrue();
      assertThat(s.destination()).isEqualTo(ip("127.0.0.9"));
      assertThat(s.ifindex()).isEqualTo(1);
    });
  }

  @ParameterizedTest
  @EnumSource(ReceiveMode.class)
  void shouldCountEveryLostDatagramAsAKernelDropWhenTheReceiveBufferOverflows(ReceiveMode mode) throws Exception {
    // a tiny buffer, a tiny pipeline (1 queued batch of 4, or INLINE none), and a consumer that does not read
    // while flooded
    NicSocketSet set = open(config(FAKE1).receiveBufferSize(1024).receiveBatchSize(4).queueDepth(1)
        .receiveMode(mode));
    DatagramChannel sender = peer("127.0.0.1");
    InetSocketAddress to = socketOf(set, "fake1").localAddress();
    int flood = 2_000;
    for (int i = 0; i < flood; i++) {
      sender.send(ByteBuffer.allocate(200), to);
    }
    // drain, then one more: the kernel reports the running drop count with the next datagram it queues
    AtomicLong received = new AtomicLong();
    AtomicLong lastDrops = new AtomicLong();
    drainFor(set, received, lastDrops, Duration.ofMillis(300));
    sender.send(ByteBuffer.allocate(200), to);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (received.get() + lastDrops.get() < flood + 1 && System.nanoTime() < deadline) {
      drainFor(set, received, lastDrops, Duration.ofMillis(100));
    }

    long drops = set.stats().kernelDrops();
    assertThat(drops).isPositive();
    assertThat(lastDrops.get()).isEqualTo(drops);
    assertThat(flood + 1 - received.get()).as("sent - received").isEqualTo(drops);
    assertThat(set.stats().sockets().getFirst().kernelDrops()).isEqualTo(drops);
    if (mode == ReceiveMode.DEDICATED_THREAD) {
      assertThat(set.stats().bufferWaits() + set.stats().queueFullEvents()).isPositive();
    } else {
      assertThat(set.stats().bufferWaits() + set.stats().queueFullEvents()).as("INLINE has no queue").isZero();
    }
  }

  private static void drainFor(NicSocketSet set, AtomicLong received, AtomicLong lastDrops, Duration time)
      throws Exception {
    long end = System.nanoTime() + time.toNanos();
    while (System.nanoTime() < end) {
      set.receive(d -> {
        received.incrementAndGet();
        lastDrops.set(d.kernelDrops());
      }, 64, Duration.ofMillis(20));
    }
  }

  @ParameterizedTest
  @EnumSource(ReceiveMode.class)
  void shouldReceiveWithoutAllocatingPerDatagramWhenPeersAreSteady(ReceiveMode mode) throws Exception {
    NicSocketSet set = open(config(FAKE1, FAKE2).receiveMode(mode));
    DatagramChannel sender = peer("127.0.0.1");
    List<InetSocketAddress> targets = List.of(socketOf(set, "fake1").localAddress(),
        socketOf(set, "fake2").localAddress());
    ByteBuffer payload = ByteBuffer.allocateDirect(64);
    long[] sink = new long[1];
    NicDatagramHandler handler = d -> sink[0] += d.length() + d.source().getPort() + d.destination().hashCode()
        + d.ifindex() + d.socket().ifindex() + d.kernelDrops() + d.buffer().remaining();
    Duration wait = Duration.ofMillis(50);
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    // INLINE the consumer runs the rounds itself: there is no receive thread to measure
    long receiveThread = mode == ReceiveMode.INLINE ? -1 : Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("meshwire-nicset-recv-")).mapToLong(Thread::threadId).max().orElseThrow();
    // Rounds until C2 has compiled both threads' loops, bounded in time: before that, each FFM downcall with
    // captureCallState allocates a 40-byte slice of the errno segment (Linker checkCaptureSegment -> asSlice)
    // that only C2's escape analysis removes, and the wait path runs once per wake-up, so it needs many
    // wake-ups (and a compiler thread with time for it) to get there.
    long best = Long.MAX_VALUE;
    long bestReceiveThread = receiveThread < 0 ? 0 : Long.MAX_VALUE;
    int rounds = 0;
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
    while ((best > 0 || bestReceiveThread > 0) && System.nanoTime() < giveUp) {
      for (int i = 0; i < PER_ROUND; i++) {
        sender.send(payload.clear(), targets.get(i & 1));
      }
      int got = 0;
      long before = mx.getCurrentThreadAllocatedBytes();
      long beforeReceive = receiveThread < 0 ? 0 : mx.getThreadAllocatedBytes(receiveThread);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (got < PER_ROUND && System.nanoTime() < deadline) {
        got += set.receive(handler, 64, wait);
      }
      long allocated = mx.getCurrentThreadAllocatedBytes() - before;
      long allocatedReceive = receiveThread < 0 ? 0 : mx.getThreadAllocatedBytes(receiveThread) - beforeReceive;
      assertThat(got).isEqualTo(PER_ROUND);
      rounds++;
      if (rounds > 20) { // the first rounds run interpreted and grow the batch pool
        best = Math.min(best, allocated);
        bestReceiveThread = Math.min(bestReceiveThread, allocatedReceive);
      }
    }
    assertThat(best).as("bytes allocated by the consumer for %d datagrams, best of %d rounds", PER_ROUND, rounds)
        .isZero();
    assertThat(bestReceiveThread).as("bytes allocated by the receive thread for %d datagrams, best of %d rounds",
        PER_ROUND, rounds).isZero();
  }
}
