package io.meshwire.bench.transport;

import io.meshwire.transport.DatagramEndpoint;
import io.meshwire.transport.DatagramHandler;
import io.meshwire.transport.EndpointConfig;
import io.meshwire.transport.SendBatch;
import io.meshwire.transport.TransportClosedException;
import io.meshwire.transport.TransportStats;

import java.net.InetSocketAddress;

/**
 * meshwire's own systems: {@code meshwire-native} (FFM recvmmsg receive thread, sendmmsg batches of 64),
 * {@code meshwire-nio} (the portable backend) and {@code meshwire-gso} (GSO runs of 54 into a GRO receiver, at
 * 1200 B like the C GSO baseline).
 */
final class MeshwireSystem extends JavaPeerSystem {

    private static final int SEND_BATCH = 64;
    private static final int GSO_SEGMENTS = 54;

    private final EndpointConfig.BackendPreference backend;
    private final boolean gso;

    private MeshwireSystem(String name, EndpointConfig.BackendPreference backend, boolean gso) {
        super(name);
        this.backend = backend;
        this.gso = gso;
    }

    static MeshwireSystem nativeBackend() {
        return new MeshwireSystem("meshwire-native", EndpointConfig.BackendPreference.NATIVE, false);
    }

    static MeshwireSystem nioBackend() {
        return new MeshwireSystem("meshwire-nio", EndpointConfig.BackendPreference.NIO, false);
    }

    static MeshwireSystem gsoGro() {
        return new MeshwireSystem("meshwire-gso", EndpointConfig.BackendPreference.NATIVE, true);
    }

    @Override
    public boolean supportsSize(int size) {
        // like c-gso-gro, the GSO system is measured at 1200 B (54 segments fill one 64 KiB super-datagram)
        return gso ? size == 1200 : super.supportsSize(size);
    }

    @Override
    protected void receive(PeerContext context, ReceiveStats stats) throws Exception {
        EndpointConfig config = EndpointConfig.builder().bindAddress(context.address()).backend(backend)
                .gro(gso).instrumentation(true).build();
        try (DatagramEndpoint rx = DatagramEndpoint.open(config)) {
            System.err.println(name() + ": recv " + rx.localAddress() + " " + rx.socketInfo());
            context.ready(rx.localAddress().getPort(), rx);
            long[] bytes = new long[1];
            DatagramHandler handler = d -> bytes[0] += d.length();
            try {
                while (true) {
                    bytes[0] = 0;
                    int n = rx.receiveBatch(handler, 4096);
                    stats.onReceive(n, bytes[0]);
                }
            } catch (TransportClosedException stopped) {
                // the stopper closed the endpoint: the run is over
            }
            TransportStats s = rx.stats();
            stats.addCalls(s.receiveBatchHistogram(), s.receiveSyscalls());
        }
    }

    @Override
    protected void send(PeerContext context, SendStats stats) throws Exception {
        InetSocketAddress dest = context.address();
        int size = context.spec().size();
        int perBatch = gso ? GSO_SEGMENTS * 4 : SEND_BATCH;
        EndpointConfig config = EndpointConfig.builder()
                .bindAddress(new InetSocketAddress(dest.getAddress(), 0)).backend(backend).sendOnly(true).gso(gso)
                .build();
        try (DatagramEndpoint tx = DatagramEndpoint.open(config);
             SendBatch batch = SendBatch.allocate(perBatch, perBatch * size)) {
            for (int i = 0; i < perBatch; i++) {
                int off = batch.claim(size);
                for (int j = 0; j < size; j++) {
                    batch.memory().set(java.lang.foreign.ValueLayout.JAVA_BYTE, off + j, (byte) j);
                }
            }
            long deadline = context.sendDeadlineNanos();
            long bytesPerBatch = (long) perBatch * size;
            while (System.nanoTime() < deadline) {
                int sent = tx.sendBatch(batch, dest);
                stats.onSent(sent, sent == perBatch ? bytesPerBatch : (long) sent * size);
            }
        }
    }
}
