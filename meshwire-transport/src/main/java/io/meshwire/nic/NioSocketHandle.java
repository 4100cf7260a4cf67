package io.meshwire.nic;

import io.meshwire.transport.linux.LinuxSockets;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link DatagramChannel} socket, for when native access is unavailable. The JDK gives no
 * {@code IP_PKTINFO} and no {@code SO_RXQ_OVFL}: received datagrams carry the socket's own address and NIC
 * instead of the kernel's, and no drop count; {@code sendVia} relies on the bound source address alone, so a
 * reply follows the routing table rather than a forced output device.
 */
final class NioSocketHandle extends SocketHandle {
  private static final long SEND_RETRY_NANOS = 1_000;
  private static final long SEND_GIVE_UP_NANOS = 1_000_000_000L;

  private final DatagramChannel channel;
  private final InetSocketAddress local;
  private final boolean ipv6;

  private NioSocketHandle(Spec spec) throws IOException {
    this.ipv6 = spec.ipv6();
    this.channel = DatagramChannel.open(ipv6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
    boolean ok = false;
    try {
      if (spec.reuse()) {
        channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
      }
      if (spec.sends()) {
        channel.setOption(StandardSocketOptions.SO_BROADCAST, spec.broadcast());
        channel.setOption(StandardSocketOptions.SO_SNDBUF, spec.sendBufferSize());
        channel.setOption(StandardSocketOptions.IP_MULTICAST_TTL, spec.multicastTtl());
      }
      channel.setOption(StandardSocketOptions.SO_RCVBUF, spec.receiveBufferSize());
      try {
        channel.bind(spec.bind());
      } catch (BindException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        int errno = m.contains("in use") ? LinuxSockets.EADDRINUSE
            : m.contains("assign") ? LinuxSockets.EADDRNOTAVAIL : 0;
        NicBindException be = new NicBindException("bind(" + spec.bind().getAddress().getHostAddress() + ":"
            + spec.bind().getPort() + ") failed: " + e.getMessage(), errno);
        be.initCause(e);
        throw be;
      }
      channel.configureBlocking(false);
      this.local = (InetSocketAddress) channel.getLocalAddress();
      ok = true;
    } finally {
      if (!ok) {
        channel.close();
      }
    }
  }

  static NioSocketHandle open(Spec spec) throws IOException {
    return new NioSocketHandle(spec);
  }

  DatagramChannel channel() {
    return channel;
  }

  @Override
  InetSocketAddress localAddress() {
    return local;
  }

  @Override
  int send(ByteBuffer data, InetSocketAddress dest, boolean viaInterface) {
    int position = data.position();
    if (!lockOpen()) {
      return -LinuxSockets.EBADF;
    }
    try {
      long deadline = 0;
      while (true) {
        int r = channel.send(data, dest);
        if (r > 0 || !data.hasRemaining()) {
          return 0;
        }
        // a non-blocking channel with a full send buffer sends nothing: wait briefly, bounded
        long now = System.nanoTime();
        if (deadline == 0) {
          deadline = now + SEND_GIVE_UP_NANOS;
        } else if (now - deadline > 0) {
          return -LinuxSockets.EAGAIN;
        }
        LockSupport.parkNanos(SEND_RETRY_NANOS);
      }
    } catch (ClosedChannelException e) {
      return -LinuxSockets.EBADF;
    } catch (PortUnreachableException e) {
      return -LinuxSockets.ECONNREFUSED;
    } catch (IOException e) {
      return -errnoOf(e);
    } finally {
      data.position(position);
      lock.unlock();
    }
  }

  /** The JDK reports errno only as strerror text; map the ones a send can meet. */
  static int errnoOf(IOException e) {
    String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    if (m.contains("network is unreachable")) {
      return LinuxSockets.ENETUNREACH;
    }
    if (m.contains("no route to host") || m.contains("host is unreachable")) {
      return LinuxSockets.EHOSTUNREACH;
    }
    if (m.contains("permission denied") || m.contains("not permitted")) {
      return LinuxSockets.EACCES;
    }
    if (m.contains("message too long")) {
      return LinuxSockets.EMSGSIZE;
    }
    if (m.contains("no buffer space")) {
      return LinuxSockets.ENOBUFS;
    }
    if (m.contains("cannot assign") || m.contains("no such device")) {
      return LinuxSockets.EADDRNOTAVAIL;
    }
    return LinuxSockets.EIO;
  }

  @Override
  int setReceiveBufferSize(int bytes) {
    try {
      channel.setOption(StandardSocketOptions.SO_RCVBUF, bytes);
      return channel.getOption(StandardSocketOptions.SO_RCVBUF);
    } catch (ClosedChannelException e) {
      return -LinuxSockets.EBADF;
    } catch (IOException e) {
      return -errnoOf(e);
    }
  }

  @Override
  int setMulticastTtl(int ttl) {
    try {
      channel.setOption(StandardSocketOptions.IP_MULTICAST_TTL, ttl);
      return 0;
    } catch (ClosedChannelException e) {
      return -LinuxSockets.EBADF;
    } catch (IOException e) {
      return -errnoOf(e);
    }
  }

  @Override
  int joinGroup(InetAddress group, int ifindex) {
    try {
      NetworkInterface nif = NetworkInterface.getByIndex(ifindex);
      if (nif == null) {
        return -LinuxSockets.ENODEV;
      }
      channel.join(group, nif);
      return 0;
    } catch (ClosedChannelException e) {
      return -LinuxSockets.EBADF;
    } catch (SocketException e) {
      return -errnoOf(e);
    } catch (IOException e) {
      return -errnoOf(e);
    }
  }

  @Override
  void closeSocket() {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing left to do with a channel that failed to close
    }
  }

  @Override
  public String toString() {
    return "nio " + local;
  }
}
