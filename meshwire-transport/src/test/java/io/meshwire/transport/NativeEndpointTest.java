package io.meshwire.transport;

import io.meshwire.testing.NativeAssumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The conformance suite on the FFM backend in inline receive mode, plus what only the native backend has:
 * EBADF/ENOTSOCK, GSO/GRO, kernel drop counts. {@link NativeDedicatedThreadEndpointTest} runs it all again with a
 * receive thread.
 */
class NativeEndpointTest extends AbstractEndpointConformanceTest {

    @BeforeAll
    static void requireNative() {
        NativeAssumptions.requireNativeBackend();
    }

    @Override
    EndpointConfig.BackendPreference backend() {
        return EndpointConfig.BackendPreference.NATIVE;
    }

    @Override
    EndpointConfig.ReceiveMode receiveMode() {
        return EndpointConfig.ReceiveMode.INLINE;
    }

    @Test
    void shouldDrainQueueThenThrowClosedWhenDescriptorBecomesBad() throws Exception {
        assertDrainThenClosed(Integer.MAX_VALUE, "EBADF");
    }

    @Test
    void shouldDrainQueueThenThrowClosedWhenDescriptorIsNotASocket() throws Exception {
        // fd 0 is never a socket in a test JVM; recvmmsg fails with ENOTSOCK before reading anything from it
        assertDrainThenClosed(0, "ENOTSOCK");
    }

