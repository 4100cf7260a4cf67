package io.meshwire.nic;

import static io.meshwire.transport.linux.LinuxSockets.CMSG_DATA_OFFSET;
import static io.meshwire.transport.linux.LinuxSockets.CMSG_LEN_OFFSET;
import static io.meshwire.transport.linux.LinuxSockets.CMSG_LEVEL_OFFSET;
import static io.meshwire.transport.linux.LinuxSockets.CMSG_TYPE_OFFSET;
import static io.meshwire.transport.linux.LinuxSockets.EAGAIN;
import static io.meshwire.transport.linux.LinuxSockets.EBADF;
import static io.meshwire.transport.linux.LinuxSockets.EINTR;
import static io.meshwire.transport.linux.LinuxSockets.ENOTSOCK;
import static io.meshwire.transport.linux.LinuxSockets.IPPROTO_IP;
import static io.meshwire.transport.linux.LinuxSockets.IPPROTO_IPV6;
import static io.meshwire.transport.linux.LinuxSockets.IPV6_PKTINFO;
import static io.meshwire.transport.linux.LinuxSockets.IP_PKTINFO;
import static io.meshwire.transport.linux.LinuxSockets.MMSGHDR_SIZE;
import static io.meshwire.transport.linux.LinuxSockets.MSG_CONTROLLEN_OFFSET;
import static io.meshwire.transport.linux.LinuxSockets.MSG_DONTWAIT;
import static io.meshwire.transport.linux.LinuxSockets.MSG_FLAGS_OFFSET;
import static io.meshwire.transport.linux.LinuxSockets.MSG_LEN_OFFSET;
import static io.meshwire.transport.linux.LinuxSockets.MSG_TRUNC;
import static io.meshwire.transport.linux.LinuxSockets.cmsgAlign;
import static io.meshwire.transport.linux.LinuxSockets.errnoName;

