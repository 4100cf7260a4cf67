package io.meshwire.nic;

import static io.meshwire.transport.linux.LinuxSockets.AF_INET;
import static io.meshwire.transport.linux.LinuxSockets.AF_INET6;
import static io.meshwire.transport.linux.LinuxSockets.CMSG_DATA_OFFSET;
import static io.meshwire.transport.linux.LinuxSockets.CMSG_LEN_OFFSET;
import static io.meshwire.transport.linux.LinuxSockets.CMSG_LEVEL_OFFSET;
import static io.meshwire.transport.linux.LinuxSockets.CMSG_TYPE_OFFSET;
import static io.meshwire.transport.linux.LinuxSockets.EADDRINUSE;
import static io.meshwire.transport.linux.LinuxSockets.EADDRNOTAVAIL;
import static io.meshwire.transport.linux.LinuxSockets.EBADF;
import static io.meshwire.transport.linux.LinuxSockets.EINTR;
import static io.meshwire.transport.linux.LinuxSockets.IOV_BASE_OFFSET;
import static io.meshwire.transport.linux.LinuxSockets.IOV_LEN_OFFSET;
import static io.meshwire.transport.linux.LinuxSockets.IPPROTO_IP;
import static io.meshwire.transport.linux.LinuxSockets.IPPROTO_IPV6;
import static io.meshwire.transport.linux.LinuxSockets.IPV6_JOIN_GROUP;
import static io.meshwire.transport.linux.LinuxSockets.IPV6_MULTICAST_HOPS;
import static io.meshwire.transport.linux.LinuxSockets.IPV6_PKTINFO;
import static io.meshwire.transport.linux.LinuxSockets.IPV6_RECVPKTINFO;
import static io.meshwire.transport.linux.LinuxSockets.IPV6_V6ONLY;
import static io.meshwire.transport.linux.LinuxSockets.IP_ADD_MEMBERSHIP;
import static io.meshwire.transport.linux.LinuxSockets.IP_MULTICAST_ALL;
import static io.meshwire.transport.linux.LinuxSockets.IP_MULTICAST_TTL;
import static io.meshwire.transport.linux.LinuxSockets.IP_PKTINFO;
import static io.meshwire.transport.linux.LinuxSockets.MSG_CONTROLLEN_OFFSET;
import static io.meshwire.transport.linux.LinuxSockets.MSG_CONTROL_OFFSET;
import static io.meshwire.transport.linux.LinuxSockets.MSG_IOVLEN_OFFSET;
import static io.meshwire.transport.linux.LinuxSockets.MSG_IOV_OFFSET;
import static io.meshwire.transport.linux.LinuxSockets.MSG_NAMELEN_OFFSET;
import static io.meshwire.transport.linux.LinuxSockets.MSG_NAME_OFFSET;
import static io.meshwire.transport.linux.LinuxSockets.SOCKADDR_STORAGE_LENGTH;
import static io.meshwire.transport.linux.LinuxSockets.SOCK_CLOEXEC;
import static io.meshwire.transport.linux.LinuxSockets.SOCK_DGRAM;
import static io.meshwire.transport.linux.LinuxSockets.SOL_SOCKET;
import static io.meshwire.transport.linux.LinuxSockets.SO_BROADCAST;
import static io.meshwire.transport.linux.LinuxSockets.SO_RCVBUF;
import static io.meshwire.transport.linux.LinuxSockets.SO_RCVBUFFORCE;
import static io.meshwire.transport.linux.LinuxSockets.SO_REUSEADDR;
import static io.meshwire.transport.linux.LinuxSockets.SO_REUSEPORT;
import static io.meshwire.transport.linux.LinuxSockets.SO_SNDBUF;
import static io.meshwire.transport.linux.LinuxSockets.SO_SNDBUFFORCE;
import static io.meshwire.transport.linux.LinuxSockets.cmsgLen;
import static io.meshwire.transport.linux.LinuxSockets.cmsgSpace;
import static io.meshwire.transport.linux.LinuxSockets.errnoName;

import io.meshwire.transport.linux.DestinationSockAddr;
import io.meshwire.transport.linux.LinuxSockets;
import io.meshwire.transport.linux.SockAddr;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A natively created socket (FFM over {@link LinuxSockets}). Sends are serialized by a lock and use memory
 * allocated at open; the receive side is read by the set's epoll poller through {@link #fd()}.
 */
