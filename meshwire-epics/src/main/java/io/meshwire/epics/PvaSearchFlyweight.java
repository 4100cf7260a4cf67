package io.meshwire.epics;

import java.lang.foreign.MemorySegment;

/**
 * A PVAccess {@code CMD_SEARCH} payload read in place: {@link #wrap} validates the whole message (fixed part,
 * protocol list, every channel entry) and returns false with a counted reason when anything is malformed; then
 * the getters and {@link #nextChannel()} read it without allocating.
 *
 * <pre>
 * i32 searchSequenceID, u8 flags, u8[3] reserved, u8[16] responseAddress, u16 responsePort,
 * Size nProtocols, nProtocols × string, u16 channelCount, channelCount × { i32 searchInstanceID, string name }
 * </pre>
 */
public final class PvaSearchFlyweight {
    /** Bytes before the protocol list. */
    static final int FIXED_LENGTH = 4 + 1 + 3 + PvaProtocol.ADDRESS_LENGTH + 2;

    private final PvaCursor cursor = new PvaCursor();
    private MemorySegment segment = MemorySegment.NULL;
    private long payloadOffset;
    private long payloadEnd;
    private boolean bigEndian;
    private int sequenceId;
    private int flags;
    private long responseAddress;
    private int responsePort;
    private boolean tcp;
    private int channelCount;
    private long channelsOffset;
    // iteration state
    private int channelIndex;
    private int channelId;
    private long nameOffset;
    private int nameLength;

    /**
     * Validates and wraps the search message the walker is on.
     *
     * @return false (and one drop counted) when the payload is malformed
     */
    public boolean wrap(PvaMessageFlyweight message, EpicsDropCounters drops) {
        return wrap(message.segment(), message.payloadOffset(), message.payloadSize(), message.bigEndian(), drops);
    }

    /** As {@link #wrap(PvaMessageFlyweight, EpicsDropCounters)}, for a payload at an offset. */
    public boolean wrap(MemorySegment segment, long payloadOffset, int payloadSize, boolean bigEndian,
            EpicsDropCounters drops) {
        this.segment = segment;
        this.payloadOffset = payloadOffset;
        this.payloadEnd = payloadOffset + payloadSize;
        this.bigEndian = bigEndian;
        this.channelIndex = 0;
        PvaCursor c = cursor;
        c.wrap(segment, payloadOffset, payloadEnd, bigEndian);
        sequenceId = c.i32();
        flags = c.u8();
        c.skip(3);
        long address = c.skip(PvaProtocol.ADDRESS_LENGTH);
        responsePort = c.u16();
        if (!c.ok()) {
            return drops.drop(EpicsDropReason.TRUNCATED);
        }
        responseAddress = Ipv4.fromPvaAddress(segment, address);
        if (responseAddress == Ipv4.PVA_NOT_IPV4) {
            return drops.drop(EpicsDropReason.PVA_UNSUPPORTED_ADDRESS);
        }
        int protocols = c.size();
        if (protocols < 0 || !c.ok()) {
            return drops.drop(EpicsDropReason.PVA_BAD_FIELD);
        }
        tcp = false;
        for (int i = 0; i < protocols; i++) {
            int n = c.size();
            if (n < 0 || !c.ok()) {
                return drops.drop(EpicsDropReason.PVA_BAD_FIELD);
            }
            tcp |= c.startsWith(PvaProtocol.TCP, n);
            c.skip(n);
            if (!c.ok()) {
                return drops.drop(EpicsDropReason.PVA_BAD_FIELD);
            }
        }
        channelCount = c.u16();
        if (!c.ok()) {
            return drops.drop(EpicsDropReason.TRUNCATED);
        }
        channelsOffset = c.position();
        for (int i = 0; i < channelCount; i++) {
            c.i32();
            int n = c.size();
            if (n <= 0 || !c.ok()) {
                return drops.drop(EpicsDropReason.PVA_BAD_FIELD);
            }
            c.skip(n);
            if (!c.ok()) {
                return drops.drop(EpicsDropReason.PVA_BAD_FIELD);
            }
        }
        c.position(channelsOffset);
        return true;
    }

    /** The i32 search sequence id. */
    public int sequenceId() {
        return sequenceId;
    }

    /** The u8 flags ({@link PvaProtocol#SEARCH_MUST_REPLY}, {@link PvaProtocol#SEARCH_UNICAST}). */
    public int flags() {
        return flags;
    }

    /** True when the client wants an answer even if nothing is found. */
    public boolean mustReply() {
        return (flags & PvaProtocol.SEARCH_MUST_REPLY) != 0;
    }

    /** The response address: an unsigned IPv4 value, or {@link Ipv4#PVA_ANY} ("reply to the source"). */
    public long responseAddress() {
        return responseAddress;
    }

    /** The u16 response port (0: the source port). */
    public int responsePort() {
        return responsePort;
    }

    /** True when the protocol list names "tcp" (the only transport served). */
    public boolean tcp() {
        return tcp;
    }

    /** The number of channels searched. */
    public int channelCount() {
        return channelCount;
    }

    /** True when the payload is big-endian. */
    public boolean bigEndian() {
        return bigEndian;
    }

    /** The wrapped memory. */
    public MemorySegment segment() {
        return segment;
    }

    /** Restarts the channel iteration. */
    public void rewindChannels() {
        channelIndex = 0;
        cursor.wrap(segment, channelsOffset, payloadEnd, bigEndian);
    }

    /** Advances to the next channel entry (validated by {@link #wrap}); false after the last one. */
    public boolean nextChannel() {
        if (channelIndex >= channelCount) {
            return false;
        }
        channelIndex++;
        PvaCursor c = cursor;
        channelId = c.i32();
        nameLength = c.size();
        nameOffset = c.skip(nameLength);
        return true;
    }

    /** The current channel's i32 search instance id. */
    public int channelId() {
        return channelId;
    }

    /** Offset of the current channel name's bytes. */
    public long nameOffset() {
        return nameOffset;
    }

    /** Length of the current channel name in bytes. */
    public int nameLength() {
        return nameLength;
    }

    /** Offset of the payload (for tests and diagnostics). */
    long payloadOffset() {
        return payloadOffset;
    }
}
