package io.meshwire.nic;

import io.meshwire.transport.linux.LinuxSockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * One receive batch of a {@link NicSocketSet}: the memory that {@code recvmmsg} calls on several sockets fill
 * one after the other, and the datagrams found in it with the socket each came from. Everything is allocated at
 * construction and reused (Aeron style); the receive thread fills a batch, the consumer hands its datagrams out,
 * then gives it back (INLINE: the consumer's own round fills the set's single batch, then hands it out).
 *
 * <p>Native layout: {@code capacity} message slots of {@code slotSize} bytes, each with its {@code mmsghdr},
 * {@code iovec}, source address (32 bytes) and control area ({@link #CONTROL_LENGTH}).
 */
final class NicRecvBatch {
  /**
   * Control bytes per message: {@code IPV6_PKTINFO} takes {@code CMSG_SPACE(20)} = 40 (IPv4's {@code IP_PKTINFO}
   * 32); 96 leaves room for one more option so the kernel never sets {@code MSG_CTRUNC}.
   */
  static final int CONTROL_LENGTH = 96;

  final int capacity;
  final int slotSize;
  final MemorySegment data;
  /** A view of {@link #data} for the consumer thread only (position and limit are moved per datagram). */
  final ByteBuffer consumerBuffer;

  // native only
  final MemorySegment messages;
  final MemorySegment names;
  final MemorySegment control;
  final MemorySegment[] messageSlices;

  // NIO only
  final ByteBuffer[] slotBuffers;
  final InetSocketAddress[] nioSources;

  /** Message slots used so far (a truncated datagram uses a slot but yields no packet). */
  int messageCount;
  int packetCount;
  int cursor;
  final int[] packetOffset;
  final int[] packetLength;
  final int[] packetMessage;
  final int[] packetIfindex;
  /** Offset in {@link #control} of the destination address from PKTINFO, or -1 when not known. */
  final int[] packetDestination;
  final long[] packetDrops;
  final NicSocket[] packetSocket;

  NicRecvBatch(Arena arena, int capacity, int slotSize, boolean nativeBackend) {
    this.capacity = capacity;
    this.slotSize = slotSize;
    // Arena.allocate zeroes the memory: once here, never per datagram.
    this.data = arena.allocate((long) capacity * slotSize, 64);
    this.consumerBuffer = data.asByteBuffer();
    this.packetOffset = new int[capacity];
    this.packetLength = new int[capacity];
    this.packetMessage = new int[capacity];
    this.packetIfindex = new int[capacity];
    this.packetDestination = new int[capacity];
    this.packetDrops = new long[capacity];
    this.packetSocket = new NicSocket[capacity];
    if (nativeBackend) {
      names = arena.allocate((long) LinuxSockets.SOCKADDR_STORAGE_LENGTH * capacity, 8);
      control = arena.allocate((long) CONTROL_LENGTH * capacity, 8);
      messages = LinuxSockets.receiveVector(arena, capacity, data, slotSize, names, control, CONTROL_LENGTH);
      messageSlices = new MemorySegment[capacity];
      for (int i = 0; i < capacity; i++) {
        messageSlices[i] = messages.asSlice(LinuxSockets.MMSGHDR_SIZE * i);
      }
      slotBuffers = null;
      nioSources = null;
    } else {
      messages = null;
      names = null;
      control = null;
      messageSlices = null;
      slotBuffers = new ByteBuffer[capacity];
      for (int i = 0; i < capacity; i++) {
        slotBuffers[i] = data.asSlice((long) i * slotSize, slotSize).asByteBuffer();
      }
      nioSources = new InetSocketAddress[capacity];
    }
    messageCount = capacity; // every slot gets its sizes
    reset();
  }

  /**
   * Empties the batch for refilling; whoever runs the receive rounds calls it on a batch nobody else holds.
   */
  void reset() {
    int used = messageCount;
    messageCount = 0;
    packetCount = 0;
    cursor = 0;
    if (messages != null) {
      // msg_namelen and msg_controllen are value-result fields: the kernel rewrites them for each message it
      // fills, so the slots filled since the last reset get their full sizes back (an INLINE round often fills
      // a few slots only)
      for (int i = 0; i < used; i++) {
        long m = LinuxSockets.MMSGHDR_SIZE * i;
        messages.set(ValueLayout.JAVA_INT, m + LinuxSockets.MSG_NAMELEN_OFFSET,
            LinuxSockets.SOCKADDR_STORAGE_LENGTH);
        messages.set(ValueLayout.JAVA_LONG, m + LinuxSockets.MSG_CONTROLLEN_OFFSET, CONTROL_LENGTH);
      }
    }
  }

  boolean full() {
    return messageCount == capacity;
  }

  void addPacket(int message, int length, NicSocket socket, int ifindex, int destination, long drops) {
    int n = packetCount;
    packetOffset[n] = message * slotSize;
    packetLength[n] = length;
    packetMessage[n] = message;
    packetSocket[n] = socket;
    packetIfindex[n] = ifindex;
    packetDestination[n] = destination;
    packetDrops[n] = drops;
    packetCount = n + 1;
  }
}
