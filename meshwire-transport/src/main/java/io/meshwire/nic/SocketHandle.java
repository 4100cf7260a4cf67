package io.meshwire.nic;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * One OS socket of a {@link NicSocketSet}, native or NIO. Calls return 0 (or a granted size) on success and
 * {@code -errno} on failure, so the send path never throws for a per-destination problem.
 */
sealed interface SocketHandle permits NativeSocketHandle, NioSocketHandle {

  /** The bound address, with the kernel-chosen port. */
  InetSocketAddress localAddress();

  /**
   * Sends {@code data}'s remaining bytes to {@code dest}; the buffer's position is not moved.
   *
   * @param viaInterface leave through this socket's NIC whatever the routing table says (IP_PKTINFO's ifindex);
   *     otherwise the kernel routes by destination with the bound source address
   * @return 0, or {@code -errno}
   */
  int send(ByteBuffer data, InetSocketAddress dest, boolean viaInterface);

  /** Sets {@code SO_RCVBUF}; returns what the kernel reports granted, or {@code -errno}. */
  int setReceiveBufferSize(int bytes);

  /** Sets the multicast TTL / hop limit; 0 or {@code -errno}. */
  int setMulticastTtl(int ttl);

  /** Joins {@code group} on the NIC with index {@code ifindex}; 0 or {@code -errno}. */
  int joinGroup(InetAddress group, int ifindex);

  /** Closes the socket once no send is in progress; idempotent. */
  void close();

  /** Parameters for opening one socket. */
  record Spec(InetSocketAddress bind, boolean ipv6, boolean reuse, boolean sends, boolean broadcast,
      int multicastTtl, int receiveBufferSize, int sendBufferSize, int ifindex) {}
}