import io.meshwire.transport.linux.LinuxEpoll;
import io.meshwire.transport.linux.LinuxSockets;
import io.meshwire.transport.linux.SocketDrops;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native receive side: one level-triggered epoll instance over every socket of the set plus an eventfd for
 * wake-ups; each ready socket is read with one {@code recvmmsg(MSG_DONTWAIT)} into the free slots of the current
 * batch. Level-triggered, so a socket left with data (the batch filled up) is simply reported again next round.
 * The sockets of a round are kept in a ready list: an INLINE round that filled its batch resumes the list in the
 * next round before asking epoll again.
 *
 * <p>Retiring a socket removes it from epoll at once, but its descriptor is closed only where no round can read it,
 * so a round never reads a new file that reused the number: by the receive thread at the top of its next round
 * (DEDICATED_THREAD); INLINE by the retiring thread itself when no consumer is inside a round, else by the
 * consumer as its round ends (woken for it). The consumer raises its in-round flag before it checks
 * {@link NicSocket#isOpen()}, the retirer marks the socket closed before it looks at the flag (both volatile), so
 * one of them sees the other; and the consumer lowers the flag before it looks for retired sockets, the retirer
 * queues the socket before it looks at the flag, so a socket is never left behind.
 */
final class EpollPoller extends NicPoller {
  private static final Logger LOG = LoggerFactory.getLogger(EpollPoller.class);
  private static final long WAKE = -1L;
  private static final int MAX_EVENTS = 64;
  /** Rounds served from the hot list before epoll is asked again. */
  private static final int HOT_ROUNDS = 4;
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

  private final Arena arena = Arena.ofShared();
  private final boolean ipv6;
  private final int epfd;
  private final int wakeFd;
  // whoever runs the rounds (the receive thread, or the inline consumer)
  private final MemorySegment state;
  private final MemorySegment events;
  private final MemorySegment drain;
  /**
   * Each socket's drop count, read once per socket read that returned data. Why not SO_RXQ_OVFL: it reports the
   * same {@code sk_drops}, but the kernel attaches it as a control message to every datagram once the count is
   * non-zero, that is exactly when the receiver is overloaded; measured with {@code NicSetReceiveBenchmark} at
   * 64 B it cost 12 % of the set's capacity, and one {@code getsockopt} per read costs a fraction of that.
   */
  private final SocketDrops drops;
  /** This round's sockets; those from {@link #readyNext} on are still to be read. */
  private NicSocket[] ready = new NicSocket[MAX_EVENTS];
  private int readyCount;
  private int readyNext;
  /** Sockets that gave data in this round, to read again first next round. */
  private NicSocket[] hot = new NicSocket[MAX_EVENTS];
  private int hotCount;
  private int hotRounds;
  // other threads, under this object's lock
  private final MemorySegment ctlState;
  private final MemorySegment ctlEvent;
  private final MemorySegment wakeValue;
  private volatile NicSocket[] byId = new NicSocket[16];
  private final ConcurrentLinkedQueue<NicSocket> graveyard = new ConcurrentLinkedQueue<>();
  private boolean resourcesClosed;

  EpollPoller(BatchQueue queue, Supplier<NicRecvBatch> allocator, String name, boolean ipv6) throws IOException {
    super(queue, allocator, name);
    this.ipv6 = ipv6;
    this.state = LinuxSockets.newCallState(arena);
    this.ctlState = LinuxSockets.newCallState(arena);
    this.events = arena.allocate(LinuxEpoll.EPOLL_EVENT_LENGTH * MAX_EVENTS, 8);
    this.drain = arena.allocate(8, 8);
    this.drops = new SocketDrops(arena);
    this.ctlEvent = arena.allocate(16, 8);
    this.wakeValue = arena.allocate(8, 8);
    wakeValue.set(ValueLayout.JAVA_LONG, 0, 1L);
    int e = LinuxEpoll.epollCreate1(ctlState, LinuxEpoll.EPOLL_CLOEXEC);
    if (e < 0) {
      arena.close();
      throw new IOException("epoll_create1 failed: " + errnoName(e));
    }
    this.epfd = e;
    int w = LinuxEpoll.eventfd(ctlState, 0, LinuxEpoll.EFD_CLOEXEC | LinuxEpoll.EFD_NONBLOCK);
    if (w < 0) {
      LinuxSockets.close(ctlState, epfd);
      arena.close();
      throw new IOException("eventfd failed: " + errnoName(w));
    }
    this.wakeFd = w;
    int r = ctl(LinuxEpoll.EPOLL_CTL_ADD, wakeFd, WAKE);
    if (r < 0) {
      LinuxSockets.close(ctlState, wakeFd);
      LinuxSockets.close(ctlState, epfd);
      arena.close();
      throw new IOException("epoll_ctl(ADD eventfd) failed: " + errnoName(r));
    }
  }

  private int ctl(int op, int fd, long data) {
    ctlEvent.set(INT, LinuxEpoll.EPOLL_EVENTS_OFFSET, LinuxEpoll.EPOLLIN);
    ctlEvent.set(LONG, LinuxEpoll.EPOLL_DATA_OFFSET, data);
    return LinuxEpoll.epollCtl(ctlState, epfd, op, fd, ctlEvent);
  }

  @Override
  NicRecvBatch newBatch(Arena batchArena, int capacity, int slotSize) {
    return new NicRecvBatch(batchArena, capacity, slotSize, true);
  }

  @Override
  synchronized void register(NicSocket socket) throws IOException {
    int id = socket.id();
    NicSocket[] a = byId;
    a = id < a.length ? a.clone() : Arrays.copyOf(a, Math.max(a.length * 2, id + 1));
    a[id] = socket;
    byId = a; // published before epoll can report the descriptor
    int r = ctl(LinuxEpoll.EPOLL_CTL_ADD, fd(socket), id);
    if (r < 0) {
      a = byId.clone();
      a[id] = null;
      byId = a;
      throw new IOException("epoll_ctl(ADD) for " + socket + " failed: " + errnoName(r));
    }
  }

  @Override
  synchronized void retire(NicSocket socket) {
    if (!socket.isOpen() && (socket.id() >= byId.length || byId[socket.id()] != socket)) {
      return;
    }
    socket.markClosed();
    if (!resourcesClosed) {
      LinuxEpoll.epollCtl(ctlState, epfd, LinuxEpoll.EPOLL_CTL_DEL, fd(socket), MemorySegment.NULL);
    }
    NicSocket[] a = byId;
    if (socket.id() < a.length && a[socket.id()] == socket) {
      a = a.clone();
      a[socket.id()] = null;
      byId = a;
    }
    if (resourcesClosed) {
      socket.handle().close();
    } else {
      graveyard.add(socket);
      if (queue == null && !inRound()) {
        closeRetired();
      } else {
        wakeup(); // the round ends at once and the thread running it closes the socket
      }
    }
  }

  private void closeRetired() {
    NicSocket dead;
    while ((dead = graveyard.poll()) != null) {
      dead.handle().close();
    }
  }

  @Override
  void afterInlineRound() {
    if (!graveyard.isEmpty()) {
      closeRetired();
    }
  }

  @Override
  synchronized void wakeup() {
    if (!resourcesClosed) {
      LinuxEpoll.write(ctlState, wakeFd, wakeValue, 8);
    }
  }

  private static int fd(NicSocket socket) {
    return ((NativeSocketHandle) socket.handle()).fd();
  }

  @Override
  void pollOnce(long timeoutNanos) throws IOException {
    if (!graveyard.isEmpty()) {
      closeRetired();
    }
    if (readyNext == readyCount) {
      if (hotCount > 0 && hotRounds < HOT_ROUNDS) {
        takeHot();
      } else if (!epollWait(hotCount > 0 ? 0 : timeoutNanos)) {
        return;
      }
    }
    while (readyNext < readyCount && !roundOver()) {
      NicSocket s = ready[readyNext];
      ready[readyNext++] = null;
      if (s.isOpen()) {
        read(s);
      }
    }
    flush();
  }

  /**
   * Under load the sockets that just gave data are read again without asking epoll (one syscall per socket
   * instead of two); every HOT_ROUNDS rounds epoll is asked anyway, so a quiet socket waits little.
   */
  private void takeHot() {
    hotRounds++;
    NicSocket[] t = ready; // fully consumed: every slot is null
    ready = hot;
    readyCount = hotCount;
    readyNext = 0;
    hot = t;
    hotCount = 0;
  }

  /**
   * Waits in epoll (not at all while sockets are hot) and makes the ready sockets this round's list.
   *
   * @return false when the wait was interrupted (EINTR)
   */
  private boolean epollWait(long timeoutNanos) throws IOException {
    hotRounds = 0;
    int n = LinuxEpoll.epollWait(state, epfd, events, MAX_EVENTS, waitMillis(timeoutNanos));
    countWakeup();
    for (int k = 0; k < hotCount; k++) {
      hot[k] = null;
    }
    hotCount = 0;
    readyCount = 0;
    readyNext = 0;
    if (n < 0) {
      if (n == -EINTR) {
        return false;
      }
      throw new IOException("epoll_wait failed: " + errnoName(n) + "; receiving ended");
    }
    NicSocket[] sockets = byId;
    for (int k = 0; k < n; k++) {
      long data = events.get(LONG, k * LinuxEpoll.EPOLL_EVENT_LENGTH + LinuxEpoll.EPOLL_DATA_OFFSET);
      if (data == WAKE) {
        LinuxEpoll.read(state, wakeFd, drain, 8);
        continue;
      }
      int id = (int) data;
      NicSocket s = id < sockets.length ? sockets[id] : null;
      if (s != null) {
        ready[readyCount++] = s;
      }
    }
    return true;
  }

  private void read(NicSocket s) {
    if (!ensureBatch()) {
      return;
    }
    NicRecvBatch b = current;
    int first = b.messageCount;
    // epoll said readable (or the last read filled the batch), so an empty socket is rare here: read without errno
    // capture, whose per-call slice C2 does not always remove (set sockets are never connected)
    int r = LinuxSockets.recvmmsgUnconnected(state, fd(s), b.messageSlices[first], b.capacity - first,
        MSG_DONTWAIT);
    if (r > 0) {
      // hot only when the read filled the batch: the socket may hold more. A read that came back short
      // emptied the socket, and probing it again would mostly cost an EAGAIN; epoll says when it has data.
      if (r == b.capacity - first && hotCount < hot.length) {
        hot[hotCount++] = s;
      }
      parse(b, s, first, r, s.recordDropTotal(drops.read(fd(s))));
      b.messageCount = first + r;
      if (b.full()) {
        flush();
      }
    } else if (r != -EAGAIN && r != -EINTR && r != 0) {
      readFailed(s, r);
    }
  }

  private void readFailed(NicSocket s, int r) {
    s.addReceive(NicSocket.RECEIVE_ERRORS, 1);
    warn(LOG, "recvmmsg", s, errnoName(r));
    if (r == -EBADF || r == -ENOTSOCK) {
      // the descriptor is not ours any more: stop polling it rather than spin on it
      LOG.error("{}: {} is no longer a readable socket ({}); it is no longer polled", name, s, errnoName(r));
      retire(s);
    }
  }

  private void parse(NicRecvBatch b, NicSocket s, int first, int count, long drops) {
    MemorySegment msgs = b.messages;
    MemorySegment control = b.control;
    long packets = 0;
    long bytes = 0;
    for (int j = first; j < first + count; j++) {
      long m = MMSGHDR_SIZE * j;
      int len = msgs.get(ValueLayout.JAVA_INT, m + MSG_LEN_OFFSET);
      int flags = msgs.get(ValueLayout.JAVA_INT, m + MSG_FLAGS_OFFSET);
      long controlLength = msgs.get(ValueLayout.JAVA_LONG, m + MSG_CONTROLLEN_OFFSET);
      int ifindex = s.ifindex();
      int destination = -1;
      long o = (long) NicRecvBatch.CONTROL_LENGTH * j;
      long end = o + Math.min(controlLength, NicRecvBatch.CONTROL_LENGTH);
      // cmsg(3) walk: each header's cmsg_len covers header and data; the next one starts CMSG_ALIGNed
      while (o + CMSG_DATA_OFFSET <= end) {
        long cmsgLen = control.get(LONG, o + CMSG_LEN_OFFSET);
        if (cmsgLen < CMSG_DATA_OFFSET || o + cmsgLen > end) {
          break;
        }
        int level = control.get(INT, o + CMSG_LEVEL_OFFSET);
        int type = control.get(INT, o + CMSG_TYPE_OFFSET);
        long data = o + CMSG_DATA_OFFSET;
        if (level == IPPROTO_IP && type == IP_PKTINFO && !ipv6) {
          // struct in_pktinfo { int ipi_ifindex; in_addr ipi_spec_dst; in_addr ipi_addr; }: ipi_addr is the
          // header's destination (ip(7)); spec_dst is the local address a reply would come from
          ifindex = control.get(INT, data);
          destination = (int) (data + 8);
        } else if (level == IPPROTO_IPV6 && type == IPV6_PKTINFO && ipv6) {
          // struct in6_pktinfo { in6_addr ipi6_addr; int ipi6_ifindex; } (ipv6(7))
          destination = (int) data;
          ifindex = control.get(INT, data + 16);
        }
        o += cmsgAlign(cmsgLen);
      }
      if ((flags & MSG_TRUNC) != 0) {
        s.addReceive(NicSocket.TRUNCATED, 1);
        continue;
      }
      b.addPacket(j, len, s, ifindex, destination, drops);
      packets++;
      bytes += len;
    }
    s.addReceive(NicSocket.RECEIVED, packets);
    s.addReceive(NicSocket.RECEIVED_BYTES, bytes);
  }

  @Override
  synchronized void closeResources() {
    if (resourcesClosed) {
      return;
    }
    resourcesClosed = true;
    closeRetired();
    LinuxSockets.close(ctlState, wakeFd);
    LinuxSockets.close(ctlState, epfd);
    arena.close();
  }
}
