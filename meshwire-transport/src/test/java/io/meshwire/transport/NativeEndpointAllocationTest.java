package io.meshwire.transport;

import io.meshwire.testing.NativeAssumptions;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwire.testing.AllocationMeter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The hot paths of the FFM backend allocate nothing per datagram, measured on the calling thread
 * ({@code ThreadMXBean} allocated bytes, best of bounded rounds after warm-up): {@code send}, {@code sendBatch}
 * (connected and to an address), and the inline receive path, where the consumer thread itself calls
 * {@code recvmmsg}. Alone these measure 0 bytes; after other tests have shaped the JIT's profiles a round may show
 * the FFM linker's errno capture, which slices its segment (40 bytes) in a downcall whose caller C2 did not inline
 * far enough to scalar-replace the slice. That is per system call, never per datagram, so the bound is
 * {@link #CAPTURE_SLICE} per downcall of the round. (The dedicated receive thread's side is measured the same way for the per-NIC sets in
 * {@code NativeNicSocketSetTest}.) JMH's {@code -prof gc} cannot tell these apart from its own and the peer
 * threads' garbage.
 */
@Timeout(90)
class NativeEndpointAllocationTest {
    private static final int BATCH = 64;
    private static final int SIZE = 64;
    /** What one FFM downcall with {@code captureCallState} may allocate when not compiled away. */
    private static final long CAPTURE_SLICE = 40;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void requireNative() {
        NativeAssumptions.requireNativeBackend();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T track(T t) {
        open.add(t);
        return t;
    }

    private DatagramEndpoint receiver() throws IOException {
        return track(DatagramEndpoint.open(EndpointConfig.builder().bind("127.0.0.1", 0)
                .backend(EndpointConfig.BackendPreference.NATIVE).receiveMode(EndpointConfig.ReceiveMode.INLINE)
                .receiveBatchSize(BATCH).maxDatagramSize(2048).build()));
    }

    private SendBatch filledBatch() {
        SendBatch batch = track(SendBatch.allocate(BATCH, BATCH * SIZE));
        for (int i = 0; i < BATCH; i++) {
            batch.claim(SIZE);
        }
        return batch;
    }

    /** A check that allocates nothing itself (an AssertJ assertion object would be counted). */
    private static void expect(int actual, int expected) {
        if (actual != expected) {
            throw new AssertionError("expected " + expected + " but was " + actual);
        }
    }

    /** Receives exactly {@code n} datagrams inline, on the calling thread. */
    private static void receiveAll(DatagramEndpoint rx, int n, long[] bytes, DatagramHandler handler) {
        try {
            int got = 0;
            while (got < n) {
                got += rx.receiveBatch(handler, n - got);
            }
        } catch (TransportClosedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldNotAllocatePerDatagramWhenSendingBatchesToAnAddressAndReceivingInline() throws Exception {
        DatagramEndpoint rx = receiver();
        DatagramEndpoint tx = track(DatagramEndpoint.open(EndpointConfig.builder().bind("127.0.0.1", 0)
                .backend(EndpointConfig.BackendPreference.NATIVE).sendOnly(true).build()));
        InetSocketAddress to = rx.localAddress();
        SendBatch batch = filledBatch();
        long[] bytes = new long[1];
        DatagramHandler handler = d -> bytes[0] += d.length() + d.source().getPort();
        long perRound = AllocationMeter.bestOfRounds(5, 2000, () -> {
            try {
                expect(tx.sendBatch(batch, to), BATCH);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            receiveAll(rx, BATCH, bytes, handler);
        });
        // two downcalls per round: sendmmsg, recvmmsg; 64 datagrams
        assertThat(perRound).as("bytes per sendBatch of 64 + inline receive of 64").isLessThanOrEqualTo(2 * CAPTURE_SLICE);
        assertThat(bytes[0]).isPositive();
    }

    @Test
    void shouldNotAllocatePerDatagramWhenSendingConnectedBatchesAndSingleDatagrams() throws Exception {
        DatagramEndpoint rx = receiver();
        DatagramEndpoint tx = track(DatagramEndpoint.open(EndpointConfig.builder().bind("127.0.0.1", 0)
                .connectAddress(rx.localAddress()).backend(EndpointConfig.BackendPreference.NATIVE)
                .sendOnly(true).build()));
        InetSocketAddress to = rx.localAddress();
        SendBatch batch = filledBatch();
        ByteBuffer one = ByteBuffer.allocateDirect(SIZE);
        long[] bytes = new long[1];
        DatagramHandler handler = d -> bytes[0] += d.length();
        long perRound = AllocationMeter.bestOfRounds(5, 2000, () -> {
            try {
                expect(tx.sendBatch(batch), BATCH);
                one.clear();
                expect(tx.send(one), SIZE);
                one.clear();
                expect(tx.trySend(one, to) ? 1 : 0, 1);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            receiveAll(rx, BATCH + 2, bytes, handler);
        });
        // five downcalls per round: sendmmsg, send, sendto, two recvmmsg; 66 datagrams
        assertThat(perRound).as("bytes per connected sendBatch of 64 + send + trySend + inline receive")
                .isLessThanOrEqualTo(5 * CAPTURE_SLICE);
    }
}