    private void assertDrainThenClosed(int badFd, String errno) throws Exception {
        DatagramEndpoint a = open(config().queueDepth(4).receiveBatchSize(2).instrumentation(true));
        DatagramEndpoint b = open(config());
        for (int i = 0; i < 3; i++) {
            b.send(numbered(i, 8), a.localAddress());
        }
        // take the first datagram: inline, that reads a batch of two; with a thread, the rest is queued by now
        try (Datagram first = a.receive(5, TimeUnit.SECONDS)) {
            assertThat(first.buffer().getInt(first.offset())).isZero();
        }
        long queued = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!inline() && a.stats().receivedPackets() < 3 && System.nanoTime() < queued) {
            Thread.sleep(1);
        }
        a.injectReceiveDescriptorForTest(badFd);
        // wakes the receive thread if it is blocked on the real socket; its next call then hits the bad fd
        b.send(numbered(3, 8), a.localAddress());
        List<Integer> drained = new ArrayList<>();
        Throwable end = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (end == null && System.nanoTime() < deadline) {
            try {
                Datagram d = a.receive(100, TimeUnit.MILLISECONDS);
                if (d != null) {
                    drained.add(d.buffer().getInt(d.offset()));
                    d.release();
                }
            } catch (TransportClosedException e) {
                end = e;
            }
        }
        assertThat(end).isInstanceOf(TransportClosedException.class).hasMessageContaining(errno);
        // everything read before the error is handed out, in order, before the exception
        assertThat(drained).startsWith(inline() ? new Integer[] {1} : new Integer[] {1, 2}).isSorted();
        // and receiving stays over
        assertThatThrownBy(a::tryReceive).isInstanceOf(TransportClosedException.class).hasMessageContaining(errno);
        // closing afterwards is still clean and idempotent
        a.close();
        a.close();
    }

    @Test
    void shouldSplitGroSuperDatagramsWhenSenderUsesGso() throws Exception {
        DatagramEndpoint rx = open(config().gro(true).instrumentation(true).receiveBufferSize(8 << 20));
        DatagramEndpoint tx = open(config().gso(true));
        assumeThat(tx.socketInfo().gsoEnabled()).as("kernel without UDP GSO").isTrue();
        assertThat(rx.socketInfo().groEnabled()).isTrue();
        int size = 1200;
        int count = 54 * 3;
        try (SendBatch batch = SendBatch.allocate(count, count * size)) {
            for (int i = 0; i < count; i++) {
                int off = batch.claim(size);
                batch.memory().set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, off, i);
            }
            assertThat(tx.sendBatch(batch, rx.localAddress())).isEqualTo(count);
        }
        assertThat(tx.stats().gsoSends()).isPositive();
        for (int i = 0; i < count; i++) {
            try (Datagram d = rx.receive(5, TimeUnit.SECONDS)) {
                assertThat(d).as("datagram %d", i).isNotNull();
                assertThat(d.length()).isEqualTo(size);
                assertThat(d.memory().get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, d.offset())).isEqualTo(i);
            }
        }
        TransportStats s = rx.stats();
        assertThat(s.receivedPackets()).isEqualTo(count);
        assertThat(s.receiveSyscalls()).isLessThan(count);
    }

    @Test
    void shouldEndGsoRunWhenAShorterDatagramFollows() throws Exception {
        DatagramEndpoint rx = open(config());
        DatagramEndpoint tx = open(config().gso(true));
        int[] sizes = {100, 100, 100, 40, 100, 7, 7, 300};
        try (SendBatch batch = SendBatch.allocate(sizes.length, 2_000)) {
            for (int i = 0; i < sizes.length; i++) {
                ByteBuffer b = ByteBuffer.allocate(sizes[i]);
                b.put(0, (byte) i);
                batch.add(b);
            }
            assertThat(tx.sendBatch(batch, rx.localAddress())).isEqualTo(sizes.length);
        }
        for (int i = 0; i < sizes.length; i++) {
            try (Datagram d = rx.receive(5, TimeUnit.SECONDS)) {
                assertThat(d.length()).as("datagram %d", i).isEqualTo(sizes[i]);
                assertThat(d.getByte(0)).isEqualTo((byte) i);
            }
        }
    }

    @Test
    void shouldCountKernelDropsWhenReceiveBufferOverflows() throws Exception {
        DatagramEndpoint rx = open(config().instrumentation(true).receiveBufferSize(4096).queueDepth(1)
                .receiveBatchSize(1));
        DatagramEndpoint tx = open(config());
        // hold the only free buffers so the receive thread parks and the kernel buffer overflows
        List<Datagram> held = new ArrayList<>();
        tx.send(numbered(0, 64), rx.localAddress());
        held.add(rx.receive(5, TimeUnit.SECONDS));
        int sent = 500;
        for (int i = 1; i <= sent; i++) {
            tx.send(numbered(i, 512), rx.localAddress());
        }
        Thread.sleep(100);
        // the count comes from the socket itself (SO_MEMINFO), so it is there before any further traffic
        assertThat(rx.stats().kernelDrops()).isPositive();
        held.forEach(Datagram::release);
        // receive everything that was queued, up to a probe sent once the queue is empty
        int received = 0;
        boolean probeSeen = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!probeSeen && System.nanoTime() < deadline) {
            Datagram d = rx.receive(100, TimeUnit.MILLISECONDS);
            if (d == null) {
                tx.send(numbered(-1, 64), rx.localAddress());
                continue;
            }
            probeSeen = d.buffer().getInt(d.offset()) == -1;
            if (!probeSeen) {
                received++;
            }
            d.release();
        }
        assertThat(probeSeen).isTrue();
        long drops = rx.stats().kernelDrops();
        assertThat(received).isLessThan(sent);
        // every datagram is either received or counted as dropped by the kernel
        assertThat(drops).isEqualTo(sent - received);
    }

    @Test
    void shouldFailClearlyWhenPortIsTaken() throws Exception {
        DatagramEndpoint a = open(config());
        assertThatThrownBy(() -> open(config().bindAddress(a.localAddress())))
                .isInstanceOf(java.net.BindException.class).hasMessageContaining("EADDRINUSE")
                .hasMessageContaining("choose another port");
    }

    @Test
    void shouldReceiveWhenInstrumentationRecordsHistogram() throws Exception {
        DatagramEndpoint rx = open(config().instrumentation(true));
        DatagramEndpoint tx = open(config());
        try (SendBatch batch = SendBatch.allocate(64, 64 * 64)) {
            for (int i = 0; i < 64; i++) {
                batch.add(numbered(i, 64));
            }
            tx.sendBatch(batch, rx.localAddress());
        }
        int got = 0;
        while (got < 64) {
            got += rx.receiveBatch(d -> { }, 64);
        }
        TransportStats s = rx.stats();
        assertThat(s.receivedPackets()).isEqualTo(64);
        assertThat(s.maxReceiveBatch()).isBetween(1L, 64L);
        assertThat(s.packetsPerReceiveSyscall()).isGreaterThanOrEqualTo(1.0);
    }
}
