package io.meshwire.epics;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.List;

/**
 * Coverage-guided fuzzing of everything that reads CA datagrams: the message walker, the responder (which answers
 * every name), the search client and the beacon tracker. Properties: nothing throws; the walker stays inside the
 * datagram; a datagram counted as dropped gets no reply; every reply is a well-formed VERSION + SEARCH replies of at
 * most 1024 bytes answering ids the request carried.
 */
public class CaDatagramFuzzTest {
    private static final EpicsDropCounters DROPS = new EpicsDropCounters();
    private static final NameDirectory ALL = SearchClientTest.directoryOf("* 10.0.0.1:5064 ca");
    private static final SearchResponder RESPONDER = new SearchResponder(SearchResponderConfig.builder()
            .repliesPerSecond(1e7).replyBurst(1_000_000).guid(new byte[12]).build(), () -> ALL, DROPS);
    private static final CaMessageFlyweight WALK = new CaMessageFlyweight();
    private static final CaMessageFlyweight REPLY = new CaMessageFlyweight();
    private static final BeaconTracker BEACONS = new BeaconTracker(64, new BeaconTracker.Listener() { }, DROPS);
    private static final List<SearchTarget> TARGETS = SearchClientTest.TARGETS;

    @FuzzTest(maxDuration = "5s")
    void shouldNeverThrowNorAnswerMalformedInputWhenReadingArbitraryCaDatagrams(byte[] data) {
        fuzzerTestOneInput(data);
    }

    /** Entry point for Jazzer's standalone driver as well; see {@link FuzzSupport#steer}. */
    public static void fuzzerTestOneInput(byte[] data) {
        byte[] datagram = FuzzSupport.steer(data);
        if (datagram.length > 0 && (datagram[0] & 0xFF) == PvaProtocol.MAGIC) {
            datagram[0] = 0; // the PVA target covers these
        }
        walk(datagram);
        EpicsDatagram d = FuzzSupport.datagram(datagram);
        long dropsBefore = DROPS.total();
        java.util.Set<Integer> requestIds = new java.util.HashSet<>();
        CaMessageFlyweight w = new CaMessageFlyweight().wrap(MemorySegment.ofArray(datagram), 0, datagram.length);
        while (w.next()) {
            if (w.command() == CaProtocol.SEARCH) {
                requestIds.add(w.parameter2());
            }
        }
        int[] replies = {0};
        RESPONDER.onDatagram(d, (buf, dest, req) -> {
            replies[0]++;
            FuzzSupport.check(dest == FuzzSupport.SOURCE, "CA replies go to the request's source");
            FuzzSupport.check(buf.remaining() <= CaProtocol.MAX_UDP_SEND, "replies fit 1024 bytes");
            MemorySegment m = MemorySegment.ofBuffer(buf);
            REPLY.wrap(m, 0, buf.remaining());
            FuzzSupport.check(REPLY.next() && REPLY.command() == CaProtocol.VERSION, "a reply starts with VERSION");
            int n = 0;
            while (REPLY.next()) {
                FuzzSupport.check(REPLY.command() == CaProtocol.SEARCH
                        && REPLY.payloadSize() == CaProtocol.SEARCH_REPLY_PAYLOAD_LENGTH, "then SEARCH replies");
                FuzzSupport.check(requestIds.contains(REPLY.parameter2()), "answering an id the request carried");
                n++;
            }
            FuzzSupport.check(REPLY.error() == null && n > 0, "a reply is well-formed and answers something");
        }, 0);
        if (DROPS.total() != dropsBefore) {
            FuzzSupport.check(replies[0] == 0, "a dropped datagram is never answered");
        }
        SearchClient client = new SearchClient(SearchClientConfig.builder().build(), List.of("A", "B"),
                EnumSet.of(EpicsProtocol.CA), TARGETS, 1, DROPS);
        client.onDatagram(d, 1);
        client.results(i -> null);
        BEACONS.onDatagram(d, 1);
    }

    private static void walk(byte[] datagram) {
        CaMessageFlyweight w = WALK.wrap(MemorySegment.ofArray(datagram), 0, datagram.length);
        long end = datagram.length;
        long last = -1;
        while (w.next()) {
            FuzzSupport.check(w.messageOffset() > last, "messages advance");
            last = w.messageOffset();
            FuzzSupport.check(w.payloadOffset() + w.payloadSize() <= end, "payload inside the datagram");
            FuzzSupport.check(w.stringLength() < w.payloadSize(), "a string ends before the payload does");
        }
    }
}
