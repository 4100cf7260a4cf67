package io.meshwire.nic;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One OS socket of a {@link NicSocketSet}, native or NIO. Calls return 0 (or a granted size) on success and
 * {@code -errno} on failure, so the send path never throws for a per-destination problem.
 *
 * <p>Sends (and, natively, option changes) run under {@link #lock}, taken with {@link #lockOpen()}; close takes
 * the same lock, so it waits for a send in progress and no send starts on a closed socket.
 */
abstract sealed class SocketHandle permits NativeSocketHandle, NioSocketHandle {
  final ReentrantLock lock = new ReentrantLock();
  private volatile boolean closed;

  /** The bound address, with the kernel-chosen port. */
  abstract InetSocketAddress localAddress();

  /**
   * Sends {@code data}'s remaining bytes to {@code dest}; the buffer's position is not moved.
   *
   * @param viaInterface leave through this socket's NIC whatever the routing table says (IP_PKTINFO's ifindex);
   *     otherwise the kernel routes by destination with the bound source address
   * @return 0, or {@code -errno}
   */
  abstract int send(ByteBuffer data, InetSocketAddress dest, boolean viaInterface);

  /** Sets {@code SO_RCVBUF}; returns what the kernel reports granted, or {@code -errno}. */
  abstract int setReceiveBufferSize(int bytes);

  /** Sets the multicast TTL / hop limit; 0 or {@code -errno}. */
  abstract int setMulticastTtl(int ttl);

  /** Joins {@code group} on the NIC with index {@code ifindex}; 0 or {@code -errno}. */
  abstract int joinGroup(InetAddress group, int ifindex);

  /** Takes {@link #lock} unless the socket is closed: true with the lock held, false (and not held) when closed. */
  final boolean lockOpen() {
    lock.lock();
    if (closed) {
      lock.unlock();
      return false;
    }
    return true;
  }

  /** Closes the socket once no send is in progress; idempotent. */
  final void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      closeSocket();
    } finally {
      lock.unlock();
    }
  }

  /** Releases the OS socket and what belongs to it; called once, under {@link #lock}. */
  abstract void closeSocket();

  /** Parameters for opening one socket. */
  record Spec(InetSocketAddress bind, boolean ipv6, boolean reuse, boolean sends, boolean broadcast,
      int multicastTtl, int receiveBufferSize, int sendBufferSize, int ifindex) {}
}
