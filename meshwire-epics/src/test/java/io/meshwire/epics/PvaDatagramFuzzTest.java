package io.meshwire.epics;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Coverage-guided fuzzing of everything that reads PVA datagrams: the message walker, the search, response and
 * beacon flyweights, the responder (which answers every name), the search client and the beacon tracker.
 * Properties: nothing throws; what the search flyweight accepts lies inside its payload; a dropped datagram gets no
 * reply; every reply is one well-formed SEARCH_RESPONSE carrying only ids the search asked for.
 */
public class PvaDatagramFuzzTest {
    private static final EpicsDropCounters DROPS = new EpicsDropCounters();
    private static final NameDirectory ALL = SearchClientTest.directoryOf("A* 10.0.0.1:5075 pva", "* 0.0.0.0:5076 pva");
    private static final SearchResponder RESPONDER = new SearchResponder(SearchResponderConfig.builder()
            .repliesPerSecond(1e7).replyBurst(1_000_000).guid(new byte[12]).build(), () -> ALL, DROPS);
    private static final PvaMessageFlyweight WALK = new PvaMessageFlyweight();
    private static final PvaSearchFlyweight SEARCH = new PvaSearchFlyweight();
    private static final PvaSearchResponseFlyweight RESPONSE = new PvaSearchResponseFlyweight();
    private static final PvaBeaconFlyweight BEACON = new PvaBeaconFlyweight();
    private static final BeaconTracker BEACONS = new BeaconTracker(64, new BeaconTracker.Listener() { }, DROPS);

    @FuzzTest(maxDuration = "5s")
    void shouldNeverThrowNorAnswerMalformedInputWhenReadingArbitraryPvaDatagrams(byte[] data) {
        fuzzerTestOneInput(data);
    }

    /** Entry point for Jazzer's standalone driver as well; see {@link FuzzSupport#steer}. */
    public static void fuzzerTestOneInput(byte[] data) {
        byte[] datagram = FuzzSupport.steer(data);
        if (datagram.length > 0) {
            datagram[0] = (byte) PvaProtocol.MAGIC; // the CA target covers the rest
        }
        Set<Integer> requestIds = walk(datagram);
        EpicsDatagram d = FuzzSupport.datagram(datagram);
        long dropsBefore = DROPS.total();
        int[] replies = {0};
        RESPONDER.onDatagram(d, (buf, dest, req) -> {
            replies[0]++;
            FuzzSupport.check(buf.remaining() <= PvaProtocol.MAX_UDP_SEND, "replies fit 1400 bytes");
            MemorySegment m = MemorySegment.ofBuffer(buf);
            PvaMessageFlyweight r = new PvaMessageFlyweight().wrap(m, 0, buf.remaining());
            FuzzSupport.check(r.next() && r.command() == PvaProtocol.SEARCH_RESPONSE, "a reply is a SEARCH_RESPONSE");
            EpicsDropCounters local = new EpicsDropCounters();
            FuzzSupport.check(RESPONSE.wrap(r, local), "that parses");
            for (int i = 0; i < RESPONSE.count(); i++) {
                FuzzSupport.check(requestIds.contains(RESPONSE.nextId()), "answering an id the search carried");
            }
            FuzzSupport.check(!r.next() && r.error() == null, "one message per reply");
        }, 0);
        if (DROPS.total() != dropsBefore) {
            FuzzSupport.check(replies[0] == 0, "a dropped datagram is never answered");
        }
        SearchClient client = new SearchClient(SearchClientConfig.builder().build(), List.of("A", "B"),
                EnumSet.of(EpicsProtocol.PVA), SearchClientTest.TARGETS, 1, DROPS);
        client.onDatagram(d, 1);
        client.results(i -> null);
        BEACONS.onDatagram(d, 1);
    }

    private static Set<Integer> walk(byte[] datagram) {
        Set<Integer> ids = new HashSet<>();
        EpicsDropCounters local = new EpicsDropCounters();
        PvaMessageFlyweight w = WALK.wrap(MemorySegment.ofArray(datagram), 0, datagram.length);
        while (w.next()) {
            long end = w.payloadOffset() + w.payloadSize();
            FuzzSupport.check(end <= datagram.length, "payload inside the datagram");
            switch (w.command()) {
                case PvaProtocol.SEARCH -> {
                    if (SEARCH.wrap(w, local)) {
                        int n = 0;
                        while (SEARCH.nextChannel()) {
                            n++;
                            ids.add(SEARCH.channelId());
                            FuzzSupport.check(SEARCH.nameLength() > 0
                                    && SEARCH.nameOffset() + SEARCH.nameLength() <= end, "names inside the payload");
                        }
                        FuzzSupport.check(n == SEARCH.channelCount(), "as many channels as announced");
                    }
                }
                case PvaProtocol.SEARCH_RESPONSE -> {
                    if (RESPONSE.wrap(w, local)) {
                        for (int i = 0; i < RESPONSE.count(); i++) {
                            RESPONSE.nextId();
                        }
                    }
                }
                case PvaProtocol.BEACON -> BEACON.wrap(w, local);
                default -> {
                }
            }
        }
        return ids;
    }
}
