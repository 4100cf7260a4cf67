package io.meshwire.nic;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * The receive side of a {@link NicSocketSet}: one thread waits on every socket of the set at once (epoll, or a
 * NIO Selector as fallback), reads whatever is ready into the current batch, socket after socket, and publishes
 * the batch when it is full or the round is over. One read per ready socket per round keeps a flooded NIC from
 * starving the others.
 *
 * <p>Sockets are registered and retired from other threads (the opener, the interface refresher); a retired
 * socket's OS socket is closed only where the receive thread can no longer read it.
 */
abstract sealed class NicPoller permits EpollPoller, SelectorPoller {

  final BatchQueue queue;
  final String name;
  volatile boolean stopping;
  private final AtomicLong wakeups = new AtomicLong();
  private long lastWarn = Long.MIN_VALUE;
  private long suppressed;
  /** The batch being filled; receive thread only. */
  NicRecvBatch current;

  NicPoller(BatchQueue queue, String name) {
    this.queue = queue;
    this.name = name;
  }

  /** Starts polling {@code socket}; any thread. */
  abstract void register(NicSocket socket) throws IOException;

  /** Stops polling {@code socket} and closes its OS socket once the receive thread cannot touch it; idempotent. */
  abstract void retire(NicSocket socket);

  /** Makes a blocked wait return. */
  abstract void wakeup();

  /** A batch shaped for this backend. */
  abstract NicRecvBatch newBatch(Arena arena, int capacity, int slotSize);

  /** One wait and one read round. */
  abstract void pollOnce() throws IOException;

  /** Frees the poller's own resources and closes retired sockets; after the receive thread ended. */
  abstract void closeResources();

  /** The receive thread's body. */
  final void run() {
    Throwable cause = null;
    try {
      while (!stopping) {
        pollOnce();
      }
    } catch (Throwable t) {
      if (!stopping) {
        cause = t;
      }
    } finally {
      queue.terminate(cause);
    }
  }

  /** Asks the receive thread to end; it returns from its wait promptly. */
  final void stop() {
    stopping = true;
    wakeup();
  }

  final void countWakeup() {
    wakeups.setRelease(wakeups.getPlain() + 1);
  }

  final long wakeups() {
    return wakeups.getAcquire();
  }

  /** The batch to fill, acquiring one if needed; false once the set is closing. */
  final boolean ensureBatch() {
    if (current == null) {
      current = queue.acquire();
      if (current == null) {
        stopping = true;
        return false;
      }
    }
    return true;
  }

  /** Publishes the batch being filled if it holds datagrams; a full batch of truncated ones is refilled. */
  final void flush() {
    NicRecvBatch b = current;
    if (b == null) {
      return;
    }
    if (b.packetCount > 0) {
      current = null;
      if (!queue.publish(b)) {
        stopping = true;
      }
    } else if (b.full()) {
      b.reset();
    }
  }

  /** A receive-error warning, at most once a second with a count of those suppressed. */
  final void warn(Logger log, String what, NicSocket socket, String error) {
    long now = System.nanoTime();
    if (lastWarn != Long.MIN_VALUE && now - lastWarn < 1_000_000_000L) {
      suppressed++;
      return;
    }
    log.warn("{}: {} on {} failed: {} ({} similar suppressed)", name, what, socket, error, suppressed);
    suppressed = 0;
    lastWarn = now;
  }
}
