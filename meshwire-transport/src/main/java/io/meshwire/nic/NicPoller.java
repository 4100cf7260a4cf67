package io.meshwire.nic;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * The receive side of a {@link NicSocketSet}: waits on every socket of the set at once (epoll, or a NIO Selector as
 * fallback) and reads whatever is ready into the current batch, socket after socket. One read per ready socket per
 * round keeps a flooded NIC from starving the others.
 *
 * <p>Who runs the rounds depends on the set's receive mode. {@code DEDICATED_THREAD}: one receive thread runs
 * {@link #run()}, publishes a batch over the {@link BatchQueue} when it is full or the round is over, and takes
 * the next. {@code INLINE} (no queue): the consumer's receive call runs {@link #roundInline} on its own thread;
 * the round fills the poller's single batch and ends early when it is full, leaving the sockets not yet read for
 * the next round, so that a flooded socket read first cannot starve the others.
 *
 * <p>Sockets are registered and retired from other threads (the opener, the interface refresher); a retired
 * socket's OS socket is closed only where no round can still read it.
 */
abstract sealed class NicPoller permits EpollPoller, SelectorPoller {

  /** The hand-over to the consumer; null INLINE. */
  final BatchQueue queue;
  final String name;
  volatile boolean stopping;
  /** INLINE: the consumer is inside {@link #roundInline}; close waits for it to leave before freeing anything. */
  private volatile boolean inRound;
  private final Supplier<NicRecvBatch> allocator;
  private final AtomicLong wakeups = new AtomicLong();
  private long lastWarn = Long.MIN_VALUE;
  private long suppressed;
  /**
   * The batch being filled: the receive thread's (published when full), or INLINE the one batch, kept across
   * rounds. Touched only by whoever runs the rounds.
   */
  NicRecvBatch current;

  NicPoller(BatchQueue queue, Supplier<NicRecvBatch> allocator, String name) {
    this.queue = queue;
    this.allocator = allocator;
    this.name = name;
  }

  /** Starts polling {@code socket}; any thread. */
  abstract void register(NicSocket socket) throws IOException;

  /** Stops polling {@code socket} and closes its OS socket once no round can touch it; idempotent. */
  abstract void retire(NicSocket socket);

  /** Makes a blocked wait return. */
  abstract void wakeup();

  /** A batch shaped for this backend. */
  abstract NicRecvBatch newBatch(Arena arena, int capacity, int slotSize);

  /**
   * One round: waits up to {@code timeoutNanos} (-1 without limit, 0 not at all) unless sockets from the previous
   * round are still to be read, then reads the ready sockets once each.
   */
  abstract void pollOnce(long timeoutNanos) throws IOException;

  /** INLINE: after a round, with {@link #inRound} lowered; closes what {@link #retire} left to the consumer. */
  abstract void afterInlineRound();

  /** Frees the poller's own resources and closes retired sockets; once no round runs any more. */
  abstract void closeResources();

  /** The receive thread's body (DEDICATED_THREAD). */
  final void run() {
    Throwable cause = null;
    try {
      while (!stopping) {
        pollOnce(-1);
      }
    } catch (Throwable t) {
      if (!stopping) {
        cause = t;
      }
    } finally {
      queue.terminate(cause);
    }
  }

  /**
   * INLINE: one round on the caller's thread (the set's single consumer) into the poller's batch, emptied first.
   *
   * @param timeoutNanos how long to wait for a ready socket: -1 without limit, 0 not at all
   * @return the batch, holding what the round read (maybe nothing); null once the set is closing
   * @throws IOException if waiting failed (receiving is over)
   */
  final NicRecvBatch roundInline(long timeoutNanos) throws IOException {
    inRound = true;
    try {
      // after raising the flag: close sets stopping before it looks at the flag, so one of us sees the other
      if (stopping) {
        return null;
      }
      NicRecvBatch b = current;
      if (b == null) {
        b = allocator.get();
        current = b;
      } else {
        b.reset();
      }
      pollOnce(timeoutNanos);
      return stopping ? null : b;
    } finally {
      inRound = false;
      afterInlineRound();
    }
  }

  /** INLINE: whether a consumer is inside {@link #roundInline}. */
  final boolean inRound() {
    return inRound;
  }

  /** Asks the rounds to end: the receive thread, or a consumer waiting inline, returns from its wait promptly. */
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

  /**
   * Whether the round must stop reading: the set is closing, or INLINE the batch is full (the sockets not read yet
   * are read first next round).
   */
  final boolean roundOver() {
    return stopping || queue == null && current.full();
  }

  /** The batch to fill, acquiring one if needed; false once the set is closing or INLINE the batch is full. */
  final boolean ensureBatch() {
    NicRecvBatch b = current;
    if (b != null) {
      return !b.full();
    }
    b = queue.acquire();
    if (b == null) {
      stopping = true;
      return false;
    }
    current = b;
    return true;
  }

  /**
   * DEDICATED_THREAD: publishes the batch being filled if it holds datagrams; a full batch of truncated ones is
   * refilled. INLINE the consumer takes the batch when the round is over: nothing to do.
   */
  final void flush() {
    NicRecvBatch b = current;
    if (b == null || queue == null) {
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

  /** Milliseconds for a kernel wait of {@code timeoutNanos}: -1 stays -1, anything else is rounded up. */
  static int waitMillis(long timeoutNanos) {
    if (timeoutNanos < 0) {
      return -1;
    }
    return (int) Math.min(Integer.MAX_VALUE, (timeoutNanos + 999_999) / 1_000_000);
  }
}
