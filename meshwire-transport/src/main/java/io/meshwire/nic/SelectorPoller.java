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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The portable receive side: a {@link Selector} over every socket's {@link DatagramChannel}; each ready channel
 * is drained into the current batch until it is empty or the batch is full. Slots are one byte longer than
 * {@code maxDatagramSize}, because a channel silently cuts what does not fit: a full slot means "maybe cut" and
 * is dropped as truncated.
 */
final class SelectorPoller extends NicPoller {
  private static final Logger LOG = LoggerFactory.getLogger(SelectorPoller.class);
  private final Selector selector;

  SelectorPoller(BatchQueue queue, String name) throws IOException {
    super(queue, name);
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
  }

  @Override
  void wakeup() {
    selector.wakeup();
  }

  @Override
  void pollOnce() throws IOException {
    try {
      selector.select();
    } catch (ClosedSelectorException e) {
      stopping = true;
      return;
    }
    countWakeup();
    Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
    while (keys.hasNext() && !stopping) {
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
