package io.meshwire.nic;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The portable receive side: a {@link Selector} over every socket's {@link DatagramChannel}; each ready channel
 * is drained into the current batch until it is empty or the batch is full. Slots are one byte longer than
 * {@code maxDatagramSize}, because a channel silently cuts what does not fit: a full slot means "maybe cut" and
 * is dropped as truncated. An INLINE round that filled its batch leaves the keys it did not get to in the
 * selected-key set, and the next round reads those before selecting again.
 *
 * <p>Retiring closes the channel at once: the JDK makes that safe against a concurrent receive or select. But the
 * JDK closes the descriptor of a channel registered with a selector only when a select deregisters its cancelled
 * key, so retiring also makes that happen: it wakes a select in progress, and INLINE, when no consumer is in a
 * round, runs a {@code selectNow} itself (under {@link #roundLock}, which an inline round holds).
 */
final class SelectorPoller extends NicPoller {
  private static final Logger LOG = LoggerFactory.getLogger(SelectorPoller.class);
  private static final Consumer<SelectionKey> IGNORE = key -> { };
  private final Selector selector;
  /** INLINE: held by the consumer's round, so that a retiring thread selects only when no round does. */
  private final ReentrantLock roundLock = new ReentrantLock();

  SelectorPoller(BatchQueue queue, Supplier<NicRecvBatch> allocator, String name) throws IOException {
    super(queue, allocator, name);
    this.selector = Selector.open();
  }

  @Override
  NicRecvBatch newBatch(Arena arena, int capacity, int slotSize) {
    return new NicRecvBatch(arena, capacity, slotSize + 1, false);
  }

  @Override
  void register(NicSocket socket) throws IOException {
    ((NioSocketHandle) socket.handle()).channel().register(selector, SelectionKey.OP_READ, socket);
    selector.wakeup();
  }

  @Override
  void retire(NicSocket socket) {
    socket.markClosed();
    // closing a channel cancels its key; the JDK keeps a concurrent receive safe
    socket.handle().close();
    if (queue == null && roundLock.tryLock()) {
      try {
        // nobody is selecting: deregister the key here, which lets the JDK close the descriptor; the action
        // variant leaves the selected-key set (the consumer's) alone
        selector.selectNow(IGNORE);
      } catch (IOException | ClosedSelectorException e) {
        LOG.debug("{}: selectNow after retiring {} failed", name, socket, e);
      } finally {
        roundLock.unlock();
      }
    } else {
      selector.wakeup(); // the select in progress returns and deregisters the key
    }
  }

  @Override
  void wakeup() {
    selector.wakeup();
  }

  @Override
  void afterInlineRound() {
    // retired channels are closed at once
  }

  @Override
  void pollOnce(long timeoutNanos) throws IOException {
    if (queue != null) {
      round(timeoutNanos);
      return;
    }
    roundLock.lock();
    try {
      round(timeoutNanos);
    } finally {
      roundLock.unlock();
    }
  }

  private void round(long timeoutNanos) throws IOException {
    Set<SelectionKey> selected;
    try {
      selected = selector.selectedKeys();
      if (selected.isEmpty()) {
        if (timeoutNanos == 0) {
          selector.selectNow();
        } else if (timeoutNanos < 0) {
          selector.select();
        } else {
          selector.select(waitMillis(timeoutNanos));
        }
        countWakeup();
      }
    } catch (ClosedSelectorException e) {
      stopping = true;
      return;
    }
    Iterator<SelectionKey> keys = selected.iterator();
    while (keys.hasNext() && !roundOver()) {
      SelectionKey key = keys.next();
      keys.remove();
      if (key.isValid() && key.attachment() instanceof NicSocket s && s.isOpen()) {
        read(s, (DatagramChannel) key.channel());
      }
    }
    flush();
  }

  private void read(NicSocket s, DatagramChannel channel) {
    long packets = 0;
    long bytes = 0;
    try {
      while (ensureBatch()) {
        NicRecvBatch b = current;
        int j = b.messageCount;
        ByteBuffer slot = b.slotBuffers[j].clear();
        SocketAddress from = channel.receive(slot);
        if (from == null) {
          break;
        }
        b.messageCount = j + 1;
        int len = slot.position();
        if (len == slot.capacity()) {
          s.addReceive(NicSocket.TRUNCATED, 1);
        } else {
          b.nioSources[j] = (java.net.InetSocketAddress) from;
          b.addPacket(j, len, s, s.ifindex(), -1, 0);
          packets++;
          bytes += len;
        }
        if (b.full()) {
          flush();
          break; // one batch per socket per round, as with epoll
        }
      }
    } catch (ClosedChannelException e) {
      // retired meanwhile
    } catch (IOException e) {
      s.addReceive(NicSocket.RECEIVE_ERRORS, 1);
      warn(LOG, "receive", s, e.toString());
    }
    s.addReceive(NicSocket.RECEIVED, packets);
    s.addReceive(NicSocket.RECEIVED_BYTES, bytes);
  }

  @Override
  void closeResources() {
    try {
      selector.close();
    } catch (IOException e) {
      LOG.debug("selector close failed", e);
    }
  }
}
