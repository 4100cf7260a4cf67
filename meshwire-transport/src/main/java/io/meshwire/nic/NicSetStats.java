package io.meshwire.nic;

import io.meshwire.transport.Backend;
import java.util.List;
import java.util.Objects;

/**
 * A snapshot of a {@link NicSocketSet}'s counters; which apply depends on {@link NicSetConfig#receiveMode()}.
 *
 * @param backend the receive backend in use
 * @param sockets per-socket counters of the sockets open now
 * @param queueFullEvents {@code DEDICATED_THREAD}: times the receive thread found the batch queue full and parked;
 *     always 0 {@code INLINE} (no queue: the kernel buffers are the only one)
 * @param bufferWaits {@code DEDICATED_THREAD}: times it parked because the consumer held every batch; always 0
 *     {@code INLINE}
 * @param pollWakeups times a wait on the sockets (epoll or Selector) returned, in the receive thread or
 *     {@code INLINE} in the consumer's calls (a non-blocking check counts too; re-reading busy sockets does not)
 * @param noNicSends sends that found no socket to go out on ({@link SendResult#NO_NIC})
 */
public record NicSetStats(Backend backend, List<NicSocketStats> sockets, long queueFullEvents, long bufferWaits,
    long pollWakeups, long noNicSends) {

  /**
   * Copies the list.
   *
   * @throws NullPointerException if {@code backend} or {@code sockets} is null
   */
  public NicSetStats {
    Objects.requireNonNull(backend, "backend must not be null");
    sockets = List.copyOf(Objects.requireNonNull(sockets, "sockets must not be null"));
  }

  /** Datagrams received over all sockets. */
  public long received() {
    return sockets.stream().mapToLong(NicSocketStats::received).sum();
  }

  /** Kernel drops over all sockets. */
  public long kernelDrops() {
    return sockets.stream().mapToLong(NicSocketStats::kernelDrops).sum();
  }

  /** Truncated datagrams over all sockets. */
  public long truncated() {
    return sockets.stream().mapToLong(NicSocketStats::truncated).sum();
  }

  /** Datagrams sent over all sockets. */
  public long sent() {
    return sockets.stream().mapToLong(NicSocketStats::sent).sum();
  }
}
