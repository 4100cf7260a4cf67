package io.meshwire.epics;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * The protocol core of a name search, independent of sockets: it builds the search datagrams, decides when to
 * repeat them, and matches the replies. A runner ({@link EpicsSearch}) calls {@link #poll} to send what is due
 * through a {@link Sender}, feeds every received datagram to {@link #onDatagram}, and stops when {@link #done()} or
 * its timeout passes.
 *
 * <h2>What goes on the wire</h2>
 * CA: datagrams of at most 1024 bytes holding {@code CA_PROTO_VERSION} (data type 1 = "sequence number valid",
 * minor version 13, parameter 1 = datagram sequence number) and one {@code CA_PROTO_SEARCH} per name with
 * {@code DONT_REPLY}, as libca sends them; the search id is the name's query id. PVA: {@code CMD_SEARCH} datagrams of
 * at most 1400 bytes, big-endian, protocol "tcp", response address unspecified and response port = the searching
 * socket's port, the unicast flag set for unicast destinations; search instance id = the query id.
 *
 * <h2>When</h2>
 * All unanswered names go out at once, then again after {@link SearchClientConfig#initialPeriod()}, each period
 * twice the last, up to {@link SearchClientConfig#maxPeriod()} (libca's search timer). A found name is not searched
 * again.
 *
 * <h2>Matching</h2>
 * A CA reply's parameter 2 and a PVA response's ids name the query; the server is the reply's address field
 * (CA 0xFFFFFFFF or PVA unspecified: the reply's source) and port. The first reply wins; later replies from other
 * servers are listed as {@link SearchResult#otherServers()}. Replies that match nothing, or malformed datagrams,
 * are counted in {@link #drops()} and otherwise ignored. The receive path allocates nothing except when recording a
 * result.
 *
 * <p>Not thread-safe: one thread runs poll and onDatagram.
 */
public final class SearchClient {
    /** Sends one search datagram to one target; the buffer is reused after the call. */
    @FunctionalInterface
    public interface Sender {
        /** Sends {@code datagram} (position..limit) to {@code target}. */
        void send(ByteBuffer datagram, SearchTarget target);
    }

    private static final int MAX_OTHER_SERVERS = 8;

    private static final class Query {
        final int id;
        final String name;
        final byte[] bytes;
        final EpicsProtocol protocol;
        final int nameIndex;
        boolean found;
        int serverIp;
        int serverPort;
        int replierIp;
        int replierPort;
        InetAddress localAddress;
        int ifindex;
        long foundNanos;
        List<InetSocketAddress> others;

        Query(int id, String name, EpicsProtocol protocol, int nameIndex) {
            this.id = id;
            this.nameIndex = nameIndex;
            this.name = name;
            this.bytes = name.getBytes(protocol == EpicsProtocol.CA ? StandardCharsets.US_ASCII
                    : StandardCharsets.UTF_8);
            this.protocol = protocol;
        }
    }

    private final SearchClientConfig config;
    private final List<SearchTarget> caTargets = new ArrayList<>();
    private final List<SearchTarget> pvaTargets = new ArrayList<>();
    private final Query[] queries;
    private final int responsePort;
    private final EpicsDropCounters drops;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(PvaProtocol.MAX_UDP_SEND);
    private final MemorySegment out = MemorySegment.ofBuffer(buffer);
    private final PvaSearchEncoder pvaEncoder = new PvaSearchEncoder();
    private final CaMessageFlyweight ca = new CaMessageFlyweight();
    private final PvaMessageFlyweight pva = new PvaMessageFlyweight();
    private final PvaSearchResponseFlyweight response = new PvaSearchResponseFlyweight();

    private long startNanos;
    private boolean started;
    private long nextNanos;
    private long periodNanos;
    private int rounds;
    private int caSequence;
    private int pvaSequence;
    private int pending;
    private final boolean[] nameFound;
    private int namesPending;
    private long datagramsSent;

    /**
     * @param names        the names to find (duplicates are searched once)
     * @param protocols    which protocols to search each name over
     * @param targets      where searches go (targets of protocols not searched are ignored)
     * @param responsePort the searching socket's port, put in PVA searches
     * @param drops        where malformed or unmatched replies are counted
     * @throws IllegalArgumentException when a name is empty or too long, or a protocol has no target
     */
    public SearchClient(SearchClientConfig config, Collection<String> names, Set<EpicsProtocol> protocols,
            List<SearchTarget> targets, int responsePort, EpicsDropCounters drops) {
        this.config = Objects.requireNonNull(config, "config");
        this.drops = Objects.requireNonNull(drops, "drops");
        if (responsePort < 1 || responsePort > 65535) {
            throw new IllegalArgumentException("responsePort must be 1..65535: " + responsePort);
        }
        this.responsePort = responsePort;
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("search at least one protocol");
        }
        for (SearchTarget t : targets) {
            if (protocols.contains(t.protocol())) {
                (t.protocol() == EpicsProtocol.CA ? caTargets : pvaTargets).add(t);
            }
        }
        for (EpicsProtocol p : protocols) {
            if ((p == EpicsProtocol.CA ? caTargets : pvaTargets).isEmpty()) {
                throw new IllegalArgumentException("no " + p.label() + " search destination: set EPICS_"
                        + p + "_ADDR_LIST, or EPICS_" + p + "_AUTO_ADDR_LIST=YES with a broadcast-capable interface up");
            }
        }
        List<Query> q = new ArrayList<>();
        int nameIndex = 0;
        for (String name : new LinkedHashSet<>(names)) {
            if (name.isEmpty() || name.length() > CaProtocol.MAX_NAME_LENGTH) {
                throw new IllegalArgumentException("name must be 1.." + CaProtocol.MAX_NAME_LENGTH + " characters: '"
                        + name + "'");
            }
            for (EpicsProtocol p : EpicsProtocol.values()) {
                if (protocols.contains(p)) {
                    if (p == EpicsProtocol.CA && !name.chars().allMatch(c -> c > 0 && c < 0x80)) {
                        throw new IllegalArgumentException("CA names are ASCII: '" + name + "'");
                    }
                    q.add(new Query(q.size() + 1, name, p, nameIndex));
                }
            }
            nameIndex++;
        }
        if (q.isEmpty()) {
            throw new IllegalArgumentException("no names to search");
        }
        this.queries = q.toArray(Query[]::new);
        this.pending = queries.length;
        this.nameFound = new boolean[nameIndex];
        this.namesPending = nameIndex;
    }

    /** The counters unmatched and malformed replies are counted in. */
    public EpicsDropCounters drops() {
        return drops;
    }

    /** True when every name was found over every protocol searched. */
    public boolean done() {
        return pending == 0;
    }

    /** True when every name was found over at least one of the protocols searched. */
    public boolean everyNameFound() {
        return namesPending == 0;
    }

    /** Search rounds sent so far. */
    public int rounds() {
        return rounds;
    }

    /** Search datagrams handed to the sender so far (one per datagram and target). */
    public long datagramsSent() {
        return datagramsSent;
    }

    /**
     * Sends a search round when one is due.
     *
     * @return the {@link System#nanoTime()} at which the next round is due ({@link Long#MAX_VALUE} when done)
     */
    public long poll(long nowNanos, Sender sender) {
        if (pending == 0) {
            return Long.MAX_VALUE;
        }
        if (!started) {
            started = true;
            startNanos = nowNanos;
            nextNanos = nowNanos;
        }
        if (nowNanos - nextNanos < 0) {
            return nextNanos;
        }
        sendRound(sender);
        rounds++;
        periodNanos = rounds == 1 ? config.initialPeriod().toNanos()
                : Math.min(periodNanos * 2, config.maxPeriod().toNanos());
        nextNanos = nowNanos + periodNanos;
        return nextNanos;
    }

    private void sendRound(Sender sender) {
        if (!caTargets.isEmpty()) {
            sendCa(sender);
        }
        if (!pvaTargets.isEmpty()) {
            sendPva(sender);
        }
    }

    private void sendCa(Sender sender) {
        long p = 0;
        for (Query q : queries) {
            if (q.found || q.protocol != EpicsProtocol.CA) {
                continue;
            }
            int need = CaProtocol.HEADER_LENGTH + CaEncoder.searchRequestPayload(q.bytes.length);
            if (p > 0 && p + need > CaProtocol.MAX_UDP_SEND) {
                sendToAll(p, caTargets, sender, false);
                p = 0;
            }
            if (p == 0) {
                // data type 1: "parameter 1 carries a sequence number", as libca sends it
                p = CaEncoder.writeVersion(out, 0, 1, CaProtocol.MINOR_VERSION, ++caSequence);
            }
            p = CaEncoder.writeSearchRequest(out, p, q.bytes, CaProtocol.DONT_REPLY, CaProtocol.MINOR_VERSION, q.id);
        }
        if (p > 0) {
            sendToAll(p, caTargets, sender, false);
        }
    }

    private void sendPva(Sender sender) {
        boolean open = false;
        for (Query q : queries) {
            if (q.found || q.protocol != EpicsProtocol.PVA) {
                continue;
            }
            if (!open) {
                beginPva();
                open = true;
            }
            if (!pvaEncoder.addChannel(q.id, q.bytes)) {
                sendToAll(pvaEncoder.finish(), pvaTargets, sender, true);
                beginPva();
                if (!pvaEncoder.addChannel(q.id, q.bytes)) {
                    throw new IllegalStateException("name does not fit an empty PVA search: " + q.name);
                }
            }
        }
        if (open) {
            sendToAll(pvaEncoder.finish(), pvaTargets, sender, true);
        }
    }

    private void beginPva() {
        pvaEncoder.begin(out, 0, PvaProtocol.MAX_UDP_SEND, true, ++pvaSequence, 0, 0, responsePort);
    }

    private void sendToAll(long length, List<SearchTarget> targets, Sender sender, boolean pvaFlags) {
        for (SearchTarget t : targets) {
            if (pvaFlags) {
                // search flags live at payload offset 4: bit 7 tells the server the search came unicast
                out.set(ValueLayout.JAVA_BYTE, PvaProtocol.HEADER_LENGTH + 4,
                        (byte) (t.kind() == SearchTarget.Kind.UNICAST ? PvaProtocol.SEARCH_UNICAST : 0));
            }
            buffer.clear().limit((int) length);
            sender.send(buffer, t);
            datagramsSent++;
        }
    }

    /** Matches one received datagram against the searches in flight. */
    public void onDatagram(EpicsDatagram d, long nowNanos) {
        if (d.length() == 0) {
            return;
        }
        if (!(d.source().getAddress() instanceof Inet4Address)) {
            drops.drop(EpicsDropReason.BAD_SOURCE);
            return;
        }
        int srcIp = Ipv4.toInt(d.source().getAddress());
        int first = Byte.toUnsignedInt(d.memory().get(ValueLayout.JAVA_BYTE, d.offset()));
        if (first == PvaProtocol.MAGIC) {
            onPva(d, srcIp, nowNanos);
        } else {
            onCa(d, srcIp, nowNanos);
        }
    }

    private void onCa(EpicsDatagram d, int srcIp, long nowNanos) {
        CaMessageFlyweight m = ca.wrap(d.memory(), d.offset(), d.length());
        while (m.next()) {
            if (m.command() == CaProtocol.SEARCH && m.payloadSize() != CaProtocol.SEARCH_REPLY_PAYLOAD_LENGTH) {
                drops.drop(EpicsDropReason.CA_BAD_REPLY);
                return;
            }
        }
        if (!m.rewindIfWellFormed(drops)) {
            return;
        }
        while (m.next()) {
            if (m.command() != CaProtocol.SEARCH) {
                continue;
            }
            Query q = query(m.parameter2(), EpicsProtocol.CA);
            if (q == null) {
                continue;
            }
            int ip = m.parameter1();
            // 0xFFFFFFFF (and 0 from pre-4.11 servers) mean "at the reply's source address"
            record(q, ip == CaProtocol.ADDRESS_FROM_SOURCE || ip == 0 ? srcIp : ip, m.dataType(), srcIp, d, nowNanos);
        }
    }

    private void onPva(EpicsDatagram d, int srcIp, long nowNanos) {
        PvaMessageFlyweight m = pva.wrap(d.memory(), d.offset(), d.length());
        while (m.next()) {
            if (m.command() == PvaProtocol.SEARCH_RESPONSE && !response.wrap(m, drops)) {
                return;
            }
        }
        if (!m.rewindIfWellFormed(drops)) {
            return;
        }
        while (m.next()) {
            if (m.command() != PvaProtocol.SEARCH_RESPONSE) {
                continue;
            }
            PvaSearchResponseFlyweight r = response;
            r.wrap(m, drops);
            if (!r.found() || !r.tcp()) {
                continue;
            }
            int ip = r.serverAddress() == Ipv4.PVA_ANY ? srcIp : (int) r.serverAddress();
            for (int i = 0; i < r.count(); i++) {
                Query q = query(r.nextId(), EpicsProtocol.PVA);
                if (q != null) {
                    record(q, ip, r.serverPort(), srcIp, d, nowNanos);
                }
            }
        }
    }

    private Query query(int id, EpicsProtocol protocol) {
        if (id < 1 || id > queries.length || queries[id - 1].protocol != protocol) {
            drops.drop(EpicsDropReason.UNMATCHED_REPLY);
            return null;
        }
        return queries[id - 1];
    }

    private void record(Query q, int serverIp, int serverPort, int srcIp, EpicsDatagram d, long nowNanos) {
        if (!q.found) {
            q.found = true;
            q.serverIp = serverIp;
            q.serverPort = serverPort;
            q.replierIp = srcIp;
            q.replierPort = d.source().getPort();
            q.localAddress = d.localAddress();
            q.ifindex = d.ifindex();
            q.foundNanos = nowNanos;
            pending--;
            if (!nameFound[q.nameIndex]) {
                nameFound[q.nameIndex] = true;
                namesPending--;
            }
        } else if ((q.serverIp != serverIp || q.serverPort != serverPort)) {
            if (q.others == null) {
                q.others = new ArrayList<>(2);
            }
            InetSocketAddress other = new InetSocketAddress(Ipv4.toAddress(serverIp), serverPort);
            if (q.others.size() < MAX_OTHER_SERVERS && !q.others.contains(other)) {
                q.others.add(other);
            }
        }
    }

    /**
     * The outcome per name and protocol, in the order searched.
     *
     * @param interfaceNames maps an interface index to its name (e.g. {@link EpicsTransport#interfaceName})
     */
    public List<SearchResult> results(IntFunction<String> interfaceNames) {
        List<SearchResult> r = new ArrayList<>(queries.length);
        for (Query q : queries) {
            if (!q.found) {
                r.add(new SearchResult(q.name, q.protocol, false, null, null, null, 0, null, null, List.of()));
                continue;
            }
            r.add(new SearchResult(q.name, q.protocol, true,
                    new InetSocketAddress(Ipv4.toAddress(q.serverIp), q.serverPort),
                    new InetSocketAddress(Ipv4.toAddress(q.replierIp), q.replierPort), q.localAddress, q.ifindex,
                    q.ifindex == 0 ? null : interfaceNames.apply(q.ifindex), Duration.ofNanos(q.foundNanos - startNanos),
                    q.others == null ? List.of() : q.others));
        }
        return r;
    }
}
