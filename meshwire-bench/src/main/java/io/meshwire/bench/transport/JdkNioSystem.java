package io.meshwire.bench.transport;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;

/**
 * The JDK peer: a blocking {@link DatagramChannel} with one reused direct buffer, one datagram per call. The sender
 * is connected, so each {@code write} is one {@code send} without a per-datagram route lookup.
 */
final class JdkNioSystem extends JavaPeerSystem {

    static final String NAME = "jdk-nio";

    private static final int SOCKET_BUFFER_BYTES = 64 << 20;
    private static final int DEADLINE_CHECK_MASK = 63;

    JdkNioSystem() {
        super(NAME);
    }

    @Override
    protected void receive(PeerContext context, ReceiveStats stats) throws Exception {
        InetSocketAddress address = context.address();
        try (DatagramChannel channel = DatagramChannel.open(family(address))) {
            // Capped by net.core.rmem_max: the JDK cannot ask for SO_RCVBUFFORCE.
            channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
            channel.bind(address);
            System.err.println("jdk-nio: recv " + channel.getLocalAddress() + " rcvbuf="
                    + channel.getOption(StandardSocketOptions.SO_RCVBUF));
            context.ready(((InetSocketAddress) channel.getLocalAddress()).getPort(), channel);
            ByteBuffer buffer = ByteBuffer.allocateDirect(PeerSpec.MAX_SIZE + 1);
            try {
                while (true) {
                    buffer.clear();
                    channel.receive(buffer);
                    stats.onBatch(1, buffer.position());
                }
            } catch (ClosedChannelException stopped) {
                // the stopper closed the channel (AsynchronousCloseException): the run is over
            }
        }
    }

    @Override
    protected void send(PeerContext context, SendStats stats) throws Exception {
        InetSocketAddress address = context.address();
        int size = context.spec().size();
        try (DatagramChannel channel = DatagramChannel.open(family(address))) {
            channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
            channel.connect(address);
            ByteBuffer buffer = ByteBuffer.allocateDirect(size);
            for (int i = 0; i < size; i++) {
                buffer.put(i, (byte) i);
            }
            long deadline = context.sendDeadlineNanos();
            for (long i = 0; (i & DEADLINE_CHECK_MASK) != 0 || System.nanoTime() < deadline; i++) {
                buffer.clear();
                try {
                    channel.write(buffer);
                    stats.onSent(1, size);
                } catch (PortUnreachableException e) {
                    // ICMP port unreachable from an earlier datagram: the receiver is not (or no longer) bound
                    stats.onError();
                }
            }
        }
    }

    private static StandardProtocolFamily family(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }
}
