package io.meshwire.epics;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
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
    private final WarnLimiter sendWarn = new WarnLimiter(LOG, 1_000);
    private final ScheduledExecutorService reloader;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean running = true;

    private NameServer(List<EpicsTransport> transports, Supplier<NameDirectory> directory, NameDirectoryFile file,
            NameServerConfig config) {
        this.transports = List.copyOf(transports);
        for (EpicsTransport t : this.transports) {
            SearchResponder r = new SearchResponder(config.responder(), directory, drops);
            responders.add(r);
            Thread thread = Thread.ofPlatform().daemon().name("meshwire-nameserver-" + t.localPort())
                    .unstarted(() -> serve(t, r));
            threads.add(thread);
        }
        if (file != null) {
            reloader = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
                    .name("meshwire-nameserver-reload").unstarted(r));
            long period = config.reloadPeriod().toMillis();
            reloader.scheduleWithFixedDelay(file::reloadIfChanged, period, period, TimeUnit.MILLISECONDS);
        } else {
            reloader = null;
        }
        threads.forEach(Thread::start);
    }

    /**
     * Starts answering from a directory file, reloaded on change.
     *
     * @param transports the sockets to answer on; the server owns and closes them
     */
    public static NameServer start(List<? extends EpicsTransport> transports, NameDirectoryFile file,
            NameServerConfig config) {
        Objects.requireNonNull(file, "file");
        return start(transports, file::current, file, config);
    }

    /** Starts answering from a directory supplier (read once per datagram). */
    public static NameServer start(List<? extends EpicsTransport> transports, Supplier<NameDirectory> directory,
            NameServerConfig config) {
        return start(transports, directory, null, config);
    }

    private static NameServer start(List<? extends EpicsTransport> transports, Supplier<NameDirectory> directory,
            NameDirectoryFile file, NameServerConfig config) {
        Objects.requireNonNull(transports, "transports");
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(config, "config");
        if (transports.isEmpty()) {
            throw new IllegalArgumentException("a name server needs at least one transport");
        }
        return new NameServer(new ArrayList<>(transports), directory, file, config);
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

    /** Stops the threads, closes the transports; idempotent and bounded in time. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running = false;
        if (reloader != null) {
            reloader.shutdownNow();
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
