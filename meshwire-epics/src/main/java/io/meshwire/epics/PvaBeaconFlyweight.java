package io.meshwire.epics;

/**
 * A PVAccess {@code CMD_BEACON} payload read in place; {@link #wrap} validates the fields up to the protocol
 * string (the server status that may follow is not read).
 *
 * <pre>
 * u8[12] guid, u8 flags, u8 beaconSequenceId, u16 changeCount, u8[16] serverAddress, u16 serverPort,
 * string protocol, FieldDesc serverStatusIF (0xFF when absent) [, PVField status]
 * </pre>
 */
public final class PvaBeaconFlyweight extends PvaServerMessageFlyweight {
    private int flags;
    private int sequenceId;
    private int changeCount;

    /** A flyweight over nothing; {@link #wrap} it. */
    public PvaBeaconFlyweight() {
    }

    @Override
    void readBeforeAddress(PvaCursor c) {
        flags = c.u8();
        sequenceId = c.u8();
        changeCount = c.u16();
    }

    @Override
    boolean readAfterProtocol(PvaCursor c, EpicsDropCounters drops) {
        return true;
    }

    /** The u8 flags. */
    public int flags() {
        return flags;
    }

    /** The u8 beacon sequence id (wraps at 256). */
    public int sequenceId() {
        return sequenceId;
    }

    /** The u16 change count. */
    public int changeCount() {
        return changeCount;
    }
}
