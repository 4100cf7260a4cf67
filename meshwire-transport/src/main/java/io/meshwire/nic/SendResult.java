package io.meshwire.nic;

import io.meshwire.transport.linux.LinuxSockets;

/**
 * The outcome of one datagram sent by a {@link NicSocketSet}: sent, or why not. A send never throws for a
 * per-destination problem (Aeron {@code onSendError} style); the reason is returned and counted per socket in
 * {@link NicSocketStats#sendErrors()}. Being an enum, a result costs no allocation.
 */
public enum SendResult {
  /** The kernel accepted the datagram. */
  SENT,
  /** No bound unicast socket fits: the set has no NIC of that family, or no NIC with that address or index. */
  NO_NIC,
  /** The chosen socket was closed meanwhile (its NIC was removed by an interface refresh). */
  NIC_CLOSED,
  /** {@code ENETUNREACH}: no route from this NIC to the destination. */
  NETWORK_UNREACHABLE,
  /** {@code EHOSTUNREACH}: the destination host is unreachable. */
  HOST_UNREACHABLE,
  /** {@code EACCES}/{@code EPERM}: broadcast without {@code SO_BROADCAST}, or a firewall rule. */
  PERMISSION_DENIED,
  /** {@code EMSGSIZE}: larger than the path or the socket allows. */
  MESSAGE_TOO_LARGE,
  /** {@code ENOBUFS}/{@code ENOMEM}/{@code EAGAIN}: the kernel had no room; the datagram was not sent. */
  NO_BUFFERS,
  /** {@code EADDRNOTAVAIL}/{@code ENODEV}: the NIC's address or device is gone. */
  ADDRESS_UNAVAILABLE,
  /** {@code ECONNREFUSED}: an earlier datagram drew an ICMP port unreachable. */
  REFUSED,
  /** Any other errno; the socket's log line names it. */
  OTHER_ERROR;

  private static final SendResult[] VALUES = values();

  /** Whether the datagram was sent. */
  public boolean isSent() {
    return this == SENT;
  }

  static SendResult fromErrno(int negativeErrno) {
    return switch (-negativeErrno) {
      case LinuxSockets.ENETUNREACH -> NETWORK_UNREACHABLE;
      case LinuxSockets.EHOSTUNREACH -> HOST_UNREACHABLE;
      case LinuxSockets.EACCES, LinuxSockets.EPERM -> PERMISSION_DENIED;
      case LinuxSockets.EMSGSIZE -> MESSAGE_TOO_LARGE;
      case LinuxSockets.ENOBUFS, LinuxSockets.ENOMEM, LinuxSockets.EAGAIN -> NO_BUFFERS;
      case LinuxSockets.EADDRNOTAVAIL, LinuxSockets.ENODEV -> ADDRESS_UNAVAILABLE;
      case LinuxSockets.ECONNREFUSED -> REFUSED;
      case LinuxSockets.EBADF, LinuxSockets.EPIPE -> NIC_CLOSED;
      default -> OTHER_ERROR;
    };
  }

  static SendResult of(int ordinal) {
    return VALUES[ordinal];
  }

  static int count() {
    return VALUES.length;
  }
}
