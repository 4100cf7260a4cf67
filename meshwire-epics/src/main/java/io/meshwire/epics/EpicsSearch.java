package io.meshwire.epics;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link SearchClient} over an {@link EpicsTransport} until every name is found or the timeout passes: sends
 * each due round (unicast targets routed, NIC broadcasts through their NIC, limited broadcast and multicast fanned
 * out over every NIC), and feeds every received datagram to the client in between. Searching both protocols, the
 * run ends {@link #LINGER} after every name was found over at least one of them (a name served over CA only would
 * otherwise hold the run until the timeout), so the other protocol's answers that are on their way still count.
 */
public final class EpicsSearch {
    private static final Logger LOG = LoggerFactory.getLogger(EpicsSearch.class);
    /** How long a run goes on once every name was found over some protocol. */
    public static final Duration LINGER = Duration.ofMillis(250);

    private EpicsSearch() {
    }

    /**
     * Searches {@code names} and returns the report; the transport stays open.
     *
     * @throws IOException when the transport fails (not for a failed send to one destination, which is logged and
     *                     counted)
     */
    public static SearchReport run(EpicsTransport transport, SearchClientConfig config, Collection<String> names,
            Set<EpicsProtocol> protocols, List<SearchTarget> targets, Duration timeout) throws IOException {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        EpicsDropCounters drops = new EpicsDropCounters();
        SearchClient client = new SearchClient(config, names, protocols, targets, transport.localPort(), drops);
        WarnLimiter warn = new WarnLimiter(LOG, 1_000);
        long[] sendErrors = new long[1];
        SearchClient.Sender sender = (ByteBuffer datagram, SearchTarget t) -> {
            try {
                switch (t.kind()) {
                    case UNICAST -> transport.send(datagram, t.address());
                    case NIC_BROADCAST -> transport.sendVia(datagram, t.address(), t.ifindex());
                    case FANOUT -> transport.fanout(datagram, t.address());
                }
            } catch (IOException | RuntimeException e) {
                sendErrors[0]++;
                warn.warn("search to {} failed: {}", t, e.getMessage());
            }
        };
        EpicsDatagramHandler handler = d -> client.onDatagram(d, System.nanoTime());
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        boolean lingering = false;
        while (true) {
            long now = System.nanoTime();
            long next = client.poll(now, sender);
            if (client.done() || now - deadline >= 0) {
                break;
            }
            if (!lingering && client.everyNameFound()) {
                lingering = true;
                deadline = Math.min(deadline, now + LINGER.toNanos());
            }
            long wait = Math.min(next, deadline) - now;
            transport.receive(handler, 64, Math.max(0, wait));
        }
        return new SearchReport(client.results(transport::interfaceName), client.rounds(), client.datagramsSent(),
                sendErrors[0], drops.total(), Duration.ofNanos(System.nanoTime() - start));
    }
}
