package io.meshwire.transport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The endpoint contract, run against every backend and both receive modes (Netty testsuite style): each concrete
 * subclass names a backend and a {@link EndpointConfig.ReceiveMode}. Real sockets on loopback only.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class AbstractEndpointConformanceTest {

    static final InetSocketAddress LOOPBACK_V4 = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final List<AutoCloseable> resources = new ArrayList<>();

    abstract EndpointConfig.BackendPreference backend();

    abstract EndpointConfig.ReceiveMode receiveMode();

    boolean inline() {
        return receiveMode() == EndpointConfig.ReceiveMode.INLINE;
    }

    EndpointConfig.Builder config() {
        return EndpointConfig.builder().bindAddress(LOOPBACK_V4).backend(backend()).receiveMode(receiveMode())
                .receiveBufferSize(4 << 20).sendBufferSize(4 << 20);
    }

    DatagramEndpoint open(EndpointConfig.Builder b) throws IOException {
        DatagramEndpoint e = DatagramEndpoint.open(b.build());
        resources.add(e);
        return e;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : resources) {
            c.close();
        }
    }

    static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    static String text(Datagram d) {
        return new String(d.toByteArray(), StandardCharsets.UTF_8);
    }

    static ByteBuffer numbered(int i, int size) {
        ByteBuffer b = ByteBuffer.allocate(Math.max(size, 4));
        b.putInt(0, i);
        return b;
    }

    @Test
    void shouldUseRequestedBackendWhenOpened() throws IOException {
        DatagramEndpoint e = open(config());
        assertThat(e.backend().name()).isEqualTo(backend().name());
        assertThat(e.socketInfo().backendReason()).isNotBlank();
        assertThat(e.localAddress().getPort()).isPositive();
    }

    @Test
    void shouldRoundTripWhenIpv4() throws IOException {
        DatagramEndpoint a = open(config());
        DatagramEndpoint b = open(config());
        b.send(text("hello-v4"), a.localAddress());
        try (Datagram d = a.receive(5, TimeUnit.SECONDS)) {
            assertThat(d).isNotNull();
            assertThat(text(d)).isEqualTo("hello-v4");
            assertThat(d.source()).isEqualTo(b.localAddress());
            assertThat(d.sourcePort()).isEqualTo(b.localAddress().getPort());
        }
    }

    @Test
    void shouldRoundTripWhenIpv6() throws IOException {
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 0);
        DatagramEndpoint a = open(config().bindAddress(v6));
        DatagramEndpoint b = open(config().bindAddress(v6));
        b.send(text("hello-v6"), a.localAddress());
        try (Datagram d = a.receive(5, TimeUnit.SECONDS)) {
            assertThat(d).isNotNull();
            assertThat(text(d)).isEqualTo("hello-v6");
            assertThat(d.source().getPort()).isEqualTo(b.localAddress().getPort());
            assertThat(d.source().getAddress()).isEqualTo(InetAddress.getByName("::1"));
        }
    }

    @Test
    void shouldReturnNullWhenTryReceiveFindsNothing() throws IOException {
        DatagramEndpoint a = open(config());
        assertThat(a.tryReceive()).isNull();
        assertThat(a.receive(50, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void shouldKeepArrivalOrderWhenManyDatagramsQueued() throws IOException {
        DatagramEndpoint a = open(config());
        DatagramEndpoint b = open(config());
        int n = 500;
        for (int i = 0; i < n; i++) {
            b.send(numbered(i, 32), a.localAddress());
        }
        for (int i = 0; i < n; i++) {
            try (Datagram d = a.receive(5, TimeUnit.SECONDS)) {
                assertThat(d).as("datagram %d", i).isNotNull();
                assertThat(d.buffer().getInt(d.offset())).isEqualTo(i);
            }
        }
    }

    @Test
    void shouldReceiveEveryDatagramWhenTenThousandSentUnderTheKernelBuffer() throws Exception {
        DatagramEndpoint a = open(config().instrumentation(true));
        DatagramEndpoint b = open(config());
        int total = 10_000;
        AtomicInteger received = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        boolean[] seen = new boolean[total];
        Thread consumer = Thread.ofPlatform().start(() -> {
            try {
                while (received.get() < total) {
                    a.receiveBatch(d -> {
                        int i = d.buffer().getInt(d.offset());
                        if (seen[i]) {
                            failure.compareAndSet(null, new AssertionError("duplicate " + i));
                        }
                        seen[i] = true;
                        received.incrementAndGet();
                    }, 256);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        // keep what is in flight well under the kernel buffer: at most 1,000 datagrams outstanding
        ByteBuffer buf = ByteBuffer.allocateDirect(64);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int i = 0; i < total; i++) {
            while (i - received.get() > 1_000 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            buf.clear().putInt(0, i).limit(64);
            b.send(buf, a.localAddress());
        }
        consumer.join(TimeUnit.SECONDS.toMillis(20));
        assertThat(failure.get()).isNull();
        assertThat(received.get()).isEqualTo(total);
        TransportStats s = a.stats();
        assertThat(s.receivedPackets()).isEqualTo(total);
        assertThat(s.kernelDrops()).isZero();
        assertThat(s.receiveSyscalls()).isPositive().isLessThanOrEqualTo(total);
        assertThat(s.receiveBatchHistogram()).hasSize(7);
        assertThat(java.util.Arrays.stream(s.receiveBatchHistogram()).sum()).isEqualTo(s.receiveSyscalls());
    }

    @Test
    void shouldCloseWhenReceiverIsBlocked() throws Exception {
        DatagramEndpoint a = open(config());
        assertCloseEndsPromptly(a, a::receive);
    }

    /**
     * Closes {@code a} (twice: idempotent) while another thread waits in {@code blockingCall} on it, and asserts
     * the close returns within 2 s and the waiting call ends with {@link TransportClosedException}.
     */
    static void assertCloseEndsPromptly(DatagramEndpoint a, java.util.concurrent.Callable<?> blockingCall)
            throws Exception {
        CompletableFuture<Throwable> blocked = CompletableFuture.supplyAsync(() -> {
            try {
                blockingCall.call();
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        Thread.sleep(200);
        long start = System.nanoTime();
        a.close();
        a.close(); // idempotent
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2_000);
        assertThat(blocked.get(5, TimeUnit.SECONDS)).isInstanceOf(TransportClosedException.class);
        assertThat(a.isClosed()).isTrue();
    }

    @Test
    void shouldCloseWhenQueueIsFullAndNobodyConsumes() throws Exception {
        DatagramEndpoint a = open(config().queueDepth(2).receiveBatchSize(4));
        DatagramEndpoint b = open(config());
        for (int i = 0; i < 200; i++) {
            b.send(numbered(i, 16), a.localAddress());
        }
        if (inline()) {
            // no queue and no thread: everything waits in the kernel buffer until someone receives
            Thread.sleep(50);
            assertThat(a.stats().queueFullEvents()).isZero();
        } else {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (a.stats().queueFullEvents() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(a.stats().queueFullEvents()).isPositive();
        }
        long start = System.nanoTime();
        a.close();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2_000);
        assertThatThrownBy(a::tryReceive).isInstanceOf(TransportClosedException.class);
    }

    @Test
    void shouldParkOnBuffersWhenConsumerHoldsEveryDatagram() throws Exception {
        DatagramEndpoint a = open(config().queueDepth(1).receiveBatchSize(1));
        DatagramEndpoint b = open(config());
        for (int i = 0; i < 10; i++) {
            b.send(numbered(i, 16), a.localAddress());
        }
        List<Datagram> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Datagram d = a.receive(5, TimeUnit.SECONDS);
            assertThat(d).isNotNull();
            held.add(d);
        }
        if (inline()) {
            // the consumer itself finds every buffer held: nothing can be read until one is released
            assertThat(a.tryReceive()).isNull();
            assertThat(a.receive(20, TimeUnit.MILLISECONDS)).isNull();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (a.stats().bufferPoolWaits() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(a.stats().bufferPoolWaits()).isPositive();
        held.forEach(Datagram::release);
        for (int i = 3; i < 10; i++) {
            try (Datagram d = a.receive(5, TimeUnit.SECONDS)) {
                assertThat(d.buffer().getInt(d.offset())).isEqualTo(i);
            }
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void shouldHandOutEachDatagramOnceInOrderWhenReceiverRefillsAReleasedBatch() throws Exception {
        assertEachOnceInOrderAfterRefill(false);
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void shouldHandOutEachDatagramOnceInOrderWhenReceiverRefillsABatchReleasedByAHandler() throws Exception {
        assertEachOnceInOrderAfterRefill(true);
    }

    /**
     * The consumer releases the last datagram of a batch; the receiver then refills that same batch (one-datagram
     * batches, so it is the only free one) and queues the next ones. The consumer must take them from the queue,
     * in order and once each, not from the batch it last held.
     */
    private void assertEachOnceInOrderAfterRefill(boolean handler) throws Exception {
        DatagramEndpoint a = open(config().queueDepth(1).receiveBatchSize(1).instrumentation(true));
        DatagramEndpoint b = open(config());
        List<Integer> got = new ArrayList<>();
        b.send(numbered(0, 8), a.localAddress());
        receiveInto(a, got, handler, 1);
        assertThat(got).containsExactly(0);
        b.send(numbered(1, 8), a.localAddress());
        b.send(numbered(2, 8), a.localAddress());
        long read = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!inline() && a.stats().receivedPackets() < 3 && System.nanoTime() < read) {
            Thread.sleep(1);
        }
        receiveInto(a, got, handler, 3);
        assertThat(got).containsExactly(0, 1, 2);
        assertThat(a.receive(20, TimeUnit.MILLISECONDS)).isNull();
    }

    /** Receives (with {@code receive} or a handler) until {@code got} holds {@code total} datagrams' numbers. */
    private static void receiveInto(DatagramEndpoint a, List<Integer> got, boolean handler, int total)
            throws TransportClosedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (got.size() < total && System.nanoTime() < deadline) {
            if (handler) {
                if (a.pollBatch(d -> got.add(d.buffer().getInt(d.offset())), total - got.size()) == 0) {
                    Thread.onSpinWait();
                }
            } else {
                try (Datagram d = a.receive(100, TimeUnit.MILLISECONDS)) {
                    if (d != null) {
                        got.add(d.buffer().getInt(d.offset()));
                    }
                }
            }
        }
    }

    @Test
    void shouldKeepWorkingWhenSendingToAClosedPort() throws Exception {
        DatagramEndpoint a = open(config());
        DatagramEndpoint b = open(config());
        InetSocketAddress closedPort;
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.bind(LOOPBACK_V4);
            closedPort = (InetSocketAddress) probe.getLocalAddress();
        }
        for (int i = 0; i < 5; i++) {
            assertThat(b.send(text("into the void"), closedPort)).isEqualTo(13);
        }
        b.send(text("still alive"), a.localAddress());
        try (Datagram d = a.receive(5, TimeUnit.SECONDS)) {
            assertThat(text(d)).isEqualTo("still alive");
        }
    }

    @Test
    void shouldReportPortUnreachableWhenConnectedPeerIsClosed() throws Exception {
        InetSocketAddress closedPort;
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.bind(LOOPBACK_V4);
            closedPort = (InetSocketAddress) probe.getLocalAddress();
        }
        DatagramEndpoint a = open(config().connectAddress(closedPort));
        boolean refused = false;
        for (int i = 0; i < 50 && !refused; i++) {
            try {
                a.send(text("ping"));
            } catch (PortUnreachableException e) {
                refused = true;
            }
            refused |= a.stats().receiveErrors() > 0;
            Thread.sleep(10);
        }
        assertThat(refused).as("ICMP port unreachable surfaced as an exception or a counted receive error").isTrue();
        assertThat(a.isClosed()).isFalse();
    }

    @Test
    void shouldRejectOversizedDatagramWhenAboveUdpMaximum() throws IOException {
        DatagramEndpoint a = open(config());
        assertThatThrownBy(() -> a.send(ByteBuffer.allocate(65_508), a.localAddress()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65507");
        // the largest legal one goes through
        assertThat(a.send(ByteBuffer.allocate(65_507), a.localAddress())).isEqualTo(65_507);
    }

    @Test
    void shouldDropAndCountWhenDatagramExceedsMaxDatagramSize() throws IOException {
        DatagramEndpoint a = open(config().maxDatagramSize(100));
        DatagramEndpoint b = open(config());
        b.send(ByteBuffer.allocate(200), a.localAddress());
        b.send(ByteBuffer.allocate(100), a.localAddress());
        b.send(text("small"), a.localAddress());
        try (Datagram d = a.receive(5, TimeUnit.SECONDS)) {
            assertThat(d.length()).isEqualTo(100);
        }
        try (Datagram d = a.receive(5, TimeUnit.SECONDS)) {
            assertThat(text(d)).isEqualTo("small");
        }
        assertThat(a.stats().truncatedDrops()).isEqualTo(1);
    }

    @Test
    void shouldSendEveryDatagramWhenBatchExceedsOneSyscall() throws Exception {
        DatagramEndpoint a = open(config());
        DatagramEndpoint b = open(config().instrumentation(true));
        try (SendBatch batch = SendBatch.allocate(150, 150 * 100)) {
            for (int i = 0; i < 150; i++) {
                batch.add(numbered(i, 20 + (i % 7)));
            }
            assertThat(b.sendBatch(batch, a.localAddress())).isEqualTo(150);
        }
        for (int i = 0; i < 150; i++) {
            try (Datagram d = a.receive(5, TimeUnit.SECONDS)) {
                assertThat(d).as("datagram %d", i).isNotNull();
                assertThat(d.length()).isEqualTo(20 + (i % 7));
                assertThat(d.buffer().getInt(d.offset())).isEqualTo(i);
            }
        }
        assertThat(b.stats().sentPackets()).isEqualTo(150);
    }

    @Test
    void shouldLeaveTheRestQueuedWhenPollLimitIsSmallerThanTheBatch() throws Exception {
        DatagramEndpoint a = open(config());
        DatagramEndpoint b = open(config());
        for (int i = 0; i < 10; i++) {
            b.send(numbered(i, 8), a.localAddress());
        }
        List<Integer> got = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (got.size() < 10 && System.nanoTime() < deadline) {
            int n = a.pollBatch(d -> got.add(d.buffer().getInt(d.offset())), 3);
            assertThat(n).isLessThanOrEqualTo(3);
        }
        assertThat(got).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void shouldRefuseReceiveWhenSendOnly() throws IOException {
        DatagramEndpoint s = open(config().sendOnly(true));
        DatagramEndpoint a = open(config());
        assertThatThrownBy(s::tryReceive).isInstanceOf(IllegalStateException.class).hasMessageContaining("send-only");
        s.send(text("from send-only"), a.localAddress());
        try (Datagram d = a.receive(5, TimeUnit.SECONDS)) {
            assertThat(text(d)).isEqualTo("from send-only");
        }
    }

    @Test
    void shouldThrowClosedWhenSendingAfterClose() throws IOException {
        DatagramEndpoint a = open(config());
        InetSocketAddress self = a.localAddress();
        a.close();
        assertThatThrownBy(() -> a.send(text("x"), self)).isInstanceOf(TransportClosedException.class);
    }

    @Test
    void shouldReportGrantedBuffersWhenKernelCapsThem() throws IOException {
        DatagramEndpoint a = open(config().receiveBufferSize(EndpointConfig.DEFAULT_BUFFER_SIZE));
        SocketInfo info = a.socketInfo();
        assertThat(info.requestedReceiveBuffer()).isEqualTo(EndpointConfig.DEFAULT_BUFFER_SIZE);
        assertThat(info.grantedReceiveBuffer()).isPositive();
        // this machine kind caps at net.core.rmem_max; whatever it is, the flag must agree with the numbers
        assertThat(info.receiveBufferCapped())
                .isEqualTo(info.grantedReceiveBuffer() < 2L * info.requestedReceiveBuffer());
    }

    @Test
    void shouldRejectWrongFamilyWhenSendingIpv6FromIpv4() throws IOException {
        DatagramEndpoint a = open(config());
        assertThatThrownBy(() -> a.send(text("x"), new InetSocketAddress(InetAddress.getByName("::1"), 9)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IPv6");
    }

    @Test
    void shouldReportEmptyWhenTrySendIsUsedOnAnIdleSocket() throws IOException {
        DatagramEndpoint a = open(config());
        DatagramEndpoint b = open(config());
        assertThat(b.trySend(text("try"), a.localAddress())).isTrue();
        try (Datagram d = a.receive(5, TimeUnit.SECONDS)) {
            assertThat(text(d)).isEqualTo("try");
        }
    }

    @Test
    void shouldCloseWhenTimedReceiveIsWaiting() throws Exception {
        DatagramEndpoint a = open(config());
        assertCloseEndsPromptly(a, () -> a.receive(30, TimeUnit.SECONDS));
    }

    @Test
    void shouldReturnEveryBufferWhenHandlerReleasesSomeItself() throws Exception {
        // three buffers of one datagram each: a miscounted release would leak them and stall the receiver
        DatagramEndpoint a = open(config().queueDepth(1).receiveBatchSize(1).instrumentation(true));
        DatagramEndpoint b = open(config());
        int total = 40;
        for (int i = 0; i < total; i++) {
            b.send(numbered(i, 16), a.localAddress());
        }
        List<Integer> got = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (got.size() < total && System.nanoTime() < deadline) {
            a.receiveBatch(d -> {
                int i = d.buffer().getInt(d.offset());
                got.add(i);
                if (i % 2 == 0) {
                    d.release();
                    d.release(); // a second release is harmless
                }
            }, 8);
        }
        assertThat(got).hasSize(total).isSorted();
        assertThat(a.stats().receivedPackets()).isEqualTo(total);
    }

    @Test
    void shouldReleaseTheDatagramWhenHandlerThrows() throws Exception {
        DatagramEndpoint a = open(config().queueDepth(1).receiveBatchSize(1));
        DatagramEndpoint b = open(config());
        for (int i = 0; i < 10; i++) {
            b.send(numbered(i, 16), a.localAddress());
        }
        for (int i = 0; i < 10; i++) {
            int expected = i;
            assertThatThrownBy(() -> a.receiveBatch(d -> {
                assertThat(d.buffer().getInt(d.offset())).isEqualTo(expected);
                throw new IllegalStateException("handler failed on " + expected);
            }, 1)).isInstanceOf(IllegalStateException.class).hasMessageContaining("failed on " + i);
        }
    }

    @Test
    void shouldReceiveWhenIdleStrategyBlocksOrSpins() throws Exception {
        for (EndpointConfig.IdleStrategy idle : List.of(EndpointConfig.IdleStrategy.BLOCK,
                EndpointConfig.IdleStrategy.busySpin(), new EndpointConfig.IdleStrategy(1_000_000, 1_000_000),
                EndpointConfig.IdleStrategy.moderated(Duration.ofMillis(2)))) {
            DatagramEndpoint a = open(config().idleStrategy(idle));
            DatagramEndpoint b = open(config());
            CompletableFuture<String> got = receiveTextAsync(a);
            Thread.sleep(20);
            b.send(text("idle " + idle), a.localAddress());
            assertThat(got.get(5, TimeUnit.SECONDS)).isEqualTo("idle " + idle);
            // a waiting receiver of any strategy lets close through promptly
            assertCloseEndsPromptly(a, a::receive);
        }
    }

    @Test
    void shouldReadBetweenTimerSleepsAndKeepTimeoutsWhenModerated() throws Exception {
        // a window far longer than the test: every wait here stays in the timer phase, never blocks in the kernel
        DatagramEndpoint a = open(config().idleStrategy(EndpointConfig.IdleStrategy.moderated(Duration.ofHours(1))));
        DatagramEndpoint b = open(config());
        CompletableFuture<String> got = receiveTextAsync(a);
        Thread.sleep(30);
        for (int i = 0; i < 3; i++) {
            b.send(text("moderated " + i), a.localAddress());
        }
        assertThat(got.get(5, TimeUnit.SECONDS)).isEqualTo("moderated 0");
        for (int i = 1; i < 3; i++) {
            try (Datagram d = a.receive(5, TimeUnit.SECONDS)) {
                assertThat(d).isNotNull();
                assertThat(text(d)).isEqualTo("moderated " + i);
            }
        }
        long start = System.nanoTime();
        assertThat(a.receive(40, TimeUnit.MILLISECONDS)).as("nothing sent").isNull();
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(waited).as("a timed wait keeps its deadline between timer sleeps").isBetween(39L, 1_000L);
        assertCloseEndsPromptly(a, a::receive);
    }

    /** {@code a.receive()} on another thread, as the received text or the closed exception's. */
    private static CompletableFuture<String> receiveTextAsync(DatagramEndpoint a) {
        return CompletableFuture.supplyAsync(() -> {
            try (Datagram d = a.receive()) {
                return text(d);
            } catch (TransportClosedException e) {
                return e.toString();
            }
        });
    }

    @Test
    void shouldReadTheSocketOnlyWhenAskedWhenInline() throws Exception {
        DatagramEndpoint a = open(config().instrumentation(true));
        DatagramEndpoint b = open(config());
        for (int i = 0; i < 5; i++) {
            b.send(numbered(i, 16), a.localAddress());
        }
        Thread.sleep(50);
        if (inline()) {
            assertThat(a.stats().receivedPackets()).as("nothing read before the first receive call").isZero();
        }
        for (int i = 0; i < 5; i++) {
            try (Datagram d = a.receive(5, TimeUnit.SECONDS)) {
                assertThat(d.buffer().getInt(d.offset())).isEqualTo(i);
            }
        }
        assertThat(a.stats().receivedPackets()).isEqualTo(5);
    }

    @Test
    void shouldReceiveButRefuseSourceWhenSourceAddressesAreOff() throws Exception {
        DatagramEndpoint a = open(config().sourceAddresses(false));
        DatagramEndpoint b = open(config());
        b.send(ByteBuffer.allocate(0), a.localAddress());
        b.send(text("no-source"), a.localAddress());
        try (Datagram empty = a.receive(5, TimeUnit.SECONDS)) {
            assertThat(empty).as("an empty datagram is data, not the shutdown mark").isNotNull();
            assertThat(empty.length()).isZero();
        }
        try (Datagram d = a.receive(5, TimeUnit.SECONDS)) {
            assertThat(text(d)).isEqualTo("no-source");
            assertThatThrownBy(d::source).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("sourceAddresses(true)");
            assertThatThrownBy(d::sourcePort).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void shouldReportTheConnectedPeerAsSourceWhenConnected() throws Exception {
        DatagramEndpoint b = open(config());
        DatagramEndpoint a = open(config().connectAddress(b.localAddress()));
        b.send(ByteBuffer.allocate(0), a.localAddress());
        b.send(text("from-peer"), a.localAddress());
        try (Datagram empty = a.receive(5, TimeUnit.SECONDS)) {
            assertThat(empty.length()).isZero();
            assertThat(empty.source()).isEqualTo(b.localAddress());
        }
        try (Datagram d = a.receive(5, TimeUnit.SECONDS)) {
            assertThat(text(d)).isEqualTo("from-peer");
            assertThat(d.source()).isEqualTo(b.localAddress());
            assertThat(d.sourcePort()).isEqualTo(b.localAddress().getPort());
        }
    }

    @Test
    void shouldCloseWhenReceiverWithoutSourceAddressesIsBlocked() throws Exception {
        DatagramEndpoint a = open(config().sourceAddresses(false));
        assertCloseEndsPromptly(a, a::receive);
    }
}
