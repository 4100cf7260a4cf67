package io.meshwire.nic;

import java.util.Map;
import java.util.Objects;

/**
 * A snapshot of one socket's counters.
 *
 * @param socket the socket
 * @param received datagrams handed to the receive queue
 * @param receivedBytes their payload bytes
 * @param kernelDrops datagrams the kernel dropped for lack of receive buffer (its {@code sk_drops}, read with
 *     {@code SO_MEMINFO} after each read that returned data; native backend), so drops show once traffic
 *     resumes
 * @param truncated datagrams larger than {@code maxDatagramSize}, dropped rather than handed out cut
 * @param receiveErrors receive calls that failed
 * @param sent datagrams sent
 * @param sentBytes their payload bytes
 * @param sendErrors failed sends by reason (only reasons that occurred)
 */
public record NicSocketStats(NicSocket socket, long received, long receivedBytes, long kernelDrops,
    long truncated, long receiveErrors, long sent, long sentBytes, Map<SendResult, Long> sendErrors) {

  /**
   * Copies the map.
   *
   * @throws NullPointerException if {@code socket} or {@code sendErrors} is null
   */
  public NicSocketStats {
    Objects.requireNonNull(socket, "socket must not be null");
    sendErrors = Map.copyOf(Objects.requireNonNull(sendErrors, "sendErrors must not be null"));
  }

  /** All failed sends, whatever the reason. */
  public long sendErrorTotal() {
    return sendErrors.values().stream().mapToLong(Long::longValue).sum();
  }
}
