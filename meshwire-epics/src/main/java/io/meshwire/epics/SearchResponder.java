package io.meshwire.epics;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Answers CA and PVA name searches from a {@link NameDirectory}, independent of sockets: give it each received
 * datagram with {@link #onDatagram}, and it hands the replies to a {@link ReplySink}.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>A datagram is validated whole before anything is answered: one malformed message (truncated, bad name,
 *       CA searches without the leading VERSION, a PVA field out of bounds) drops it, counted by
 *       {@link EpicsDropReason}.</li>
 *   <li>Only names the directory has are answered; CA never sends NOT_FOUND over UDP. PVA answers "not found"
 *       (found=0, no ids) only when the search sets the must-reply flag, as pvxs does for {@code pvlist}.</li>
 *   <li>CA replies are VERSION + one SEARCH reply per found name, packed into datagrams of at most 1024 bytes and
 *       sent to the request's source. PVA replies are one SEARCH_RESPONSE per distinct server, to the search's
 *       response port at the source address; a response address other than the source is honoured only from a
 *       loopback source (a local forwarder), so the responder cannot be aimed at a third party.</li>
 *   <li>Each source address may receive {@link SearchResponderConfig#repliesPerSecond()} reply datagrams per
 *       second (token bucket with {@link SearchResponderConfig#replyBurst()}); the rest are counted and not sent.</li>
 *   <li>On a per-NIC socket set a subnet broadcast reaches both the NIC's broadcast-bound socket and the wildcard
 *       socket: a datagram that arrived on {@link SocketRole#WILDCARD_RX} with a known
 *       {@link EpicsDatagram#destination()} is answered only when that destination is 255.255.255.255 or multicast
 *       (which only the wildcard socket receives); the other copies are counted, not answered twice.</li>
 *   <li>A directory entry on 0.0.0.0 is answered with "the reply's source address" (CA 0xFFFFFFFF, PVA
 *       unspecified), which the client resolves to the address of the NIC that answered.</li>
 * </ul>
 *
 * <p>No allocation per datagram once warm (replies to a steady set of peers reuse cached addresses). Not thread-safe:
 * one instance per receiving thread; the directory supplier and the counters may be shared.
 */
public final class SearchResponder {
    private static final int MAX_PVA_CHANNELS = 1 << 16;

    private final SearchResponderConfig config;
    private final Supplier<NameDirectory> directory;
    private final EpicsDropCounters drops;
    private final byte[] guid;
    private final SourceRateLimiter limiter;
    private final AddressCache addresses = new AddressCache(256);
    private final ByteBuffer reply = ByteBuffer.allocateDirect(1500);
    private final MemorySegment out = MemorySegment.ofBuffer(reply);
    private final CaMessageFlyweight ca = new CaMessageFlyweight();
    private final PvaMessageFlyweight pva = new PvaMessageFlyweight();
    private final PvaSearchFlyweight search = new PvaSearchFlyweight();
    private final PvaSearchResponseEncoder response = new PvaSearchResponseEncoder();
    private final long[] handled = new long[MAX_PVA_CHANNELS / 64];

    private final LongAdder caNames = new LongAdder();
    private final LongAdder pvaNames = new LongAdder();
    private final LongAdder found = new LongAdder();
    private final LongAdder replies = new LongAdder();
    private final LongAdder rateLimited = new LongAdder();
    private final LongAdder wildcardCopies = new LongAdder();

    /**
     * @param directory read once per datagram (e.g. {@code file::current}); may change between datagrams
     * @param drops     where malformed input is counted (may be shared)
     */
    public SearchResponder(SearchResponderConfig config, Supplier<NameDirectory> directory, EpicsDropCounters drops) {
        this.config = Objects.requireNonNull(config, "config must not be null");
        this.directory = Objects.requireNonNull(directory, "directory must not be null");
        this.drops = Objects.requireNonNull(drops, "drops must not be null");
        this.guid = config.guid();
        this.limiter = new SourceRateLimiter(config.trackedSources(), config.repliesPerSecond(), config.replyBurst());
    }

    /** The counters malformed input is counted in. */
    public EpicsDropCounters drops() {
        return drops;
    }

    /** A snapshot of the counters. */
    public SearchResponderStats stats() {
        return new SearchResponderStats(caNames.sum(), pvaNames.sum(), found.sum(), replies.sum(), rateLimited.sum(),
                wildcardCopies.sum(), drops.total());
    }

    /**
     * Handles one received datagram.
     *
     * @param nowNanos the current {@link System#nanoTime()} (for the rate limit)
     * @return how many reply datagrams went to {@code sink}
     */
    public int onDatagram(EpicsDatagram d, ReplySink sink, long nowNanos) {
        if (d.length() == 0) {
            return 0; // a zero-length datagram is a legacy repeater registration, not a search
        }
        InetSocketAddress src = d.source();
        if (!(src.getAddress() instanceof Inet4Address) || src.getPort() == 0) {
            drops.drop(EpicsDropReason.BAD_SOURCE);
            return 0;
        }
        if (d.role() == SocketRole.WILDCARD_RX && d.destination() != null && !wildcardOnly(d.destination())) {
            // a per-NIC set also has unicast and broadcast-bound sockets, which got this datagram too
            wildcardCopies.increment();
            return 0;
        }
        int first = Byte.toUnsignedInt(d.memory().get(ValueLayout.JAVA_BYTE, d.offset()));
        if (first == PvaProtocol.MAGIC) {
            return config.answerPva() ? onPva(d, sink, nowNanos) : 0;
        }
        return config.answerCa() ? onCa(d, sink, nowNanos) : 0;
    }

    /** Destinations only a wildcard-bound socket receives: 255.255.255.255 and multicast. */
    private static boolean wildcardOnly(java.net.InetAddress destination) {
        return destination.isMulticastAddress() || (destination instanceof Inet4Address v4 && v4.hashCode() == -1);
    }

    // ------------------------------------------------------------------------------------------------ CA

    private int onCa(EpicsDatagram d, ReplySink sink, long nowNanos) {
        CaMessageFlyweight m = ca.wrap(d.memory(), d.offset(), d.length());
        int searches = 0;
        boolean versionFirst = false;
        int sequence = 0;
        boolean first = true;
        while (m.next()) {
            int command = m.command();
            if (first) {
                first = false;
                if (command == CaProtocol.VERSION) {
                    versionFirst = true;
                    sequence = m.parameter1();
                }
            }
            if (command == CaProtocol.SEARCH) {
                if (m.stringLength() <= 0) {
                    drops.drop(EpicsDropReason.CA_BAD_NAME);
                    return 0;
                }
                searches++;
            }
        }
        if (!m.rewindIfWellFormed(drops) || searches == 0) {
            return 0;
        }
        if (!versionFirst) {
            drops.drop(EpicsDropReason.CA_MISSING_VERSION);
            return 0;
        }
        caNames.add(searches);
        NameDirectory dir = directory.get();
        int sent = 0;
        long p = 0;
        while (m.next()) {
            if (m.command() != CaProtocol.SEARCH) {
                continue;
            }
            DirectoryEntry e = dir.lookup(m.segment(), m.payloadOffset(), m.stringLength(), EpicsProtocol.CA);
            if (e == null) {
                continue;
            }
            found.increment();
            if (p + CaProtocol.SEARCH_REPLY_LENGTH > CaProtocol.MAX_UDP_SEND) {
                if (!flush(p, d.source(), d, sink, nowNanos)) {
                    return sent;
                }
                sent++;
                p = 0;
            }
            if (p == 0) {
                // rsrv echoes the request's sequence number so libca can match replies to search rounds
                p = CaEncoder.writeVersion(out, 0, 0, CaProtocol.MINOR_VERSION, sequence);
            }
            int ip = e.hostIsLocal() ? CaProtocol.ADDRESS_FROM_SOURCE : e.ipv4();
            p = CaEncoder.writeSearchReply(out, p, e.port(), ip, m.parameter2(), CaProtocol.MINOR_VERSION);
        }
        if (p > 0 && flush(p, d.source(), d, sink, nowNanos)) {
            sent++;
        }
        return sent;
    }

    private boolean flush(long length, InetSocketAddress dest, EpicsDatagram request, ReplySink sink,
            long nowNanos) {
        if (!limiter.tryAcquire(Ipv4.toInt(request.source().getAddress()), nowNanos)) {
            rateLimited.increment();
            return false;
        }
        reply.clear().limit((int) length);
        sink.sendReply(reply, dest, request);
        replies.increment();
        return true;
    }

    // ------------------------------------------------------------------------------------------------ PVA

    private int onPva(EpicsDatagram d, ReplySink sink, long nowNanos) {
        PvaMessageFlyweight m = pva.wrap(d.memory(), d.offset(), d.length());
        int searches = 0;
        while (m.next()) {
            if (m.command() == PvaProtocol.SEARCH) {
                if (!search.wrap(m, drops)) {
                    return 0;
                }
                searches++;
            }
        }
        if (!m.rewindIfWellFormed(drops) || searches == 0) {
            return 0;
        }
        int sent = 0;
        while (m.next()) {
            if (m.command() == PvaProtocol.SEARCH) {
                search.wrap(m, drops);
                int n = answerPva(d, sink, nowNanos);
                if (n < 0) {
                    return sent - n - 1;
                }
                sent += n;
            }
        }
        return sent;
    }

    /** Answers the wrapped search; returns replies sent, or -(sent+1) when the rate limit stopped it. */
    private int answerPva(EpicsDatagram d, ReplySink sink, long nowNanos) {
        PvaSearchFlyweight s = search;
        int channels = s.channelCount();
        pvaNames.add(channels);
        if (!s.tcp() && !s.mustReply()) {
            return 0;
        }
        InetSocketAddress src = d.source();
        int srcIp = Ipv4.toInt(src.getAddress());
        int destIp = srcIp;
        if (s.responseAddress() != Ipv4.PVA_ANY && Ipv4.isLoopback(srcIp)) {
            destIp = (int) s.responseAddress(); // a local forwarder (pvxs ORIGIN_TAG) names the real client
        }
        int port = s.responsePort() == 0 ? src.getPort() : s.responsePort();
        InetSocketAddress dest = destIp == srcIp && port == src.getPort() ? src : addresses.get(destIp, port);
        NameDirectory dir = directory.get();
        int sent = 0;
        int foundHere = 0;
        if (s.tcp()) {
            java.util.Arrays.fill(handled, 0, (channels + 63) >>> 6, 0L);
            while (true) {
                // one round per distinct server: pick the first unanswered found name's server, answer all its names
                DirectoryEntry server = null;
                s.rewindChannels();
                for (int i = 0; s.nextChannel(); i++) {
                    if (isHandled(i)) {
                        continue;
                    }
                    DirectoryEntry e = dir.lookup(s.segment(), s.nameOffset(), s.nameLength(), EpicsProtocol.PVA);
                    if (e == null) {
                        markHandled(i);
                    } else {
                        server = e;
                        break;
                    }
                }
                if (server == null) {
                    break;
                }
                beginResponse(s, server, true);
                s.rewindChannels();
                for (int i = 0; s.nextChannel(); i++) {
                    if (isHandled(i)) {
                        continue;
                    }
                    DirectoryEntry e = dir.lookup(s.segment(), s.nameOffset(), s.nameLength(), EpicsProtocol.PVA);
                    if (e == null || e.ipv4() != server.ipv4() || e.port() != server.port()) {
                        continue;
                    }
                    markHandled(i);
                    foundHere++;
                    if (!response.addId(s.channelId())) {
                        if (!flush(response.finish(), dest, d, sink, nowNanos)) {
                            return -(sent + 1);
                        }
                        sent++;
                        beginResponse(s, server, true);
                        response.addId(s.channelId());
                    }
                }
                if (!flush(response.finish(), dest, d, sink, nowNanos)) {
                    return -(sent + 1);
                }
                sent++;
            }
        }
        found.add(foundHere);
        if (foundHere == 0 && s.mustReply()) {
            // pvxs answers "not found" to must-reply searches ("pvlist" relies on it); no server to name
            reply.clear();
            response.begin(out, 0, PvaProtocol.MAX_UDP_SEND, true, guid, s.sequenceId(), 0, 0, false);
            if (!flush(response.finish(), dest, d, sink, nowNanos)) {
                return -(sent + 1);
            }
            sent++;
        }
        return sent;
    }

    private void beginResponse(PvaSearchFlyweight s, DirectoryEntry server, boolean found) {
        response.begin(out, 0, PvaProtocol.MAX_UDP_SEND, true, guid, s.sequenceId(),
                server.hostIsLocal() ? 0 : server.ipv4(), server.port(), found);
    }

    private boolean isHandled(int i) {
        return (handled[i >>> 6] & (1L << i)) != 0;
    }

    private void markHandled(int i) {
        handled[i >>> 6] |= 1L << i;
    }
}
