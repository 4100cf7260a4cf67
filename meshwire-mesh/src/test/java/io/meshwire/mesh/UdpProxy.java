package io.meshwire.mesh;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback man in the middle: forwards client → server and server → client, records what the client sent, and
 * injects datagrams of its own towards the server (which sees them from the same address as the client's).
 */
final class UdpProxy implements AutoCloseable {
    private final DatagramChannel channel;
    private final InetSocketAddress server;
    private final Thread thread;
    private volatile InetSocketAddress client;
    private volatile boolean running = true;
    final List<byte[]> fromClient = new CopyOnWriteArrayList<>();

    UdpProxy(InetSocketAddress server) throws IOException {
        this.server = server;
        this.channel = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        this.thread = Thread.ofPlatform().daemon().name("udp-proxy").start(this::run);
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    void inject(byte[] datagram) throws IOException {
        channel.send(ByteBuffer.wrap(datagram), server);
    }

    private void run() {
        ByteBuffer buf = ByteBuffer.allocate(65536);
        while (running) {
            try {
                buf.clear();
                SocketAddress from = channel.receive(buf);
                buf.flip();
                byte[] copy = new byte[buf.remaining()];
                buf.get(copy);
                if (from.equals(server)) {
                    if (client != null) {
                        channel.send(ByteBuffer.wrap(copy), client);
                    }
                } else {
                    client = (InetSocketAddress) from;
                    fromClient.add(copy);
                    channel.send(ByteBuffer.wrap(copy), server);
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        channel.close();
    }
}
