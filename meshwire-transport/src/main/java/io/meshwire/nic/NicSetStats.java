package io.meshwire.nic;

import io.meshwire.transport.Backend;
import java.util.List;
import java.util.Objects;

/**
 * A snapshot of a {@link NicSocketSet}'s counters.
 *
 * @param backend the receive backend in use
 * @param sockets per-socket counters of the sockets open now
 * @param queueFullEvents times the receive thread found the batch queue full and parked
 * @param bufferWaits times it parked because the consumer held every batch
 * @param pollWakeups times the receive thread's wait (epoll or Selector) returned
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
