package io.meshwire.epics;

import io.meshwire.util.RateLimitedLog;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers CA and PVA name searches on one or more {@link EpicsTransport}s (e.g. the CA search port and the PVA
 * broadcast port, each on every NIC) from a name directory: one receive thread and one {@link SearchResponder} per
 * transport, replies sent through the NIC the search came in on ({@link EpicsTransport#sendVia}). A directory file
 * is checked for changes every {@link NameServerConfig#reloadPeriod()}; a bad edit keeps the last good directory.
 *
 * <p>With {@link NameServerConfig#beacons()} on, it announces itself as rsrv and pvxs servers do: CA
 * {@code RSRV_IS_UP} and PVA {@code CMD_BEACON}, each sent through the transport that answers that protocol and
 * carrying that transport's port, to 255.255.255.255 through every NIC and to the explicit destinations; the first
 * at once, then at intervals doubling from 20 ms up to the period ({@link BeaconSenderConfig}). Beacons need to
 * know which transport is which protocol's, so they need the {@link Map} form of {@code start}. The directory
 * reload and the beacons share one scheduler thread.
 *
 * <p>It owns the transports: {@link #close()} stops the threads and closes them; idempotent.
 */
public final class NameServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NameServer.class);
    private static final long RECEIVE_TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long JOIN_MILLIS = 5_000;

    private final List<EpicsTransport> transports;
    private final List<SearchResponder> responders = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final EpicsDropCounters drops = new EpicsDropCounters();
    private final LongAdder sendErrors = new LongAdder();
    private final RateLimitedLog sendWarn = new RateLimitedLog(LOG, 1_000);
    private final ScheduledExecutorService scheduler;
    private final List<BeaconSender> beacons = new ArrayList<>();
    private final RateLimitedLog beaconWarn = new RateLimitedLog(LOG, 1_000);
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean running = true;

    private NameServer(List<EpicsTransport> transports, Map<EpicsProtocol, EpicsTransport> byProtocol,
            Supplier<NameDirectory> directory, NameDirectoryFile file, NameServerConfig config) {
        this.transports = List.copyOf(transports);
        for (EpicsTransport t : this.transports) {
            SearchResponder r = new SearchResponder(config.responder(), directory, drops);
            responders.add(r);
            Thread thread = Thread.ofPlatform().daemon().name("meshwire-nameserver-" + t.localPort())
                    .unstarted(() -> serve(t, r));
            threads.add(thread);
        }
        if (config.beacons().enabled()) {
            byte[] guid = config.responder().guid();
            for (Map.Entry<EpicsProtocol, EpicsTransport> e : byProtocol.entrySet()) {
                EpicsProtocol p = e.getKey();
                boolean answered = p == EpicsProtocol.CA ? config.responder().answerCa() : config.responder().answerPva();
                if (answered) {
                    beacons.add(new BeaconSender(p, e.getValue(), config.beacons(), guid, beaconWarn));
                }
            }
        }
        if (file != null || !beacons.isEmpty()) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
                    .name("meshwire-nameserver-timer").unstarted(r));
        } else {
            scheduler = null;
        }
        if (file != null) {
            long period = config.reloadPeriod().toMillis();
            scheduler.scheduleWithFixedDelay(file::reloadIfChanged, period, period, TimeUnit.MILLISECONDS);
        }
        threads.forEach(Thread::start);
        // announce only once the receive threads answer
        beacons.forEach(b -> b.start(scheduler));
    }

    /**
     * Starts answering from a directory file, reloaded on change. Every transport answers both protocols; for
     * beacons use {@link #start(Map, NameDirectoryFile, NameServerConfig)}.
     *
     * @param transports the sockets to answer on; the server owns and closes them
     * @throws IllegalArgumentException when the list is empty, or beacons are on
     */
    public static NameServer start(List<? extends EpicsTransport> transports, NameDirectoryFile file,
            NameServerConfig config) {
        Objects.requireNonNull(file, "file");
        return start(transports, Map.of(), file::current, file, config);
    }

    /** Starts answering from a directory supplier (read once per datagram); as the other list form. */
    public static NameServer start(List<? extends EpicsTransport> transports, Supplier<NameDirectory> directory,
            NameServerConfig config) {
        return start(transports, Map.of(), directory, null, config);
    }

    /**
     * Starts answering from a directory file, reloaded on change, with one transport per protocol (e.g. the CA search
     * port and the PVA broadcast port). Each answers searches of both protocols, as in the list form; beacons of a
     * protocol go out through its transport and announce its port.
     *
     * @param transports the socket of each protocol; the server owns and closes them
     * @throws IllegalArgumentException when the map is empty
     */
    public static NameServer start(Map<EpicsProtocol, ? extends EpicsTransport> transports, NameDirectoryFile file,
            NameServerConfig config) {
        Objects.requireNonNull(file, "file");
        return start(byProtocol(transports), file::current, file, config);
    }

    /** Starts answering from a directory supplier (read once per datagram); as the other map form. */
    public static NameServer start(Map<EpicsProtocol, ? extends EpicsTransport> transports,
            Supplier<NameDirectory> directory, NameServerConfig config) {
        return start(byProtocol(transports), directory, null, config);
    }

    private static NameServer start(Map<EpicsProtocol, EpicsTransport> byProtocol, Supplier<NameDirectory> directory,
            NameDirectoryFile file, NameServerConfig config) {
        return start(new ArrayList<>(byProtocol.values()), byProtocol, directory, file, config);
    }

    private static Map<EpicsProtocol, EpicsTransport> byProtocol(Map<EpicsProtocol, ? extends EpicsTransport> map) {
        Objects.requireNonNull(map, "transports");
        Map<EpicsProtocol, EpicsTransport> out = new EnumMap<>(EpicsProtocol.class);
        for (Map.Entry<EpicsProtocol, ? extends EpicsTransport> e : map.entrySet()) {
            out.put(Objects.requireNonNull(e.getKey(), "protocol"), Objects.requireNonNull(e.getValue(), "transport"));
        }
        return out;
    }

    private static NameServer start(List<? extends EpicsTransport> transports,
            Map<EpicsProtocol, EpicsTransport> byProtocol, Supplier<NameDirectory> directory, NameDirectoryFile file,
            NameServerConfig config) {
        Objects.requireNonNull(transports, "transports");
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(config, "config");
        if (transports.isEmpty()) {
            throw new IllegalArgumentException("a name server needs at least one transport");
        }
        if (config.beacons().enabled() && byProtocol.isEmpty()) {
            throw new IllegalArgumentException("beacons announce the CA and the PVA transport's port: start the name "
                    + "server with a Map<EpicsProtocol, EpicsTransport> instead of a list");
        }
        return new NameServer(new ArrayList<>(transports), byProtocol, directory, file, config);
    }

    private void serve(EpicsTransport transport, SearchResponder responder) {
        ReplySink sink = (buf, dest, request) -> {
            try {
                transport.sendVia(buf, dest, request.ifindex());
            } catch (IOException | RuntimeException e) {
                sendErrors.increment();
                sendWarn.warn("reply to {} failed: {}", dest, e.getMessage());
            }
        };
        EpicsDatagramHandler handler = d -> responder.onDatagram(d, sink, System.nanoTime());
        while (running) {
            try {
                transport.receive(handler, 64, RECEIVE_TIMEOUT_NANOS);
            } catch (IOException e) {
                if (running) {
                    LOG.error("name server on port {} stopped receiving: {}", transport.localPort(), e.toString());
                }
                return;
            } catch (RuntimeException e) {
                // a bug, not input: input problems are counted, never thrown; keep serving
                LOG.error("name server on port {}: unexpected error", transport.localPort(), e);
            }
        }
    }

    /** The transports answered on. */
    public List<EpicsTransport> transports() {
        return transports;
    }

    /** Counters summed over every transport. */
    public SearchResponderStats stats() {
        long ca = 0;
        long pva = 0;
        long found = 0;
        long replies = 0;
        long limited = 0;
        long copies = 0;
        for (SearchResponder r : responders) {
            SearchResponderStats s = r.stats();
            ca += s.caNames();
            pva += s.pvaNames();
            found += s.found();
            replies += s.replies();
            limited += s.rateLimited();
            copies += s.wildcardCopies();
        }
        return new SearchResponderStats(ca, pva, found, replies, limited, copies, drops.total());
    }

    /** Malformed input by reason. */
    public EpicsDropCounters drops() {
        return drops;
    }

    /** Replies that could not be sent. */
    public long sendErrors() {
        return sendErrors.sum();
    }

    /** Beacon datagrams sent, both protocols (a fan-out over N NICs counts N); 0 with beacons off. */
    public long beaconsSent() {
        long n = 0;
        for (BeaconSender b : beacons) {
            n += b.sent();
        }
        return n;
    }

    /** Beacon datagrams of {@code protocol} sent (a fan-out over N NICs counts N). */
    public long beaconsSent(EpicsProtocol protocol) {
        long n = 0;
        for (BeaconSender b : beacons) {
            if (b.protocol() == protocol) {
                n += b.sent();
            }
        }
        return n;
    }

    /** Beacon sends that failed (each warned about at most once a second, never thrown). */
    public long beaconSendErrors() {
        long n = 0;
        for (BeaconSender b : beacons) {
            n += b.errors();
        }
        return n;
    }

    /** The protocols this server sends beacons for (empty with beacons off). */
    public List<EpicsProtocol> beaconProtocols() {
        return beacons.stream().map(BeaconSender::protocol).toList();
    }

    /** Stops the threads, closes the transports; idempotent and bounded in time. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running = false;
        beacons.forEach(BeaconSender::stop);
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                // let a beacon or reload in progress finish before its socket closes
                scheduler.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Thread t : threads) {
            try {
                t.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (EpicsTransport t : transports) {
            try {
                t.close();
            } catch (RuntimeException e) {
                LOG.warn("closing {} failed: {}", t, e.toString());
            }
        }
    }
}
