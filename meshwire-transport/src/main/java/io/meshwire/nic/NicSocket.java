package io.meshwire.nic;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One socket of a {@link NicSocketSet}: which NIC entry it belongs to, what it is for, and where it is bound.
 * Owned by its set; it is closed when the set closes or when its NIC goes away.
 */
public final class NicSocket {

  // receive counters: written by whoever runs the receive rounds, one thread at a time (plain read + release store)
  static final int RECEIVED = 0;
  static final int RECEIVED_BYTES = 1;
  static final int KERNEL_DROPS = 2;
  static final int TRUNCATED = 3;
  static final int RECEIVE_ERRORS = 4;
  private static final int RECEIVE_COUNTERS = 5;

  private final int id;
  private final SocketRole role;
  private final SocketHandle handle;
  private final InetSocketAddress localAddress;
  private volatile NetworkInterfaceInfo nic;
  private volatile boolean open = true;
  private final AtomicLongArray receive = new AtomicLongArray(RECEIVE_COUNTERS);
  /** Sends by {@link SendResult} ordinal; any thread. */
  private final AtomicLongArray sends = new AtomicLongArray(SendResult.count());
  private final AtomicLongArray sentBytes = new AtomicLongArray(1);
  /** Last drop total read (SO_MEMINFO's sk_drops): the kernel keeps a running u32 total per socket. */
  private long lastDropTotal = -1;

  NicSocket(int id, NetworkInterfaceInfo nic, SocketRole role, SocketHandle handle) {
    this.id = id;
    this.nic = Objects.requireNonNull(nic);
    this.role = Objects.requireNonNull(role);
    this.handle = Objects.requireNonNull(handle);
    this.localAddress = handle.localAddress();
  }

  /**
   * The NIC entry this socket belongs to, as of the latest interface refresh. For a
   * {@link SocketRole#BROADCAST_RX} socket it is the NIC's unicast entry, not the broadcast address it is bound
   * to. For the {@link SocketRole#WILDCARD_RX} socket it is a placeholder entry named {@code *} with index 0 and
   * the wildcard address: that socket belongs to no single NIC (a datagram's {@link NicDatagram#ifindex()} says
   * which one it came in on).
   */
  public NetworkInterfaceInfo nic() {
    return nic;
  }

  /** What the socket is for. */
  public SocketRole role() {
    return role;
  }

  /** The bound address and port. */
  public InetSocketAddress localAddress() {
    return localAddress;
  }

  /** The NIC's kernel index, 0 for the wildcard socket. */
  public int ifindex() {
    return nic.index();
  }

  /** Whether the socket is still open (false once its NIC was removed or the set closed). */
  public boolean isOpen() {
    return open;
  }

  /** Role, NIC and bound address, e.g. {@code UNICAST eth0#2 10.1.0.5:5064}. */
  @Override
  public String toString() {
    return role + " " + nic.name() + "#" + nic.index() + " " + localAddress.getAddress().getHostAddress() + ":"
        + localAddress.getPort() + (open ? "" : " closed");
  }

  // ------------------------------------------------------------------------------------------- package API

  int id() {
    return id;
  }

  SocketHandle handle() {
    return handle;
  }

  void updateNic(NetworkInterfaceInfo info) {
    this.nic = info;
  }

  /** Marks the socket closed for senders and routing; the OS socket is closed by the owner. */
  void markClosed() {
    open = false;
  }

  SendResult send(ByteBuffer data, InetSocketAddress dest, boolean viaInterface) {
    if (!open) {
      sends.getAndIncrement(SendResult.NIC_CLOSED.ordinal());
      return SendResult.NIC_CLOSED;
    }
    int r = handle.send(data, dest, viaInterface);
    SendResult result = r == 0 ? SendResult.SENT : SendResult.fromErrno(r);
    sends.getAndIncrement(result.ordinal());
    if (r == 0) {
      sentBytes.getAndAdd(0, data.remaining());
    }
    return result;
  }

  void addReceive(int counter, long delta) {
    receive.setRelease(counter, receive.getPlain(counter) + delta);
  }

  /**
   * Folds in the kernel's running drop total (u32, wraps; -1 when unknown, which changes nothing); returns the
   * socket's drop count after it.
   */
  long recordDropTotal(long total) {
    long last = lastDropTotal;
    if (total >= 0 && total != last) {
      long delta = last < 0 ? total : (total - last) & 0xFFFF_FFFFL;
      addReceive(KERNEL_DROPS, delta);
      lastDropTotal = total;
    }
    return receive.getPlain(KERNEL_DROPS);
  }

  NicSocketStats stats() {
    Map<SendResult, Long> errors = new EnumMap<>(SendResult.class);
    for (int i = 0; i < SendResult.count(); i++) {
      long v = sends.get(i);
      if (i != SendResult.SENT.ordinal() && v != 0) {
        errors.put(SendResult.of(i), v);
      }
    }
    return new NicSocketStats(this, receive.getAcquire(RECEIVED), receive.getAcquire(RECEIVED_BYTES),
        receive.getAcquire(KERNEL_DROPS), receive.getAcquire(TRUNCATED), receive.getAcquire(RECEIVE_ERRORS),
        sends.get(SendResult.SENT.ordinal()), sentBytes.get(0), errors);
  }
}
