package io.meshwire.nic;

import java.net.BindException;

/** A failed bind that keeps the errno, so the binder can tell a port collision from a missing address. */
final class NicBindException extends BindException {
  private static final long serialVersionUID = 1L;

  /** The positive errno. */
  final int errno;

  NicBindException(String message, int errno) {
    super(message);
    this.errno = errno;
  }
}
