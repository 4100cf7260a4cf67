package io.meshwire.transport;

import io.meshwire.transport.linux.LinuxSockets;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One receive batch: the memory one {@code recvmmsg} call fills, and the packet views cut from it.
 *
 * <p>Everything is allocated once, at construction (Aeron style): a data region of
 * {@code messages × slotSize}, and for the native backend the {@code mmsghdr}/{@code iovec} arrays whose
 * iovecs point into that region, room for each message's source address and control messages. The receiver
 * (the receive thread, or the consumer in inline mode) fills it, the consumer hands its packets out, and it goes
 * back to the pool when the last packet is released ({@link #refs} reaches 0).
 */
final class RecvBatch {
    /** Room per message for control messages: UDP_GRO (int), plus spare. */
    static final int CONTROL_LENGTH = 64;
    /** Most datagrams one GRO message may carry (the kernel's UDP_MAX_SEGMENTS is at most 128). */
    static final int MAX_SEGMENTS_PER_MESSAGE = 128;

    final int messageCapacity;
    final int slotSize;
    final int packetCapacity;
    final MemorySegment data;
    final ByteBuffer dataBuffer;

    // native backend only
    final MemorySegment messages;
    /** Each message's source address, or null when the kernel is not asked for them (see EndpointConfig). */
    final MemorySegment names;
    final MemorySegment control;

    // NIO backend only: per-slot buffer views and the source each receive returned
    final ByteBuffer[] slotBuffers;
    final InetSocketAddress[] nioSources;

    final int[] packetOffset;
    final int[] packetLength;
    final int[] packetMessage;
    final Datagram[] views;
    int packetCount;
    int cursor;
    /** Native backend: messages whose value-result header fields the last recvmmsg wrote (all, at first). */
    int dirtyMessages;
    /** Packets handed out and not yet released; 0 = free for the receive thread. */
    final AtomicInteger refs = new AtomicInteger();

    RecvBatch(Arena arena, int messageCapacity, int slotSize, boolean nativeBackend, boolean withNames,
              boolean withControl, boolean gro) {
        this.messageCapacity = messageCapacity;
        this.slotSize = slotSize;
        this.packetCapacity = gro ? messageCapacity * MAX_SEGMENTS_PER_MESSAGE : messageCapacity;
        // Arena.allocate zeroes the region; that happens once here, never per packet (net-mesh perf #130).
        this.data = arena.allocate((long) messageCapacity * slotSize, 64);
        this.dataBuffer = data.asByteBuffer();
        this.packetOffset = new int[packetCapacity];
        this.packetLength = new int[packetCapacity];
        this.packetMessage = new int[packetCapacity];
        this.views = new Datagram[packetCapacity];
        this.dirtyMessages = messageCapacity;
        if (nativeBackend) {
            names = withNames ? arena.allocate((long) LinuxSockets.SOCKADDR_STORAGE_LENGTH * messageCapacity, 8)
                    : null;
            control = withControl ? arena.allocate((long) CONTROL_LENGTH * messageCapacity, 8) : null;
            messages = LinuxSockets.receiveVector(arena, messageCapacity, data, slotSize, names, control,
                    CONTROL_LENGTH);
            slotBuffers = null;
            nioSources = null;
        } else {
            messages = null;
            names = null;
            control = null;
            slotBuffers = new ByteBuffer[messageCapacity];
            for (int i = 0; i < messageCapacity; i++) {
                slotBuffers[i] = data.asSlice((long) i * slotSize, slotSize).asByteBuffer();
            }
            nioSources = new InetSocketAddress[messageCapacity];
        }
    }

    /** Appends a packet view; false when the batch has no room (only possible with GRO). */
    boolean addPacket(int offset, int length, int message) {
        int n = packetCount;
        if (n == packetCapacity) {
            return false;
        }
        packetOffset[n] = offset;
        packetLength[n] = length;
        packetMessage[n] = message;
        packetCount = n + 1;
        return true;
    }

    /** Resets for refilling; only the receiver calls this, on a free batch. */
    void reset() {
        packetCount = 0;
        cursor = 0;
    }

    Datagram view(int index, DatagramEndpoint owner) {
        Datagram d = views[index];
        if (d == null) {
            d = new Datagram(owner, this, index);
            views[index] = d;
        }
        d.armed = true;
        return d;
    }
}
