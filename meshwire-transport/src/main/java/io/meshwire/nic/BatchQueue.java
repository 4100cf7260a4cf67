package io.meshwire.nic;

import io.meshwire.transport.TransportClosedException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * {@code DEDICATED_THREAD} only: the hand-over between a set's receive thread (the producer) and its consumer: a
 * bounded single-producer, single-consumer ring of whole batches, and a ring of batches the consumer gave back.
 * Batches are allocated lazily up to {@code depth + 2} (queued, being filled, being consumed) and then reused.
 *
 * <p>Backpressure: when the ring is full or the consumer holds every batch, the producer parks and the kernel
 * socket buffers absorb the rest (their drops are counted by the kernel and reported per socket). Both sides wake each other
 * with {@link LockSupport#unpark}; every park is bounded, so a missed wake-up costs at most
 * {@link #PARK_NANOS}, and {@link #close()} never waits on the other side.
 */
final class BatchQueue {
  static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final int SPINS = 256;

  private final NicRecvBatch[] ring;
  private final AtomicLong head = new AtomicLong();
  private final AtomicLong tail = new AtomicLong();
  private final NicRecvBatch[] free;
  private final AtomicLong freeHead = new AtomicLong();
  private final AtomicLong freeTail = new AtomicLong();
  private final Supplier<NicRecvBatch> allocator;
  private final int poolSize;
  private int allocated;

  private volatile Thread producer;
  private volatile Thread consumer;
  private volatile boolean producerWaiting;
  private volatile boolean consumerWaiting;
  private volatile boolean closing;
  private volatile boolean terminated;
  private volatile Throwable terminationCause;
  private final AtomicLong queueFull = new AtomicLong();
  private final AtomicLong bufferWaits = new AtomicLong();

  BatchQueue(int depth, Supplier<NicRecvBatch> allocator) {
    this.ring = new NicRecvBatch[depth];
    this.poolSize = depth + 2;
    this.free = new NicRecvBatch[poolSize];
    this.allocator = allocator;
  }

  void producer(Thread t) {
    producer = t;
  }

  // ------------------------------------------------------------------------------------------------ producer

  /** A free, reset batch; parks while the consumer holds them all. Null once closing. */
  NicRecvBatch acquire() {
    boolean counted = false;
    while (!closing) {
      long h = freeHead.get();
      if (h < freeTail.get()) {
        int i = (int) (h % poolSize);
        NicRecvBatch b = free[i];
        free[i] = null;
        freeHead.set(h + 1);
        b.reset();
        return b;
      }
      if (allocated < poolSize) {
        allocated++;
        return allocator.get();
      }
      if (!counted) {
        bufferWaits.setRelease(bufferWaits.getPlain() + 1);
        counted = true;
      }
      producerWaiting = true;
      if (freeHead.get() == freeTail.get() && !closing) {
        LockSupport.parkNanos(this, PARK_NANOS);
      }
      producerWaiting = false;
    }
    return null;
  }

  /** Queues a filled batch; parks while the ring is full. False once closing. */
  boolean publish(NicRecvBatch b) {
    int depth = ring.length;
    boolean counted = false;
    while (true) {
      long t = tail.get();
      if (t - head.get() < depth) {
        ring[(int) (t % depth)] = b;
        tail.set(t + 1);
        wakeConsumer();
        return true;
      }
      if (closing) {
        return false;
      }
      if (!counted) {
        queueFull.setRelease(queueFull.getPlain() + 1);
        counted = true;
      }
      producerWaiting = true;
      if (tail.get() - head.get() >= depth && !closing) {
        LockSupport.parkNanos(this, PARK_NANOS);
      }
      producerWaiting = false;
    }
  }

  /** The producer ended, normally or with {@code cause}; the consumer drains what is queued, then is told. */
  void terminate(Throwable cause) {
    terminationCause = cause;
    terminated = true;
    wakeConsumer();
  }

  // ------------------------------------------------------------------------------------------------ consumer

  /**
   * The next queued batch. {@code deadline}: 0 = do not wait, -1 = wait forever, otherwise a
   * {@link System#nanoTime()} deadline. Null when none arrived in time.
   *
   * @throws TransportClosedException once closed, or once the producer ended and the queue is drained
   */
  NicRecvBatch take(long deadline, String name) throws TransportClosedException {
    int spins = 0;
    while (true) {
      if (closing) {
        throw new TransportClosedException(name + " is closed");
      }
      long h = head.get();
      if (h < tail.get()) {
        int i = (int) (h % ring.length);
        NicRecvBatch b = ring[i];
        ring[i] = null;
        head.set(h + 1);
        wakeProducer();
        return b;
      }
      if (terminated) {
        if (h < tail.get()) {
          continue; // published just before the producer ended
        }
        Throwable cause = terminationCause;
        throw cause == null
            ? new TransportClosedException("receive thread of " + name + " ended")
            : new TransportClosedException(cause.getMessage(), cause);
      }
      if (deadline == 0) {
        return null;
      }
      long wait = PARK_NANOS;
      if (deadline > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        wait = Math.min(wait, left);
      }
      if (spins < SPINS) {
        spins++;
        Thread.onSpinWait();
        continue;
      }
      consumer = Thread.currentThread();
      consumerWaiting = true;
      if (head.get() == tail.get() && !terminated && !closing) {
        LockSupport.parkNanos(this, wait);
      }
      consumerWaiting = false;
    }
  }

  /** Gives a consumed batch back to the producer. */
  void recycle(NicRecvBatch b) {
    long t = freeTail.get();
    free[(int) (t % poolSize)] = b;
    freeTail.set(t + 1);
    wakeProducer();
  }

  // ------------------------------------------------------------------------------------------------ both

  private void wakeConsumer() {
    if (consumerWaiting) {
      Thread c = consumer;
      if (c != null) {
        LockSupport.unpark(c);
      }
    }
  }

  private void wakeProducer() {
    if (producerWaiting) {
      Thread p = producer;
      if (p != null) {
        LockSupport.unpark(p);
      }
    }
  }

  /** Stops both sides: parked threads return promptly. */
  void close() {
    closing = true;
    Thread p = producer;
    if (p != null) {
      LockSupport.unpark(p);
    }
    Thread c = consumer;
    if (c != null) {
      LockSupport.unpark(c);
    }
  }

  long queueFullEvents() {
    return queueFull.getAcquire();
  }

  long bufferWaits() {
    return bufferWaits.getAcquire();
  }
}
