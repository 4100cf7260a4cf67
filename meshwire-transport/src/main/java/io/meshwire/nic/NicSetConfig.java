package io.meshwire.nic;

import io.meshwire.transport.EndpointConfig.BackendPreference;
import io.meshwire.transport.EndpointConfig.ReceiveMode;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Validated, immutable configuration of a {@link NicSocketSet}. Build one with {@link #builder()}; every bind
 * variant of the reference design is a combination of these fields:
 * <ul>
 *   <li>one socket per NIC address, loopback included, on a port: the defaults plus {@link Builder#port};
 *   <li>skip loopback: {@link Builder#includeLoopback includeLoopback(false)};
 *   <li>a single NIC by IP: {@link Builder#onlyAddress};
 *   <li>from a caller's map or list: {@link Builder#interfaceMap} or {@link Builder#interfaces};
 *   <li>the same ephemeral port on every NIC: port 0 with {@link Builder#sameEphemeralPort}.
 * </ul>
 *
 * @param family {@link StandardProtocolFamily#INET} or {@link StandardProtocolFamily#INET6}: the set binds the
 *     addresses of that family only
 * @param port the port to bind on every NIC; 0 for ephemeral ports
 * @param sameEphemeralPort with port 0: every socket gets the same kernel-chosen port (chosen on a non-loopback
 *     NIC, the whole set retried with a fresh port on a collision, up to {@code samePortAttempts} times); without
 *     it each NIC socket gets its own ephemeral port
 * @param includeLoopback bind the loopback NIC too
 * @param onlyAddress bind only the NIC entry holding this address (a single-NIC set); {@code null} for all
 * @param interfaceMap the caller's interface map to bind from (and to follow); {@code null} for the set's own
 * @param interfaces a fixed list of entries to bind instead of a map; {@code null} for a map
 * @param broadcastRx IPv4: one receive-only socket per NIC on its subnet broadcast address
 * @param wildcardRx one receive-only socket on the wildcard address (limited broadcast, multicast groups); needs a
 *     fixed port, shared through {@code SO_REUSEADDR}
 * @param broadcast {@code SO_BROADCAST} on the sending sockets
 * @param multicastTtl {@code IP_MULTICAST_TTL} / {@code IPV6_MULTICAST_HOPS} on the sending sockets, 0..255
 * @param receiveBufferSize {@code SO_RCVBUF} requested for every socket
 * @param sendBufferSize {@code SO_SNDBUF} requested for every sending socket
 * @param maxDatagramSize largest datagram received whole; a larger one is dropped and counted as truncated
 * @param receiveBatchSize datagrams per receive batch (and per {@code recvmmsg} at most)
 * @param queueDepth {@link ReceiveMode#DEDICATED_THREAD}: batches the receive thread may queue ahead of the
 *     consumer before it parks; unused {@link ReceiveMode#INLINE}
 * @param backend native (epoll + recvmmsg through FFM), NIO (a Selector), or AUTO
 * @param receiveMode who waits on the sockets and reads them: the consumer's own {@code receive}/{@code poll}
 *     calls ({@link ReceiveMode#INLINE}, the default) or a receive thread of the set
 *     ({@link ReceiveMode#DEDICATED_THREAD}); see {@link NicSocketSet}
 * @param followInterfaces open sockets for NICs that appear and close those of NICs that go, as the map's
 *     refreshes find them
 * @param refreshPeriod with {@code followInterfaces} and the set's own map: how often to refresh it; {@code null}
 *     for {@link InterfaceMap#DEFAULT_REFRESH_PERIOD}. Must be null with a caller's map (the caller refreshes it)
 * @param samePortAttempts how many fresh ports the same-port bind tries before settling for the best set, 1..64
 * @param listener told of sockets opened or closed while following; {@code null} for none
 */
public record NicSetConfig(
    StandardProtocolFamily family,
    int port,
    boolean sameEphemeralPort,
    boolean includeLoopback,
    InetAddress onlyAddress,
    InterfaceMap interfaceMap,
    List<NetworkInterfaceInfo> interfaces,
    boolean broadcastRx,
    boolean wildcardRx,
    boolean broadcast,
    int multicastTtl,
    int receiveBufferSize,
    int sendBufferSize,
    int maxDatagramSize,
    int receiveBatchSize,
    int queueDepth,
    BackendPreference backend,
    ReceiveMode receiveMode,
    boolean followInterfaces,
    Duration refreshPeriod,
    int samePortAttempts,
    NicSetListener listener) {

  /** Default {@code SO_RCVBUF} request per socket: 4 MiB. */
  public static final int DEFAULT_RECEIVE_BUFFER_SIZE = 4 << 20;
  /** Default {@code SO_SNDBUF} request per sending socket: 1 MiB. */
  public static final int DEFAULT_SEND_BUFFER_SIZE = 1 << 20;
  /** Default largest received datagram. */
  public static final int DEFAULT_MAX_DATAGRAM_SIZE = 8192;
  /** Default datagrams per receive batch. */
  public static final int DEFAULT_RECEIVE_BATCH_SIZE = 64;
  /** Default queue depth in batches. */
  public static final int DEFAULT_QUEUE_DEPTH = 64;
  /** Default fresh-port attempts of the same-port bind (epics-rs {@code BUNDLE_ATTEMPTS}). */
  public static final int DEFAULT_SAME_PORT_ATTEMPTS = 8;

  /**
   * Validates every field.
   *
   * @throws NullPointerException if {@code family}, {@code backend} or {@code receiveMode} is null
   * @throws IllegalArgumentException if a value is out of range or fields contradict each other; the message
   *     names the field and the fix
   */
  public NicSetConfig {
    Objects.requireNonNull(family, "family must not be null");
    Objects.requireNonNull(backend, "backend must not be null");
    Objects.requireNonNull(receiveMode, "receiveMode must not be null");
    if (family != StandardProtocolFamily.INET && family != StandardProtocolFamily.INET6) {
      throw new IllegalArgumentException("family must be INET or INET6, not " + family);
    }
    requireRange("port", port, 0, 65535);
    requireRange("multicastTtl", multicastTtl, 0, 255);
    requireRange("receiveBufferSize", receiveBufferSize, 1024, Integer.MAX_VALUE);
    requireRange("sendBufferSize", sendBufferSize, 1024, Integer.MAX_VALUE);
    requireRange("maxDatagramSize", maxDatagramSize, 1, 65535);
    requireRange("receiveBatchSize", receiveBatchSize, 1, 1024);
    requireRange("queueDepth", queueDepth, 1, 1 << 16);
    requireRange("samePortAttempts", samePortAttempts, 1, 64);
    if (sameEphemeralPort && port != 0) {
      throw new IllegalArgumentException("sameEphemeralPort applies to port 0 only: a fixed port (" + port
          + ") is already the same on every NIC; drop sameEphemeralPort or set port 0");
    }
    if (wildcardRx && port == 0) {
      throw new IllegalArgumentException("wildcardRx needs a fixed port: the wildcard socket shares the set's "
          + "port through SO_REUSEADDR, which is never used for ephemeral ports; set port(P) or drop wildcardRx");
    }
    if (interfaceMap != null && interfaces != null) {
      throw new IllegalArgumentException("interfaceMap and interfaces are alternatives: give one or neither");
    }
    if (interfaces != null) {
      interfaces = List.copyOf(interfaces);
    }
    if (onlyAddress != null) {
      boolean v6 = onlyAddress instanceof Inet6Address;
      if (v6 != (family == StandardProtocolFamily.INET6)) {
        throw new IllegalArgumentException("onlyAddress " + onlyAddress.getHostAddress() + " is "
            + (v6 ? "IPv6" : "IPv4") + " but family is " + family + "; set family("
            + (v6 ? "INET6" : "INET") + ") or give an address of the set's family");
      }
      if (onlyAddress.isAnyLocalAddress()) {
        throw new IllegalArgumentException("onlyAddress must be a NIC address, not the wildcard "
            + onlyAddress.getHostAddress() + "; use wildcardRx for a wildcard socket");
      }
    }
    if (followInterfaces && interfaces != null) {
      throw new IllegalArgumentException("followInterfaces needs an interface map: a fixed interfaces list never "
          + "changes; pass interfaceMap(map) instead of interfaces(list), or drop followInterfaces");
    }
    if (refreshPeriod != null) {
      if (!followInterfaces) {
        throw new IllegalArgumentException("refreshPeriod is used only with followInterfaces(true)");
      }
      if (interfaceMap != null) {
        throw new IllegalArgumentException("refreshPeriod must be unset with a caller's interfaceMap: the caller "
            + "refreshes its map (map.startPeriodicRefresh(period) or map.refresh())");
      }
      if (refreshPeriod.isNegative() || refreshPeriod.isZero()) {
        throw new IllegalArgumentException("refreshPeriod must be positive: " + refreshPeriod);
      }
    }
  }

  private static void requireRange(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "]: " + value);
    }
  }

  /** Whether the set is IPv6. */
  public boolean ipv6() {
    return family == StandardProtocolFamily.INET6;
  }

  /** Whether an address belongs to this set's family. */
  boolean sameFamily(InetAddress address) {
    return ipv6() ? address instanceof Inet6Address : address instanceof Inet4Address;
  }

  /**
   * A builder with the defaults: IPv4, port 0, loopback included, broadcast-RX sockets, AUTO backend, INLINE
   * receive.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder prefilled with this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.family = family;
    b.port = port;
    b.sameEphemeralPort = sameEphemeralPort;
    b.includeLoopback = includeLoopback;
    b.onlyAddress = onlyAddress;
    b.interfaceMap = interfaceMap;
    b.interfaces = interfaces;
    b.broadcastRx = broadcastRx;
    b.wildcardRx = wildcardRx;
    b.broadcast = broadcast;
    b.multicastTtl = multicastTtl;
    b.receiveBufferSize = receiveBufferSize;
    b.sendBufferSize = sendBufferSize;
    b.maxDatagramSize = maxDatagramSize;
    b.receiveBatchSize = receiveBatchSize;
    b.queueDepth = queueDepth;
    b.backend = backend;
    b.receiveMode = receiveMode;
    b.followInterfaces = followInterfaces;
    b.refreshPeriod = refreshPeriod;
    b.samePortAttempts = samePortAttempts;
    b.listener = listener;
    return b;
  }

  /** Fluent builder; {@link #build()} validates and returns the immutable configuration. */
  public static final class Builder {
    private StandardProtocolFamily family = StandardProtocolFamily.INET;
    private int port;
    private boolean sameEphemeralPort;
    private boolean includeLoopback = true;
    private InetAddress onlyAddress;
    private InterfaceMap interfaceMap;
    private List<NetworkInterfaceInfo> interfaces;
    private boolean broadcastRx = true;
    private boolean wildcardRx;
    private boolean broadcast = true;
    private int multicastTtl = 1;
    private int receiveBufferSize = DEFAULT_RECEIVE_BUFFER_SIZE;
    private int sendBufferSize = DEFAULT_SEND_BUFFER_SIZE;
    private int maxDatagramSize = DEFAULT_MAX_DATAGRAM_SIZE;
    private int receiveBatchSize = DEFAULT_RECEIVE_BATCH_SIZE;
    private int queueDepth = DEFAULT_QUEUE_DEPTH;
    private BackendPreference backend = BackendPreference.AUTO;
    private ReceiveMode receiveMode = ReceiveMode.INLINE;
    private boolean followInterfaces;
    private Duration refreshPeriod;
    private int samePortAttempts = DEFAULT_SAME_PORT_ATTEMPTS;
    private NicSetListener listener;

    private Builder() {}

    /** Address family (default INET). */
    public Builder family(StandardProtocolFamily v) {
      this.family = v;
      return this;
    }

    /** Port on every NIC; 0 (default) for ephemeral. */
    public Builder port(int v) {
      this.port = v;
      return this;
    }

    /** With port 0: the same ephemeral port on every NIC (default off). */
    public Builder sameEphemeralPort(boolean v) {
      this.sameEphemeralPort = v;
      return this;
    }

    /** Bind the loopback NIC too (default on). */
    public Builder includeLoopback(boolean v) {
      this.includeLoopback = v;
      return this;
    }

    /** Bind only the NIC entry with this address. */
    public Builder onlyAddress(InetAddress v) {
      this.onlyAddress = v;
      return this;
    }

    /** Bind from (and follow) the caller's map. */
    public Builder interfaceMap(InterfaceMap v) {
      this.interfaceMap = v;
      return this;
    }

    /** Bind exactly these entries (a fixed list; no following). */
    public Builder interfaces(List<NetworkInterfaceInfo> v) {
      this.interfaces = v;
      return this;
    }

    /** IPv4 receive-only sockets on each NIC's subnet broadcast address (default on). */
    public Builder broadcastRx(boolean v) {
      this.broadcastRx = v;
      return this;
    }

    /** A receive-only wildcard socket on the set's port (default off; needs a fixed port). */
    public Builder wildcardRx(boolean v) {
      this.wildcardRx = v;
      return this;
    }

    /** {@code SO_BROADCAST} on the sending sockets (default on). */
    public Builder broadcast(boolean v) {
      this.broadcast = v;
      return this;
    }

    /** Multicast TTL / hop limit (default 1: the local link). */
    public Builder multicastTtl(int v) {
      this.multicastTtl = v;
      return this;
    }

    /** {@code SO_RCVBUF} per socket (default 4 MiB). */
    public Builder receiveBufferSize(int v) {
      this.receiveBufferSize = v;
      return this;
    }

    /** {@code SO_SNDBUF} per sending socket (default 1 MiB). */
    public Builder sendBufferSize(int v) {
      this.sendBufferSize = v;
      return this;
    }

    /** Largest datagram received whole (default 8192). */
    public Builder maxDatagramSize(int v) {
      this.maxDatagramSize = v;
      return this;
    }

    /** Datagrams per receive batch (default 64). */
    public Builder receiveBatchSize(int v) {
      this.receiveBatchSize = v;
      return this;
    }

    /** {@link ReceiveMode#DEDICATED_THREAD}: batches queued ahead of the consumer (default 64). */
    public Builder queueDepth(int v) {
      this.queueDepth = v;
      return this;
    }

    /** Backend choice (default AUTO). */
    public Builder backend(BackendPreference v) {
      this.backend = v;
      return this;
    }

    /**
     * Who reads the sockets: the consumer's {@code receive}/{@code poll} calls ({@link ReceiveMode#INLINE},
     * default) or a receive thread of the set ({@link ReceiveMode#DEDICATED_THREAD}).
     */
    public Builder receiveMode(ReceiveMode v) {
      this.receiveMode = v;
      return this;
    }

    /** Follow the interface map's changes (default off). */
    public Builder followInterfaces(boolean v) {
      this.followInterfaces = v;
      return this;
    }

    /** Refresh period of the set's own map while following (default 15 s). */
    public Builder refreshPeriod(Duration v) {
      this.refreshPeriod = v;
      return this;
    }

    /** Fresh-port attempts of the same-port bind (default 8). */
    public Builder samePortAttempts(int v) {
      this.samePortAttempts = v;
      return this;
    }

    /** The listener told of sockets opened or closed while following. */
    public Builder listener(NicSetListener v) {
      this.listener = v;
      return this;
    }

    /** Validates and returns the configuration. */
    public NicSetConfig build() {
      return new NicSetConfig(family, port, sameEphemeralPort, includeLoopback, onlyAddress, interfaceMap,
          interfaces, broadcastRx, wildcardRx, broadcast, multicastTtl, receiveBufferSize, sendBufferSize,
          maxDatagramSize, receiveBatchSize, queueDepth, backend, receiveMode, followInterfaces, refreshPeriod,
          samePortAttempts, listener);
    }
  }
}
