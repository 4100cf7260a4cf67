package io.meshwire.nic;

import io.meshwire.transport.Payload;
import io.meshwire.transport.linux.AddressCache;
import io.meshwire.transport.linux.LinuxSockets;
import io.meshwire.transport.linux.SockAddr;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A received datagram as a {@link NicDatagramHandler} sees it: a view of {@link #length()} bytes at
 * {@link #offset()} in {@link #memory()}, plus where it came from and where it arrived. Nothing is copied and
 * nothing is allocated per datagram: the set passes the same view object for every datagram, valid only during
 * the handler call.
 *
 * <p>With the native backend {@link #destination()} and {@link #ifindex()} are the kernel's
 * ({@code IP_PKTINFO} / {@code IPV6_PKTINFO}: the header's destination address and the interface it came in
 * on). The NIO backend cannot read them; it reports the receiving socket's bound address and NIC instead
 * ({@link #hasPacketInfo()} is false), as the reference design does.
 */
public final class NicDatagram implements Payload {
  private final AddressCache cache;
  private final boolean ipv6;
  private NicRecvBatch batch;
  private int index;

  NicDatagram(AddressCache cache, boolean ipv6) {
    this.cache = cache;
    this.ipv6 = ipv6;
  }

  NicDatagram point(NicRecvBatch b, int i) {
    this.batch = b;
    this.index = i;
    return this;
  }

  @Override
  public MemorySegment memory() {
    return batch.data;
  }

  @Override
  public int offset() {
    return batch.packetOffset[index];
  }

  @Override
  public int length() {
    return batch.packetLength[index];
  }

  /**
   * A buffer over the batch memory whose position..limit is exactly the payload. The same buffer object is
   * returned for every datagram of a batch: do not keep it past the handler call.
   */
  public ByteBuffer buffer() {
    int off = offset();
    return batch.consumerBuffer.limit(off + length()).position(off);
  }

  /** Source address; decoded addresses are cached, so a steady set of peers costs no allocation. */
  public InetSocketAddress source() {
    int message = batch.packetMessage[index];
    if (batch.nioSources != null) {
      return batch.nioSources[message];
    }
    return cache.source(batch.names, (long) message * LinuxSockets.SOCKADDR_STORAGE_LENGTH);
  }

  /** Source port, read without allocating. */
  public int sourcePort() {
    int message = batch.packetMessage[index];
    if (batch.nioSources != null) {
      return batch.nioSources[message].getPort();
    }
    return SockAddr.port(batch.names, (long) message * LinuxSockets.SOCKADDR_STORAGE_LENGTH);
  }

  /**
   * The destination address of the datagram: the IP header's, from PKTINFO (a unicast address, a subnet
   * broadcast, {@code 255.255.255.255}, or a multicast group); without PKTINFO, the receiving socket's bound
   * address. Cached like {@link #source()}.
   */
  public InetAddress destination() {
    int at = batch.packetDestination[index];
    if (at >= 0) {
      return cache.address(batch.control, at, ipv6);
    }
    return socket().localAddress().getAddress();
  }

  /** The index of the interface the datagram came in on (PKTINFO), or the receiving socket's NIC index. */
  public int ifindex() {
    return batch.packetIfindex[index];
  }

  /** Whether {@link #destination()} and {@link #ifindex()} came from the kernel (native backend). */
  public boolean hasPacketInfo() {
    return batch.packetDestination[index] >= 0;
  }

  /** The socket that received it: its role and NIC. */
  public NicSocket socket() {
    return batch.packetSocket[index];
  }

  /**
   * The receiving socket's kernel drop count as of the read that returned this datagram: the datagrams that
   * socket lost for lack of buffer space so far (the kernel's {@code sk_drops}, which {@code SO_RXQ_OVFL} also
   * reports, read with {@code SO_MEMINFO} once per read rather than as a control message per datagram). 0 with
   * the NIO backend.
   */
  public long kernelDrops() {
    return batch.packetDrops[index];
  }

  @Override
  public String toString() {
    return "NicDatagram[" + length() + " bytes, " + socket() + "]";
  }
}
