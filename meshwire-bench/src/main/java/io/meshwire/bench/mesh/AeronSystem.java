package io.meshwire.bench.mesh;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Aeron as the peer: each process embeds its own media driver (as two hosts would), the publisher claims space in
 * an exclusive publication's log and writes each event in place, the subscriber polls fragments. One UDP stream on
 * loopback, Aeron's reliable delivery with flow control, no encryption (Aeron has none on UDP).
 *
 * <p>Configuration: Aeron's defaults (16 MiB terms, 1408-byte MTU, batching of small messages into one frame)
 * except the driver's threading mode, which is a constructor argument: on two cores the mode matters, so the
 * harness runs the mode that did best here by default and can run the others.
 */
final class AeronSystem implements EventSystem {

    private static final int STREAM_ID = 1001;
    private static final int FRAGMENT_LIMIT = 256;
    private static final long CONNECT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(20);
    private static final int DEADLINE_CHECK_MASK = 63;
    private static final long LINGER_MILLIS = 1_000;

    private final String name;
    private final ThreadingMode threadingMode;

    AeronSystem(String name, ThreadingMode threadingMode) {
        this.name = name;
        this.threadingMode = threadingMode;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<String> jvmOptions() {
        // Agrona reaches into java.nio and jdk.internal.misc for direct-buffer addresses and its own Unsafe access.
        return List.of("--add-opens", "java.base/java.nio=ALL-UNNAMED",
                "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED");
    }

    private MediaDriver launchDriver() {
        return MediaDriver.launchEmbedded(new MediaDriver.Context()
                .threadingMode(threadingMode)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
    }

    private static String channel(InetSocketAddress address) {
        return "aeron:udp?endpoint=" + address.getHostString() + ":" + address.getPort();
    }

    @Override
    public void subscribe(EventPeer peer, EventStats stats) throws Exception {
        int port = peer.spec().port() != 0 ? peer.spec().port() : freePort(peer.spec().host());
        InetSocketAddress address = new InetSocketAddress(peer.spec().host(), port);
        try (MediaDriver driver = launchDriver();
             Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
             Subscription subscription = aeron.addSubscription(channel(address), STREAM_ID)) {
            Running running = new Running();
            peer.ready(port, Map.of(), running);
            // one clock read per poll, like meshwire's one per received packet (EventStats.onEvent)
            long[] pollNanos = new long[1];
            FragmentHandler handler = (buffer, offset, length, header) ->
                    stats.onEvent(length, buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN), pollNanos[0]);
            IdleStrategy idle = new BackoffIdleStrategy();
            while (running.running) {
                pollNanos[0] = System.nanoTime();
                idle.idle(subscription.poll(handler, FRAGMENT_LIMIT));
            }
        }
    }

    @Override
    public void publish(EventPeer peer, EventStats.Published stats) throws Exception {
        int size = peer.spec().size();
        try (MediaDriver driver = launchDriver();
             Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
             ExclusivePublication publication = aeron.addExclusivePublication(channel(peer.address()), STREAM_ID)) {
            awaitConnected(publication);
            IdleStrategy idle = new BackoffIdleStrategy();
            BufferClaim claim = new BufferClaim();
            UnsafeBuffer event = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
            boolean claimable = size <= publication.maxPayloadLength();
            long deadline = peer.sendDeadlineNanos();
            for (long i = 0; (i & DEADLINE_CHECK_MASK) != 0 || System.nanoTime() < deadline; i++) {
                long position;
                if (claimable) {
                    position = publication.tryClaim(size, claim);
                    if (position > 0) {
                        claim.buffer().putLong(claim.offset(), System.nanoTime(), ByteOrder.LITTLE_ENDIAN);
                        claim.commit();
                    }
                } else {
                    event.putLong(0, System.nanoTime(), ByteOrder.LITTLE_ENDIAN);
                    position = publication.offer(event, 0, size);
                }
                if (position > 0) {
                    stats.onPublished(size);
                    idle.reset();
                } else {
                    stats.onBackpressure();
                    idle.idle();
                }
            }
            // The driver is this process's: keep it up a moment so events already in the log reach the subscriber
            // instead of dying with the process (they would count as lost).
            Thread.sleep(LINGER_MILLIS);
        }
    }

    private static void awaitConnected(ExclusivePublication publication) throws InterruptedException {
        long deadline = System.nanoTime() + CONNECT_TIMEOUT_NANOS;
        while (!publication.isConnected()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Aeron publication to " + publication.channel()
                        + " did not connect within 20 s: is the subscriber running?");
            }
            Thread.sleep(1);
        }
    }

    /** A port free right now on {@code host}: Aeron subscriptions want an explicit one. */
    private static int freePort(String host) throws Exception {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(host, 0))) {
            return socket.getLocalPort();
        }
    }

    /** The subscriber's stopper. */
    private static final class Running implements AutoCloseable {
        volatile boolean running = true;

        @Override
        public void close() {
            running = false;
        }
    }
}
