package io.meshwire.bench.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.util.ReferenceCountUtil;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The Netty 4.2 epoll peer. The receiver reads with {@code recvmmsg}: Netty switches to it when
 * {@link EpollChannelOption#MAX_DATAGRAM_PAYLOAD_SIZE} is set and the receive buffer holds several datagrams of that
 * size (here {@value #BATCH}). The sender is connected and writes {@value #BATCH} buffers, then flushes once, which
 * Netty turns into {@code sendmmsg}.
 */
final class NettyEpollSystem extends JavaPeerSystem {

    static final String NAME = "netty-epoll";

    private static final int BATCH = 64;
    private static final int SOCKET_BUFFER_BYTES = 64 << 20;
    private static final int MAX_MESSAGES_PER_READ = 16 * BATCH;
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(1 << 20, 4 << 20);

    NettyEpollSystem() {
        super(NAME);
    }

    @Override
    protected List<String> jvmOptions() {
        // The default leak detector samples buffers on the hot path; no production deployment measures with it.
        // SLF4J has no provider in the peer JVM: keep its three-line warning out of the relayed output.
        return List.of("-Dio.netty.leakDetection.level=disabled", "-Dslf4j.internal.verbosity=ERROR");
    }

    @Override
    protected void receive(PeerContext context, ReceiveStats stats) throws Exception {
        Epoll.ensureAvailability();
        int size = context.spec().size();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            InetSocketAddress address = context.address();
            Channel channel = new Bootstrap()
                    .group(group)
                    .channelFactory(() -> new EpollDatagramChannel(family(address)))
                    .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER_BYTES)
                    // recvmmsg: one receive buffer of BATCH slots of exactly the payload size
                    .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, size)
                    .option(ChannelOption.RCVBUF_ALLOCATOR,
                            new FixedRecvByteBufAllocator(BATCH * size).maxMessagesPerRead(MAX_MESSAGES_PER_READ))
                    .handler(new CountingHandler(stats))
                    .bind(address).sync().channel();
            System.err.println("netty-epoll: recv " + channel.localAddress() + " rcvbuf="
                    + channel.config().getOption(ChannelOption.SO_RCVBUF));
            context.ready(((InetSocketAddress) channel.localAddress()).getPort(), () -> channel.close().sync());
            channel.closeFuture().sync();
        } finally {
            // Termination orders the event loop's counter writes before PeerMain reads them.
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Override
    protected void send(PeerContext context, SendStats stats) throws Exception {
        Epoll.ensureAvailability();
        int size = context.spec().size();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            InetSocketAddress address = context.address();
            Pump pump = new Pump(stats, size);
            Channel channel = new Bootstrap()
                    .group(group)
                    .channelFactory(() -> new EpollDatagramChannel(family(address)))
                    .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER_BYTES)
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                    .handler(pump)
                    .connect(address).sync().channel();
            channel.eventLoop().execute(() -> pump.start(channel, context));
            pump.done.get(context.spec().seconds() + 30L, TimeUnit.SECONDS);
            channel.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static SocketProtocolFamily family(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
    }

    /**
     * Counts datagrams and recovers the recvmmsg batches: Netty slices every datagram of one {@code recvmmsg} call
     * out of one buffer, so a change of the slices' parent buffer marks a new call. The last datagram is held
     * unreleased until the next arrives, so the previous parent cannot be recycled into the next allocation and
     * mistaken for the same call.
     */
    private static final class CountingHandler extends ChannelInboundHandlerAdapter {

        private final ReceiveStats stats;
        private DatagramPacket held;
        private ByteBuf batchParent;
        private int batchCount;

        CountingHandler(ReceiveStats stats) {
            this.stats = stats;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof DatagramPacket packet)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            ByteBuf content = packet.content();
            ByteBuf parent = content.unwrap() == null ? content : content.unwrap();
            if (parent != batchParent) {
                endBatch();
                batchParent = parent;
            }
            batchCount++;
            stats.onReceive(1, content.readableBytes());
            if (held != null) {
                held.release();
            }
            held = packet;
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            endBatch();
            if (held != null) {
                held.release();
                held = null;
            }
            ctx.fireChannelInactive();
        }

        private void endBatch() {
            if (batchCount > 0) {
                stats.onCall(batchCount);
                batchCount = 0;
            }
        }
    }

    /**
     * Writes {@value #BATCH} duplicates of one direct buffer and flushes once, then queues itself behind the
     * event loop's I/O; pauses while the channel is unwritable. Writes use the void promise: a failed datagram
     * surfaces as {@link #exceptionCaught} and is taken back out of the sent count.
     */
    private static final class Pump extends ChannelInboundHandlerAdapter implements Runnable {

        private final SendStats stats;
        private final int size;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        private Channel channel;
        private ByteBuf template;
        private long deadline;
        private boolean finishing;

        Pump(SendStats stats, int size) {
            this.stats = stats;
            this.size = size;
        }

        void start(Channel ch, PeerContext context) {
            channel = ch;
            template = ch.alloc().directBuffer(size);
            for (int i = 0; i < size; i++) {
                template.writeByte(i);
            }
            System.err.println("netty-epoll: send to " + ch.remoteAddress() + " size=" + size + " sndbuf="
                    + ch.config().getOption(ChannelOption.SO_SNDBUF));
            deadline = context.sendDeadlineNanos();
            run();
        }

        @Override
        public void run() {
            if (finishing) {
                return;
            }
            if (System.nanoTime() >= deadline) {
                finishing = true;
                finish();
                return;
            }
            int written = 0;
            while (written < BATCH && channel.isWritable()) {
                channel.write(template.retainedDuplicate(), channel.voidPromise());
                written++;
            }
            if (written > 0) {
                channel.flush();
                stats.onSent(written, (long) written * size);
            }
            if (channel.isWritable()) {
                channel.eventLoop().execute(this);
            }
            // else: channelWritabilityChanged resumes once the socket drained the outbound buffer
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable() && template != null && !finishing) {
                ctx.channel().eventLoop().execute(this);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // one datagram failed (e.g. ICMP port unreachable): it was counted as sent, take it back
            stats.onSendFailed(size);
        }

        private void finish() {
            if (channel.unsafe().outboundBuffer() != null && !channel.unsafe().outboundBuffer().isEmpty()) {
                // let the socket drain what is still queued, so every counted datagram reached the kernel
                channel.eventLoop().schedule(this::finish, 1, TimeUnit.MILLISECONDS);
                return;
            }
            template.release();
            done.complete(null);
        }
    }
}