final class NativeSocketHandle extends SocketHandle {
  private static final Logger LOG = LoggerFactory.getLogger(NativeSocketHandle.class);
  /** Largest datagram a heap buffer can be copied out for: 65535 minus the 8-byte UDP header. */
  private static final int SCRATCH_LENGTH = 65527;
  /** {@code struct in_pktinfo}: ifindex, spec_dst, addr (ip(7)). */
  private static final int IN_PKTINFO_LENGTH = 12;
  /** {@code struct in6_pktinfo}: addr, ifindex (ipv6(7)). */
  private static final int IN6_PKTINFO_LENGTH = 20;
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

  private final Arena arena = Arena.ofShared();
  private final int fd;
  private final boolean ipv6;
  private final InetSocketAddress local;
  private final MemorySegment state;
  private final MemorySegment option;
  private final MemorySegment optionLength;
  private final MemorySegment destination;
  private final MemorySegment message;
  private final MemorySegment iov;
  private final long controlLength;
  private final MemorySegment scratch;
  private final DestinationSockAddr sendDestination;
  private ByteBuffer lastBuffer;
  private long lastBufferBase;

  private NativeSocketHandle(Spec spec) throws IOException {
    this.ipv6 = spec.ipv6();
    this.state = LinuxSockets.newCallState(arena);
    this.option = arena.allocate(32, 8);
    this.optionLength = arena.allocate(ValueLayout.JAVA_INT);
    this.destination = arena.allocate(SOCKADDR_STORAGE_LENGTH, 8);
    this.sendDestination = new DestinationSockAddr(destination, ipv6);
    int s = LinuxSockets.socket(state, ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
      arena.close();
      throw new IOException("socket(" + (ipv6 ? "AF_INET6" : "AF_INET") + ", SOCK_DGRAM) failed: " + errnoName(s));
    }
    this.fd = s;
    boolean ok = false;
    try {
      if (ipv6) {
        // A v6 set is v6 only; a dual-stack wildcard socket would also take the IPv4 set's traffic.
        setInt(IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY", true);
      } else {
        // libcom 51191e6155: without this a socket gets every group joined by any socket on the host.
        setInt(IPPROTO_IP, IP_MULTICAST_ALL, 0, "IP_MULTICAST_ALL", false);
      }
      if (spec.reuse()) {
        setInt(SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR", true);
        setInt(SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT", true);
      }
      if (spec.sends() && spec.broadcast()) {
        setInt(SOL_SOCKET, SO_BROADCAST, 1, "SO_BROADCAST", true);
      }
      setBuffer(SO_RCVBUF, SO_RCVBUFFORCE, spec.receiveBufferSize());
      if (spec.sends()) {
        setBuffer(SO_SNDBUF, SO_SNDBUFFORCE, spec.sendBufferSize());
        int r = setMulticastTtl(spec.multicastTtl());
        if (r < 0) {
          throw new IOException("setsockopt multicast TTL " + spec.multicastTtl() + " failed: " + errnoName(r));
        }
      }
      if (ipv6) {
        setInt(IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO", true);
      } else {
        setInt(IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO", true);
      }
      int len = SockAddr.encode(spec.bind(), ipv6, destination, 0);
      int r = LinuxSockets.bind(state, fd, destination, len);
      if (r < 0) {
        throw new NicBindException("bind(" + format(spec.bind()) + ") failed: " + errnoName(r) + hint(r), -r);
      }
      optionLength.set(ValueLayout.JAVA_INT, 0, SOCKADDR_STORAGE_LENGTH);
      r = LinuxSockets.getsockname(state, fd, destination, optionLength);
      if (r < 0) {
        throw new IOException("getsockname failed: " + errnoName(r));
      }
      this.local = SockAddr.decode(destination, 0);
      if (spec.sends()) {
        this.message = arena.allocate(LinuxSockets.MSGHDR.byteSize(), 8);
        this.iov = arena.allocate(LinuxSockets.IOVEC_SIZE, 8);
        this.controlLength = spec.ifindex() > 0 ? cmsgSpace(ipv6 ? IN6_PKTINFO_LENGTH : IN_PKTINFO_LENGTH) : 0;
        MemorySegment control = controlLength > 0 ? arena.allocate(controlLength, 8) : MemorySegment.NULL;
        if (controlLength > 0) {
          writePacketInfo(control, spec.ifindex(), spec.bind().getAddress());
        }
        message.set(LONG, MSG_NAME_OFFSET, destination.address());
        message.set(LONG, MSG_IOV_OFFSET, iov.address());
        message.set(LONG, MSG_IOVLEN_OFFSET, 1L);
        message.set(LONG, MSG_CONTROL_OFFSET, control.address());
        message.set(LONG, MSG_CONTROLLEN_OFFSET, controlLength);
        this.scratch = arena.allocate(SCRATCH_LENGTH, 64);
      } else {
        this.message = null;
        this.iov = null;
        this.controlLength = 0;
        this.scratch = null;
      }
      ok = true;
    } finally {
      if (!ok) {
        LinuxSockets.close(state, fd);
        arena.close();
      }
    }
  }

  static NativeSocketHandle open(Spec spec) throws IOException {
    return new NativeSocketHandle(spec);
  }

  /**
   * The ancillary data that makes a send leave through one NIC: {@code ipi_ifindex} sets the output device for
   * the route lookup and {@code ipi_spec_dst} the source (ip(7) IP_PKTINFO); for IPv6 {@code ipi6_ifindex} and
   * {@code ipi6_addr} (ipv6(7)). With an output device the kernel sends even where no route points, assuming the
   * destination is on that link; this is what makes a reply follow the request's NIC.
   */
  private void writePacketInfo(MemorySegment control, int ifindex, InetAddress source) {
    byte[] addr = source.getAddress();
    if (ipv6) {
      control.set(LONG, CMSG_LEN_OFFSET, cmsgLen(IN6_PKTINFO_LENGTH));
      control.set(INT, CMSG_LEVEL_OFFSET, IPPROTO_IPV6);
      control.set(INT, CMSG_TYPE_OFFSET, IPV6_PKTINFO);
      MemorySegment.copy(addr, 0, control, ValueLayout.JAVA_BYTE, CMSG_DATA_OFFSET, 16);
      control.set(INT, CMSG_DATA_OFFSET + 16, ifindex);
    } else {
      control.set(LONG, CMSG_LEN_OFFSET, cmsgLen(IN_PKTINFO_LENGTH));
      control.set(INT, CMSG_LEVEL_OFFSET, IPPROTO_IP);
      control.set(INT, CMSG_TYPE_OFFSET, IP_PKTINFO);
      control.set(INT, CMSG_DATA_OFFSET, ifindex);
      MemorySegment.copy(addr, 0, control, ValueLayout.JAVA_BYTE, CMSG_DATA_OFFSET + 4, 4);
    }
  }

  private static String format(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  private static String hint(int r) {
    if (r == -EADDRINUSE) {
      return "; the port is taken on this address";
    }
    if (r == -EADDRNOTAVAIL) {
      return "; the address is not assigned to any interface of this host (gone, or IPv6 still tentative)";
    }
    return "";
  }

  private boolean setInt(int level, int name, int value, String what, boolean required) throws IOException {
    int r = rawSetInt(level, name, value);
    if (r < 0) {
      if (required) {
        throw new IOException("setsockopt " + what + "=" + value + " failed: " + errnoName(r));
      }
      LOG.debug("setsockopt {}={} failed: {} (best effort, continuing)", what, value, errnoName(r));
      return false;
    }
    return true;
  }

  private int rawSetInt(int level, int name, int value) {
    option.set(ValueLayout.JAVA_INT, 0, value);
    return LinuxSockets.setsockopt(state, fd, level, name, option, 4);
  }

  private int getInt(int level, int name) {
    optionLength.set(ValueLayout.JAVA_INT, 0, 4);
    int r = LinuxSockets.getsockopt(state, fd, level, name, option, optionLength);
    return r < 0 ? r : option.get(ValueLayout.JAVA_INT, 0);
  }

  /**
   * Sets a buffer size and returns what the kernel granted. When net.core.[rw]mem_max caps the request, the
   * FORCE variant is tried: it ignores the cap for a process with CAP_NET_ADMIN (socket(7)).
   */
  private int setBuffer(int optionName, int forceOption, int size) {
    int r = rawSetInt(SOL_SOCKET, optionName, size);
    if (r < 0) {
      return r;
    }
    int granted = getInt(SOL_SOCKET, optionName);
    if (granted >= 0 && (long) granted < 2L * size && rawSetInt(SOL_SOCKET, forceOption, size) >= 0) {
      granted = getInt(SOL_SOCKET, optionName);
    }
    return granted;
  }

  /** The descriptor, for the poller. */
  int fd() {
    return fd;
  }

  boolean ipv6() {
    return ipv6;
  }

  @Override
  InetSocketAddress localAddress() {
    return local;
  }

  @Override
  int send(ByteBuffer data, InetSocketAddress dest, boolean viaInterface) {
    int len = data.remaining();
    if (!lockOpen()) {
      return -EBADF;
    }
    try {
      long address;
      if (data.isDirect()) {
        if (data != lastBuffer) {
          // MemorySegment.ofBuffer makes an object; remember the buffer's base so a reused buffer costs none
          lastBufferBase = MemorySegment.ofBuffer(data).address() - data.position();
          lastBuffer = data;
        }
        address = lastBufferBase + data.position();
      } else {
        if (data.hasArray()) {
          MemorySegment.copy(data.array(), data.arrayOffset() + data.position(), scratch, ValueLayout.JAVA_BYTE, 0,
              len);
        } else {
          MemorySegment.copy(MemorySegment.ofBuffer(data), 0, scratch, 0, len);
        }
        address = scratch.address();
      }
      int destLength = sendDestination.encode(dest);
      long r;
      if (viaInterface && controlLength > 0) {
        iov.set(LONG, IOV_BASE_OFFSET, address);
        iov.set(LONG, IOV_LEN_OFFSET, len);
        message.set(ValueLayout.JAVA_INT, MSG_NAMELEN_OFFSET, destLength);
        do {
          r = LinuxSockets.sendmsg(state, fd, message, 0);
        } while (r == -EINTR);
      } else {
        do {
          r = LinuxSockets.sendto(state, fd, address, len, 0, destination, destLength);
        } while (r == -EINTR);
      }
      return r < 0 ? (int) r : 0;
    } finally {
      lock.unlock();
    }
  }

  @Override
  int setReceiveBufferSize(int bytes) {
    if (!lockOpen()) {
      return -EBADF;
    }
    try {
      return setBuffer(SO_RCVBUF, SO_RCVBUFFORCE, bytes);
    } finally {
      lock.unlock();
    }
  }

  @Override
  int setMulticastTtl(int ttl) {
    if (!lockOpen()) {
      return -EBADF;
    }
    try {
      return ipv6 ? rawSetInt(IPPROTO_IPV6, IPV6_MULTICAST_HOPS, ttl) : rawSetInt(IPPROTO_IP, IP_MULTICAST_TTL, ttl);
    } finally {
      lock.unlock();
    }
  }

  @Override
  int joinGroup(InetAddress group, int ifindex) {
    if (!lockOpen()) {
      return -EBADF;
    }
    try {
      byte[] g = group.getAddress();
      option.fill((byte) 0);
      if (ipv6) {
        // struct ipv6_mreq { struct in6_addr ipv6mr_multiaddr; unsigned int ipv6mr_interface; }
        MemorySegment.copy(g, 0, option, ValueLayout.JAVA_BYTE, 0, 16);
        option.set(INT, 16, ifindex);
        return LinuxSockets.setsockopt(state, fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, option, 20);
      }
      // struct ip_mreqn { imr_multiaddr; imr_address; int imr_ifindex; }: the kernel takes the index when the
      // option is this long (ip(7)), so the membership names the NIC, not an address the NIC might lose
      MemorySegment.copy(g, 0, option, ValueLayout.JAVA_BYTE, 0, 4);
      option.set(INT, 8, ifindex);
      return LinuxSockets.setsockopt(state, fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, option, 12);
    } finally {
      lock.unlock();
    }
  }

  @Override
  void closeSocket() {
    lastBuffer = null;
    LinuxSockets.close(state, fd);
    arena.close();
  }

  @Override
  public String toString() {
    return "native fd " + fd + " " + local;
  }
}
