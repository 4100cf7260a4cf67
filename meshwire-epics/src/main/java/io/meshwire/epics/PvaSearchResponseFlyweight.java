package io.meshwire.epics;

/**
 * A PVAccess {@code CMD_SEARCH_RESPONSE} payload read in place; {@link #wrap} validates it all.
 *
 * <pre>
 * u8[12] guid, i32 searchSequenceID, u8[16] serverAddress, u16 serverPort, string protocol, bool found,
 * u16 count, count × i32 searchInstanceID
 * </pre>
 */
public final class PvaSearchResponseFlyweight extends PvaServerMessageFlyweight {
    private int sequenceId;
    private boolean found;
    private int count;

    /** A flyweight over nothing; {@link #wrap} it. */
    public PvaSearchResponseFlyweight() {
    }

    @Override
    void readBeforeAddress(PvaCursor c) {
        sequenceId = c.i32();
    }

    @Override
    boolean readAfterProtocol(PvaCursor c, EpicsDropCounters drops) {
        found = c.u8() != 0;
        count = c.u16();
        long idsOffset = c.position();
        c.skip(4L * count);
        if (!c.ok()) {
            return drops.drop(EpicsDropReason.TRUNCATED);
        }
        c.position(idsOffset);
        return true;
    }

    /** The i32 search sequence id the server echoed. */
    public int sequenceId() {
        return sequenceId;
    }

    /** The found flag. */
    public boolean found() {
        return found;
    }

    /** Number of search instance ids. */
    public int count() {
        return count;
    }

    /** True when the ids are big-endian. */
    public boolean bigEndian() {
        return cursor.bigEndian();
    }

    /** The next search instance id; call at most {@link #count()} times after {@link #wrap}. */
    public int nextId() {
        return cursor.i32();
    }
}
