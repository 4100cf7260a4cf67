package io.meshwire.epics;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds a {@link BeaconTracker} from transports, one receive thread each. CA beacons arrive either directly on the
 * beacon port, or, when a CA repeater already holds that port (it binds it exclusively), through the repeater: the
 * listener then registers ({@code CA_REPEATER_REGISTER} to the repeater on 127.0.0.1, once a second until the
 * {@code CA_REPEATER_CONFIRM}), as libca does, and the repeater forwards every beacon it hears.
 *
 * <p>Owns its transports; {@link #close()} is idempotent.
 */
public final class BeaconListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BeaconListener.class);
    private static final long RECEIVE_TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long REGISTER_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final List<EpicsTransport> transports;
    private final BeaconTracker tracker;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final InetSocketAddress repeater;
    private final EpicsTransport viaRepeater;
    private volatile boolean running = true;

    private BeaconListener(List<EpicsTransport> transports, BeaconTracker tracker, EpicsTransport viaRepeater,
            InetSocketAddress repeater) {
        this.transports = List.copyOf(transports);
        this.tracker = tracker;
        this.viaRepeater = viaRepeater;
        this.repeater = repeater;
        for (EpicsTransport t : this.transports) {
            tracker.interfaceNames(t::interfaceName);
            threads.add(Thread.ofPlatform().daemon().name("meshwire-beacons-" + t.localPort())
                    .start(() -> listen(t)));
        }
    }

    /**
     * Listens on transports already bound to the beacon ports.
     *
     * @param transports owned by the listener from now on
     */
    public static BeaconListener start(List<? extends EpicsTransport> transports, BeaconTracker tracker) {
        Objects.requireNonNull(tracker, "tracker");
        if (transports.isEmpty()) {
            throw new IllegalArgumentException("listen on at least one transport");
        }
        return new BeaconListener(new ArrayList<>(transports), tracker, null, null);
    }

    /**
     * Listens for CA beacons on {@code bindAddress}:{@code caBeaconPort} (bound exclusively, as a repeater would),
     * or through the CA repeater on 127.0.0.1:{@code caBeaconPort} when the port is taken; and for PVA beacons on
     * {@code bindAddress}:{@code pvaBroadcastPort} (shared, as pvxs binds it). A port of 0 skips that protocol.
     *
     * @throws IOException when a socket cannot be opened (the message names the port)
     */
    public static BeaconListener open(InetAddress bindAddress, int caBeaconPort, int pvaBroadcastPort,
            BeaconTracker tracker) throws IOException {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(tracker, "tracker");
        List<EpicsTransport> opened = new ArrayList<>();
        EpicsTransport viaRepeater = null;
        InetSocketAddress repeater = null;
        try {
            if (caBeaconPort > 0) {
                try {
                    // no SO_REUSEADDR: a second socket sharing the port would steal the repeater's unicast traffic
                    opened.add(EndpointTransport.open(EndpointTransport
                            .defaults(new InetSocketAddress(bindAddress, caBeaconPort)).reuseAddress(false).build()));
                } catch (BindException e) {
                    repeater = new InetSocketAddress(InetAddress.getLoopbackAddress(), caBeaconPort);
                    viaRepeater = EndpointTransport.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                    opened.add(viaRepeater);
                    LOG.info("CA beacon port {} is taken (a CA repeater?): registering with the repeater at {}",
                            caBeaconPort, repeater);
                }
            }
            if (pvaBroadcastPort > 0) {
                opened.add(EndpointTransport.open(EndpointTransport
                        .defaults(new InetSocketAddress(bindAddress, pvaBroadcastPort)).reusePort(true).build()));
            }
        } catch (IOException | RuntimeException e) {
            opened.forEach(EpicsTransport::close);
            throw e;
        }
        if (opened.isEmpty()) {
            throw new IllegalArgumentException("no beacon port to listen on: give a CA or a PVA port");
        }
        return new BeaconListener(opened, tracker, viaRepeater, repeater);
    }

    /** True when CA beacons come through a repeater. */
    public boolean viaRepeater() {
        return viaRepeater != null;
    }

    /** The transports listened on. */
    public List<EpicsTransport> transports() {
        return transports;
    }

    private void listen(EpicsTransport t) {
        EpicsDatagramHandler handler = d -> tracker.onDatagram(d, System.nanoTime());
        boolean registers = t == viaRepeater;
        ByteBuffer register = ByteBuffer.allocateDirect(CaProtocol.HEADER_LENGTH);
        if (registers) {
            // parameter 2: the client's address; the repeater answers to the registration's source anyway
            CaEncoder.writeRepeaterRegister(MemorySegment.ofBuffer(register), 0, 0x7F000001);
        }
        long nextRegister = System.nanoTime();
        while (running) {
            try {
                if (registers && tracker.repeaterConfirms() == 0 && System.nanoTime() - nextRegister >= 0) {
                    register.clear();
                    t.send(register, repeater);
                    nextRegister = System.nanoTime() + REGISTER_PERIOD_NANOS;
                }
                t.receive(handler, 64, RECEIVE_TIMEOUT_NANOS);
            } catch (IOException e) {
                if (running) {
                    LOG.error("beacon listener on port {} stopped: {}", t.localPort(), e.toString());
                }
                return;
            } catch (RuntimeException e) {
                LOG.error("beacon listener on port {}: unexpected error", t.localPort(), e);
            }
        }
    }

    /** Stops the threads and closes the transports; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running = false;
        for (Thread t : threads) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        transports.forEach(EpicsTransport::close);
    }
}
