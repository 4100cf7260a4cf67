package io.meshwire.nic;

import io.meshwire.transport.Backend;
import io.meshwire.transport.EndpointConfig.BackendPreference;
import io.meshwire.transport.EndpointConfig.ReceiveMode;
import io.meshwire.transport.NativeSupport;
import io.meshwire.transport.TransportClosedException;
import io.meshwire.transport.linux.AddressCache;
import io.meshwire.transport.linux.LinuxEpoll;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One UDP socket per NIC address (the EPICS {@code AsyncUdpV4} design): a socket bound to each NIC's address so
 * that traffic leaves through that NIC, receive-only sockets on each subnet broadcast address and optionally on
 * the wildcard address, all waited on together, with routed, per-NIC and fan-out sends.
 *
 * <h2>Binding</h2>
 * See {@link NicSetConfig} for the variants and {@link #open} for the failure rules: a NIC that cannot bind is
 * left out with a warning, and opening fails only when none could.
 *
 * <h2>Sending</h2>
 * {@link #send} routes with {@link NicRouting#pickNic} (or {@code pickNicV6}) over the bound sockets of up NICs
 * and lets the kernel route from that NIC's address. {@link #sendVia} and {@link #fanout} force the output NIC
 * ({@code IP_PKTINFO}'s ifindex, native backend), so a reply leaves through the NIC its request came in on even
 * when the routing table would pick another. Receive-only sockets never send. A per-destination failure is a
 * {@link SendResult}, counted per socket, never an exception; sends allocate nothing in the steady state (routes
 * are cached per destination, fan-out results are reused per thread). Sends may come from any thread.
 *
 * <h2>Receiving</h2>
 * One wait covers every socket (epoll through FFM, or a NIO Selector when native access is unavailable); the
 * ready sockets are read in batches ({@code recvmmsg}), one read per ready socket per round so a flooded NIC
 * cannot starve the others. A consumer takes the datagrams with {@link #receive} or {@link #poll}; each
 * {@link NicDatagram} carries the source, the real destination address and ifindex
 * ({@code IP_PKTINFO}/{@code IPV6_PKTINFO}), the receiving socket and its kernel drop count ({@code sk_drops}, as
 * {@code SO_RXQ_OVFL} reports it, read once per read with {@code SO_MEMINFO}).
 *
 * <p>Who waits and reads is {@link NicSetConfig#receiveMode()}. {@link ReceiveMode#INLINE} (the default): the
 * consumer's {@code receive}/{@code poll} call runs the round itself ({@code epoll_wait} with the caller's
 * timeout, then {@code recvmmsg} on the ready sockets into the set's one batch, which it then hands out): no
 * receive thread and no hand-off. Nothing is read while nobody calls, so the kernel socket buffers are the only
 * queue. {@link ReceiveMode#DEDICATED_THREAD}: a receive thread of the set runs the rounds and hands whole batches
 * over a bounded queue of {@link NicSetConfig#queueDepth()}; when the consumer falls behind, the thread parks and
 * the kernel buffers take the backpressure. Use it when the consumer does long work between calls and the sockets
 * must keep being drained meanwhile.
 *
 * <p>Receive calls are for one consumer at a time, in both modes: a call while another thread is inside
 * {@code receive} or {@code poll} of the same set, or from inside a handler, throws
 * {@link IllegalStateException}. Successive calls may come from different threads.
 *
 * <h2>Following the interface map</h2>
 * With {@link NicSetConfig#followInterfaces()}, every refresh of the map that changes something makes the set
 * open sockets for new NIC addresses and close those of removed ones, then tell its {@link NicSetListener}s. A
 * removed socket's OS socket is closed at once (INLINE, no consumer inside a receive call), or as soon as the
 * round that could still be reading it ends (the receive thread's, or the inline consumer's, which is woken for
 * it): never later than one round, also when nobody receives.
 *
 * <p>{@link #close()} is idempotent, bounded in time and never deadlocks, also from a listener or a handler; a
 * consumer blocked in {@link #receive} (in its own wait INLINE) returns promptly with a
 * {@link TransportClosedException}.
 */
public final class NicSocketSet implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NicSocketSet.class);
  private static final long JOIN_MILLIS = 5_000;
  private static final long CLOSE_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
  private static final int ROUTE_SLOTS = 64;
  private static final VarHandle CONSUMER;

  static {
    try {
      CONSUMER = MethodHandles.lookup().findVarHandle(NicSocketSet.class, "consumer", Thread.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final NicSetConfig config;
  private final InterfaceMap map;
  private final boolean ownsMap;
  private final InterfaceListener mapListener;
  private final Backend backend;
  private final NicBinder binder;
  private final NicPoller poller;
  private final boolean inline;
  /** DEDICATED_THREAD only, else null. */
  private final BatchQueue queue;
  private final Arena batchArena;
  /** DEDICATED_THREAD only, else null. */
  private final Thread receiveThread;
  private final String name;
  private final int port;
  private final Object bindLock = new Object();
  private final List<NicSetListener> listeners = new CopyOnWriteArrayList<>();
  private final ThreadLocal<FanoutResult> fanoutResults = ThreadLocal.withInitial(FanoutResult::new);
  private final AtomicLong noNicSends = new AtomicLong();
  private final RouteEntry[] routes = new RouteEntry[ROUTE_SLOTS];

  /** Every open socket; replaced as a whole (copy on write) under {@link #bindLock}. */
  private volatile NicSocket[] sockets;
  /** The sending sockets, a subset of {@link #sockets}. */
  private volatile NicSocket[] unicast;
  private volatile int generation;
  private volatile int receiveBufferSize;
  private volatile int multicastTtl;

  // consumer side
  /** The thread inside receive/poll, or null: the single-consumer guard. */
  private volatile Thread consumer;
  private final AddressCache cache = new AddressCache();
  private final NicDatagram view;
  /** The batch being handed out: a queued one, or INLINE the poller's own. */
  private NicRecvBatch current;
  /** INLINE: the last round filled the batch, so more is probably waiting in the kernel. */
  private boolean lastRoundFull;
  /** INLINE: waiting failed; receiving is over. */
  private volatile Throwable inlineFailure;

  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean closing;

  private record RouteEntry(InetAddress dest, NicSocket socket, int generation) {}

  private NicSocketSet(NicSetConfig config, InterfaceMap map, boolean ownsMap, Backend backend, NicBinder binder,
      NicBinder.Bound bound) throws IOException {
    this.config = config;
    this.map = map;
    this.ownsMap = ownsMap;
    this.backend = backend;
    this.binder = binder;
    this.port = bound.port();
    this.receiveBufferSize = config.receiveBufferSize();
    this.multicastTtl = config.multicastTtl();
    this.name = "NicSocketSet[" + (port != 0 ? "port " + port : "ephemeral ports") + "]";
    this.view = new NicDatagram(cache, config.ipv6());
    this.inline = config.receiveMode() == ReceiveMode.INLINE;
    this.batchArena = Arena.ofShared();
    boolean ok = false;
    NicPoller p = null;
    BatchQueue q = null;
    try {
      int slot = config.maxDatagramSize();
      NicPoller[] holder = new NicPoller[1];
      // batches are allocated lazily: INLINE the poller's one, on the first round; else the queue's, as needed
      Supplier<NicRecvBatch> allocator = () -> holder[0].newBatch(batchArena, config.receiveBatchSize(), slot);
      q = inline ? null : new BatchQueue(config.queueDepth(), allocator);
      p = backend == Backend.NATIVE ? new EpollPoller(q, allocator, name, config.ipv6())
          : new SelectorPoller(q, allocator, name);
      holder[0] = p;
      for (NicSocket s : bound.sockets()) {
        p.register(s);
      }
      ok = true;
    } finally {
      if (!ok) {
        if (p != null) {
          p.closeResources();
        }
        NicBinder.closeAll(bound.sockets());
        batchArena.close();
      }
    }
    this.poller = p;
    this.queue = q;
    publish(bound.sockets());
    if (config.listener() != null) {
      listeners.add(config.listener());
    }
    if (inline) {
      this.receiveThread = null;
    } else {
      this.receiveThread = Thread.ofPlatform().daemon().name("meshwire-nicset-recv-" + (port != 0 ? port : "eph"))
          .unstarted(poller::run);
      queue.producer(receiveThread);
      receiveThread.start();
    }
    if (config.followInterfaces() && map != null) {
      mapListener = new InterfaceListener() {
        @Override
        public void onInterfaceAdded(Nic nic) {
          reconcile();
        }

        @Override
        public void onInterfaceRemoved(Nic nic) {
          reconcile();
        }

        @Override
        public void onInterfaceChanged(Nic before, Nic after) {
          reconcile();
        }
      };
      map.addListener(mapListener);
      if (ownsMap) {
        map.startPeriodicRefresh(Objects.requireNonNullElse(config.refreshPeriod(),
            InterfaceMap.DEFAULT_REFRESH_PERIOD));
      }
    } else {
      mapListener = null;
    }
  }

  /**
   * Opens a set: picks the entries (from the caller's list or map, or a new map of this host), binds its sockets
   * and, {@link ReceiveMode#DEDICATED_THREAD}, starts the receive thread.
   *
   * @param config the configuration
   * @return the open set
   * @throws NullPointerException if {@code config} is null
   * @throws java.net.BindException if no NIC could bind (the message names every NIC's reason), or the entry of
   *     {@link NicSetConfig#onlyAddress()} does not exist
   * @throws IOException if the interfaces cannot be enumerated, or the native backend was required and is
   *     unavailable
   */
  public static NicSocketSet open(NicSetConfig config) throws IOException {
    return open(config, NicBinder.NO_HOOK);
  }

  static NicSocketSet open(NicSetConfig config, NicBinder.BindHook hook) throws IOException {
    Objects.requireNonNull(config, "config must not be null");
    Backend backend = chooseBackend(config.backend());
    InterfaceMap map = config.interfaceMap();
    boolean ownsMap = false;
    List<NetworkInterfaceInfo> all;
    if (config.interfaces() != null) {
      all = config.interfaces();
    } else {
      if (map == null) {
        map = InterfaceMap.create();
        ownsMap = true;
      }
      all = map.all();
    }
    AtomicInteger ids = new AtomicInteger();
    NicBinder.Opener opener = backend == Backend.NATIVE ? NativeSocketHandle::open : NioSocketHandle::open;
    NicBinder binder = new NicBinder(config, opener, hook, ids::getAndIncrement);
    try {
      NicBinder.Bound bound = binder.bindAll(NicBinder.select(config, all), all.toString());
      return new NicSocketSet(config, map, ownsMap, backend, binder, bound);
    } catch (IOException | RuntimeException e) {
      if (ownsMap) {
        map.close();
      }
      throw e;
    }
  }

  private static Backend chooseBackend(BackendPreference preference) throws IOException {
    boolean nativeOk = NativeSupport.isAvailable() && LinuxEpoll.isSupported();
    return switch (preference) {
      case NIO -> Backend.NIO;
      case NATIVE -> {
        if (!nativeOk) {
          throw new IOException("native backend requested but unavailable: " + NativeSupport.reason()
              + "; use backend AUTO or NIO");
        }
        yield Backend.NATIVE;
      }
      case AUTO -> {
        if (!nativeOk) {
          LOG.info("NIC socket set: using the NIO backend (no PKTINFO, no drop counts); {}", NativeSupport.reason());
        }
        yield nativeOk ? Backend.NATIVE : Backend.NIO;
      }
    };
  }

  // ------------------------------------------------------------------------------------------- accessors

  /** The configuration this set was opened with. */
  public NicSetConfig config() {
    return config;
  }

  /** The receive backend in use. */
  public Backend backend() {
    return backend;
  }

  /**
   * The port every socket of the set shares: the configured port, or the chosen one with
   * {@link NicSetConfig#sameEphemeralPort()}; 0 when each socket got its own ephemeral port.
   */
  public int port() {
    return port;
  }

  /** The open sockets: unicast ones first, then broadcast-RX, then wildcard; each in interface order. */
  public List<NicSocket> sockets() {
    return List.of(sockets);
  }

  /**
   * Registers a listener for sockets opened or closed while following the interface map.
   *
   * @param listener the listener
   * @throws NullPointerException if {@code listener} is null
   */
  public void addListener(NicSetListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
  }

  /**
   * Unregisters a listener.
   *
   * @param listener the listener
   * @return whether it was registered
   * @throws NullPointerException if {@code listener} is null
   */
  public boolean removeListener(NicSetListener listener) {
    return listeners.remove(Objects.requireNonNull(listener, "listener must not be null"));
  }

  // ------------------------------------------------------------------------------------------- routing, send

  /**
   * The socket {@link #send} would use for {@code dest}, and the rule that chose it.
   *
   * @param dest the destination address
   * @return the route; empty when the set has no sending socket of that family
   * @throws NullPointerException if {@code dest} is null
   * @throws IllegalArgumentException if {@code dest} is of the other family, or IPv6 link-local without a scope
   */
  public Optional<Route<NicSocket>> route(InetAddress dest) {
    Objects.requireNonNull(dest, "dest must not be null");
    requireFamily(dest, "dest");
    List<NicSocket> candidates = new ArrayList<>();
    for (NicSocket s : unicast) {
      if (s.nic().up()) {
        candidates.add(s);
      }
    }
    if (candidates.isEmpty()) {
      candidates.addAll(Arrays.asList(unicast));
    }
    return config.ipv6() ? NicRouting.pickNicV6(dest, candidates, NicSocket::nic)
        : NicRouting.pickNic(dest, candidates, NicSocket::nic);
  }

  private NicSocket routeCached(InetAddress dest) {
    int slot = dest.hashCode() & (ROUTE_SLOTS - 1);
    RouteEntry e = routes[slot];
    int gen = generation;
    if (e != null && e.generation == gen && e.dest.equals(dest) && e.socket.isOpen()) {
      return e.socket;
    }
    NicSocket s = route(dest).map(Route::nic).orElse(null);
    if (s != null) {
      routes[slot] = new RouteEntry(dest, s, gen);
    }
    return s;
  }

  /**
   * Sends one datagram through the NIC that {@link NicRouting} picks for {@code dest} (see {@link #route}). For
   * {@code 255.255.255.255} and multicast use {@link #fanout}: routing picks a single NIC for them.
   *
   * @param data the payload: its remaining bytes; the position is not moved
   * @param dest the destination
   * @return {@link SendResult#SENT} or why not
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code dest} is unresolved, has port 0, is of the other family (the
   *     message names the fix) or IPv6 link-local without a scope id, or {@code data} is larger than UDP allows
   * @throws TransportClosedException if the set is closed
   */
  public SendResult send(ByteBuffer data, InetSocketAddress dest) throws TransportClosedException {
    checkSend(data, dest);
    NicSocket s = routeCached(dest.getAddress());
    if (s == null) {
      noNicSends.incrementAndGet();
      return SendResult.NO_NIC;
    }
    return s.send(data, dest, false);
  }

  /**
   * Sends one datagram through the NIC that has {@code nicAddress}, whatever the routing table says: the way to
   * reply through the NIC a request came in on.
   *
   * @param data the payload: its remaining bytes; the position is not moved
   * @param dest the destination
   * @param nicAddress the address of the NIC to send through (a unicast socket of this set)
   * @return {@link SendResult#SENT}, {@link SendResult#NO_NIC} when no sending socket has that address, or why
   *     the send failed
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException as for {@link #send}, or if {@code nicAddress} is of the other family
   * @throws TransportClosedException if the set is closed
   */
  public SendResult sendVia(ByteBuffer data, InetSocketAddress dest, InetAddress nicAddress)
      throws TransportClosedException {
    Objects.requireNonNull(nicAddress, "nicAddress must not be null");
    checkSend(data, dest);
    requireFamily(nicAddress, "nicAddress");
    for (NicSocket s : unicast) {
      if (NicBinder.sameAddress(s.nic().address(), nicAddress)) {
        return s.send(data, dest, true);
      }
    }
    noNicSends.incrementAndGet();
    return SendResult.NO_NIC;
  }

  /**
   * Sends one datagram through the NIC with kernel index {@code ifindex} (its first address), e.g. the
   * {@link NicDatagram#ifindex()} of the request being answered.
   *
   * @param data the payload: its remaining bytes; the position is not moved
   * @param dest the destination
   * @param ifindex the NIC's kernel interface index, at least 1
   * @return {@link SendResult#SENT}, {@link SendResult#NO_NIC} when the set has no sending socket on that NIC,
   *     or why the send failed
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException as for {@link #send}, or if {@code ifindex} is below 1
   * @throws TransportClosedException if the set is closed
   */
  public SendResult sendVia(ByteBuffer data, InetSocketAddress dest, int ifindex) throws TransportClosedException {
    checkSend(data, dest);
    if (ifindex < 1) {
      throw new IllegalArgumentException("ifindex must be a kernel interface index (>= 1): " + ifindex);
    }
    for (NicSocket s : unicast) {
      if (s.ifindex() == ifindex) {
        return s.send(data, dest, true);
      }
    }
    noNicSends.incrementAndGet();
    return SendResult.NO_NIC;
  }

  /**
   * Sends the same datagram through every up, non-loopback NIC: for limited broadcast ({@code 255.255.255.255}),
   * multicast, and searches that must reach every link. When {@code dest} is the subnet broadcast address of some
   * NICs, only those send it (another NIC would send it onto a subnet it is not on). Each copy leaves through its
   * own NIC (forced output device), with the multicast TTL of {@link #setMulticastTtl}.
   *
   * @param data the payload: its remaining bytes; the position is not moved
   * @param dest the destination
   * @return the per-NIC results, reused by this thread's next fan-out on this set (see {@link FanoutResult})
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException as for {@link #send}, except that a link-local IPv6 destination needs no
   *     scope id here (each NIC supplies its own)
   * @throws TransportClosedException if the set is closed
   */
  public FanoutResult fanout(ByteBuffer data, InetSocketAddress dest) throws TransportClosedException {
    checkSendBasics(data, dest);
    FanoutResult r = fanoutResults.get();
    r.clear();
    InetAddress to = dest.getAddress();
    boolean subnetBroadcast = false;
    NicSocket[] all = unicast;
    for (NicSocket s : all) {
      if (s.nic().broadcast().isPresent() && s.nic().broadcast().get().equals(to)) {
        subnetBroadcast = true;
        break;
      }
    }
    for (NicSocket s : all) {
      NetworkInterfaceInfo nic = s.nic();
      if (!nic.up() || nic.loopback()) {
        continue;
      }
      if (subnetBroadcast && !(nic.broadcast().isPresent() && nic.broadcast().get().equals(to))) {
        continue;
      }
      r.add(s, s.send(data, dest, true));
    }
    return r;
  }

  private void checkSend(ByteBuffer data, InetSocketAddress dest) throws TransportClosedException {
    checkSendBasics(data, dest);
    if (dest.getAddress() instanceof Inet6Address v6 && (v6.isLinkLocalAddress() || v6.isMCLinkLocal())
        && v6.getScopeId() == 0 && v6.getScopedInterface() == null) {
      throw new IllegalArgumentException("dest " + dest + " is link-local and needs a scope id naming the NIC "
          + "(e.g. [" + v6.getHostAddress() + "%2]:" + dest.getPort() + "), or use sendVia(data, dest, ifindex)");
    }
  }

  private void checkSendBasics(ByteBuffer data, InetSocketAddress dest) throws TransportClosedException {
    Objects.requireNonNull(data, "data must not be null");
    Objects.requireNonNull(dest, "dest must not be null");
    if (dest.isUnresolved()) {
      throw new IllegalArgumentException("dest must be resolved: " + dest);
    }
    if (dest.getPort() == 0) {
      throw new IllegalArgumentException("dest port must not be 0: " + dest);
    }
    requireFamily(dest.getAddress(), "dest");
    int max = config.ipv6() ? 65527 : 65507;
    if (data.remaining() > max) {
      throw new IllegalArgumentException("data of " + data.remaining() + " bytes exceeds the UDP maximum of " + max
          + " bytes for " + (config.ipv6() ? "IPv6" : "IPv4"));
    }
    if (closing) {
      throw new TransportClosedException(name + " is closed");
    }
  }

  private void requireFamily(InetAddress address, String what) {
    if (!config.sameFamily(address)) {
      boolean v6 = address instanceof Inet6Address;
      throw new IllegalArgumentException(what + " " + address.getHostAddress() + " is " + (v6 ? "IPv6" : "IPv4")
          + " but this socket set is " + (config.ipv6() ? "IPv6" : "IPv4") + ": open a set with "
          + "NicSetConfig.builder().family(StandardProtocolFamily." + (v6 ? "INET6" : "INET") + ") to reach it");
    }
  }

  // ------------------------------------------------------------------------------------------- socket options

  /**
   * Sets {@code SO_RCVBUF} on every socket, and on sockets opened later.
   *
   * @param bytes the size to request, at least 1024 (the kernel may cap it by {@code net.core.rmem_max})
   * @return how many sockets accepted it
   * @throws IllegalArgumentException if {@code bytes} is below 1024
   * @throws IOException if no socket accepted it
   */
  public int setReceiveBufferSize(int bytes) throws IOException {
    if (bytes < 1024) {
      throw new IllegalArgumentException("bytes must be at least 1024: " + bytes);
    }
    receiveBufferSize = bytes;
    return applyAll(sockets, s -> s.handle().setReceiveBufferSize(bytes), "SO_RCVBUF=" + bytes);
  }

  /**
   * Sets the multicast TTL (IPv6: hop limit) on every sending socket, and on sockets opened later.
   *
   * @param ttl 0..255
   * @return how many sockets accepted it
   * @throws IllegalArgumentException if {@code ttl} is out of range
   * @throws IOException if no socket accepted it
   */
  public int setMulticastTtl(int ttl) throws IOException {
    if (ttl < 0 || ttl > 255) {
      throw new IllegalArgumentException("ttl must be in [0, 255]: " + ttl);
    }
    multicastTtl = ttl;
    return applyAll(unicast, s -> s.handle().setMulticastTtl(ttl), "multicast TTL " + ttl);
  }

  private int applyAll(NicSocket[] targets, java.util.function.ToIntFunction<NicSocket> op, String what)
      throws IOException {
    int ok = 0;
    Map<String, String> failures = new LinkedHashMap<>();
    for (NicSocket s : targets) {
      int r = op.applyAsInt(s);
      if (r >= 0) {
        ok++;
      } else {
        failures.put(s.toString(), io.meshwire.transport.linux.LinuxSockets.errnoName(r));
      }
    }
    if (ok == 0 && targets.length > 0) {
      throw new IOException(what + " failed on every socket: " + NicBinder.describe(failures));
    }
    if (!failures.isEmpty()) {
      LOG.warn("{}: {} failed on {}", name, what, NicBinder.describe(failures));
    }
    return ok;
  }

  /**
   * Joins a multicast group on every up, non-loopback, multicast-capable NIC of the set. Group traffic is
   * received by the {@link SocketRole#WILDCARD_RX} socket (a socket bound to a NIC's unicast address never sees
   * datagrams addressed to a group); {@link NicDatagram#ifindex()} tells the NIC each came in on.
   *
   * @param group a multicast address of the set's family
   * @return how many NICs joined
   * @throws NullPointerException if {@code group} is null
   * @throws IllegalArgumentException if {@code group} is not multicast or of the other family
   * @throws IllegalStateException if the set has no wildcard socket (the message names the fix)
   * @throws IOException if no NIC could join
   */
  public int joinGroup(InetAddress group) throws IOException {
    NicSocket wildcard = requireGroupSocket(group);
    Map<String, String> failures = new LinkedHashMap<>();
    int joined = 0;
    List<Integer> done = new ArrayList<>();
    for (NicSocket s : unicast) {
      NetworkInterfaceInfo nic = s.nic();
      if (!nic.up() || nic.loopback() || !nic.multicast() || done.contains(nic.index())) {
        continue;
      }
      done.add(nic.index());
      int r = wildcard.handle().joinGroup(group, nic.index());
      if (r == 0) {
        joined++;
      } else {
        failures.put(NicBinder.label(nic), io.meshwire.transport.linux.LinuxSockets.errnoName(r));
      }
    }
    if (joined == 0) {
      throw new IOException("joining " + group.getHostAddress() + " failed: "
          + (failures.isEmpty() ? "the set has no up, non-loopback, multicast NIC" : NicBinder.describe(failures)));
    }
    if (!failures.isEmpty()) {
      LOG.warn("{}: joining {} failed on {}", name, group.getHostAddress(), NicBinder.describe(failures));
    }
    return joined;
  }

  /**
   * Joins a multicast group on one NIC of the set.
   *
   * @param group a multicast address of the set's family
   * @param ifindex the NIC's kernel index; the set must have a socket on it
   * @throws NullPointerException if {@code group} is null
   * @throws IllegalArgumentException if {@code group} is not multicast or of the other family, or the set has no
   *     NIC with index {@code ifindex}
   * @throws IllegalStateException if the set has no wildcard socket
   * @throws IOException if the kernel refused
   */
  public void joinGroup(InetAddress group, int ifindex) throws IOException {
    NicSocket wildcard = requireGroupSocket(group);
    boolean known = Arrays.stream(unicast).anyMatch(s -> s.ifindex() == ifindex);
    if (!known) {
      throw new IllegalArgumentException("ifindex " + ifindex + " is not a NIC of this set; its NICs are "
          + Arrays.stream(unicast).map(s -> s.nic().name() + "#" + s.ifindex()).distinct().toList());
    }
    int r = wildcard.handle().joinGroup(group, ifindex);
    if (r != 0) {
      throw new IOException("joining " + group.getHostAddress() + " on ifindex " + ifindex + " failed: "
          + io.meshwire.transport.linux.LinuxSockets.errnoName(r));
    }
  }

  private NicSocket requireGroupSocket(InetAddress group) throws TransportClosedException {
    Objects.requireNonNull(group, "group must not be null");
    requireFamily(group, "group");
    if (!group.isMulticastAddress()) {
      throw new IllegalArgumentException("group must be a multicast address: " + group.getHostAddress());
    }
    if (closing) {
      throw new TransportClosedException(name + " is closed");
    }
    for (NicSocket s : sockets) {
      if (s.role() == SocketRole.WILDCARD_RX) {
        return s;
      }
    }
    throw new IllegalStateException("joinGroup needs the set's wildcard socket, which receives group traffic: open "
        + "the set with wildcardRx(true) and a fixed port");
  }

  // ------------------------------------------------------------------------------------------- receive

  /**
   * Hands up to {@code limit} datagrams to {@code handler}, waiting up to {@code timeout} for the first one.
   * {@link ReceiveMode#INLINE}: this call waits on the sockets and reads them itself.
   *
   * @param handler called once per datagram, on this thread; the view is valid during the call only
   * @param limit the most datagrams to hand out, at least 1
   * @param timeout how long to wait for the first; zero does not wait
   * @return how many were handed out; 0 when none arrived in time
   * @throws NullPointerException if {@code handler} or {@code timeout} is null
   * @throws IllegalArgumentException if {@code limit} is below 1 or {@code timeout} is negative
   * @throws IllegalStateException if another thread is inside {@code receive} or {@code poll} of this set, or the
   *     call comes from inside a handler (one consumer at a time)
   * @throws TransportClosedException if the set is closed, or receiving ended (the wait failed; the exception
   *     carries the cause) and everything read before was handed out
   */
  public int receive(NicDatagramHandler handler, int limit, Duration timeout) throws TransportClosedException {
    Objects.requireNonNull(timeout, "timeout must not be null");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative: " + timeout);
    }
    long nanos = timeout.toNanos();
    long deadline = 0;
    if (nanos != 0) {
      deadline = System.nanoTime() + nanos;
      if (deadline == 0 || deadline == -1) {
        deadline = 1; // 0 and -1 mean "do not wait" and "wait without limit" below
      }
    }
    return drain(handler, limit, deadline);
  }

  /**
   * Hands up to {@code limit} waiting datagrams to {@code handler} without waiting. {@link ReceiveMode#INLINE}:
   * this call reads what the sockets hold.
   *
   * @param handler called once per datagram, on this thread; the view is valid during the call only
   * @param limit the most datagrams to hand out, at least 1
   * @return how many were handed out (0 when none was waiting)
   * @throws NullPointerException if {@code handler} is null
   * @throws IllegalArgumentException if {@code limit} is below 1
   * @throws IllegalStateException as for {@link #receive}
   * @throws TransportClosedException as for {@link #receive}
   */
  public int poll(NicDatagramHandler handler, int limit) throws TransportClosedException {
    return drain(handler, limit, 0);
  }

  /** {@code firstDeadline}: 0 = do not wait, -1 = wait without limit, else a {@link System#nanoTime()} deadline. */
  private int drain(NicDatagramHandler handler, int limit, long firstDeadline) throws TransportClosedException {
    Objects.requireNonNull(handler, "handler must not be null");
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1: " + limit);
    }
    if (closing) {
      throw closedException();
    }
    enter();
    try {
      return drainBatches(handler, limit, firstDeadline);
    } finally {
      consumer = null;
    }
  }

  /** The single-consumer guard: one CAS per call, which also orders successive consumers' plain state. */
  private void enter() {
    Thread me = Thread.currentThread();
    while (!CONSUMER.compareAndSet(this, (Thread) null, me)) {
      Thread other = (Thread) CONSUMER.getVolatile(this);
      if (other == me) {
        throw new IllegalStateException(name + ": receive and poll must not be called from inside a handler");
      }
      if (other != null) {
        throw new IllegalStateException(name + ": thread " + other.getName() + " is inside receive or poll; a set "
            + "has one consumer at a time: receive on one thread and hand the datagrams on from there");
      }
    }
  }

  private TransportClosedException closedException() {
    return new TransportClosedException(name + " is closed");
  }

  /**
   * Hands out batch after batch until {@code limit}: INLINE a round on this thread refills the poller's batch,
   * DEDICATED_THREAD the next queued batch replaces the used one. After the first datagram it waits no more, and
   * a close then ends the call with what was handed out (the next call throws).
   */
  private int drainBatches(NicDatagramHandler handler, int limit, long firstDeadline)
      throws TransportClosedException {
    int n = 0;
    while (n < limit) {
      NicRecvBatch b = current;
      if (b == null || b.cursor >= b.packetCount) {
        if (n > 0) {
          // inline: a round that did not fill the batch emptied every ready socket; another would most likely
          // find nothing and cost a syscall
          if (inline && !lastRoundFull) {
            break;
          }
          try {
            b = nextBatch(0);
          } catch (TransportClosedException e) {
            break; // report what was handed out; the next call throws
          }
        } else {
          b = nextBatch(firstDeadline);
        }
        if (b == null) {
          break;
        }
      }
      n += handOut(b, handler, limit - n);
    }
    NicRecvBatch b = current;
    if (!inline && b != null && b.cursor >= b.packetCount && !closing) {
      current = null;
      queue.recycle(b);
    }
    return n;
  }

  /** The next batch holding datagrams, made {@link #current}; null when none came by {@code deadline}. */
  private NicRecvBatch nextBatch(long deadline) throws TransportClosedException {
    if (inline) {
      return readInline(deadline);
    }
    NicRecvBatch used = current;
    if (used != null) {
      current = null;
      queue.recycle(used);
    }
    NicRecvBatch b = queue.take(deadline, name);
    current = b;
    return b;
  }

  /**
   * INLINE: runs rounds on this thread until one read a datagram or the deadline passed (as in {@link #drain}).
   *
   * @return the poller's batch holding the datagrams read, or null when none arrived in time
   */
  private NicRecvBatch readInline(long deadline) throws TransportClosedException {
    while (true) {
      Throwable failure = inlineFailure;
      if (failure != null) {
        throw new TransportClosedException(failure.getMessage(), failure);
      }
      long timeout = deadline <= 0 ? deadline : Math.max(0, deadline - System.nanoTime());
      NicRecvBatch b;
      try {
        b = poller.roundInline(timeout);
      } catch (IOException e) {
        if (!closing) {
          inlineFailure = e;
          LOG.error("{}: receiving ended: {}", name, e.getMessage());
        }
        continue; // reported above, or closed below
      }
      if (b == null || closing) {
        throw closedException();
      }
      current = b;
      lastRoundFull = b.full();
      if (b.packetCount > 0) {
        return b;
      }
      if (deadline == 0 || deadline > 0 && deadline - System.nanoTime() <= 0) {
        return null;
      }
    }
  }

  /** Hands the batch's next datagrams (up to {@code max}) to the handler; returns how many. */
  private int handOut(NicRecvBatch b, NicDatagramHandler handler, int max) throws TransportClosedException {
    int start = b.cursor;
    int end = Math.min(b.packetCount, start + max);
    while (b.cursor < end) {
      int i = b.cursor++;
      handler.onDatagram(view.point(b, i));
      if (closing) {
        // closed from the handler: the batch memory is gone
        current = null;
        throw closedException();
      }
    }
    return end - start;
  }

  // ------------------------------------------------------------------------------------------- stats

  /** A snapshot of the counters, per open socket. */
  public NicSetStats stats() {
    List<NicSocketStats> list = new ArrayList<>();
    for (NicSocket s : sockets()) {
      list.add(s.stats());
    }
    return new NicSetStats(backend, list, queue == null ? 0 : queue.queueFullEvents(),
        queue == null ? 0 : queue.bufferWaits(), poller.wakeups(), noNicSends.get());
  }

  // ------------------------------------------------------------------------------------------- following

  /** Interface order: role, then NIC index, then address (as the map orders entries). */
  private static final java.util.Comparator<NicSocket> ORDER = java.util.Comparator
      .comparing(NicSocket::role)
      .thenComparingInt(NicSocket::ifindex)
      .thenComparing((NicSocket s) -> s.nic().address().getAddress(), Arrays::compareUnsigned);

  private void publish(List<NicSocket> all) {
    NicSocket[] a = all.toArray(NicSocket[]::new);
    Arrays.sort(a, ORDER);
    sockets = a;
    unicast = Arrays.stream(a).filter(s -> s.role() == SocketRole.UNICAST).toArray(NicSocket[]::new);
    generation++;
  }

  /** Brings the sockets in line with the map's current snapshot; called on the refreshing thread. */
  private void reconcile() {
    List<NicSocket> added = new ArrayList<>();
    List<NicSocket> removed = new ArrayList<>();
    synchronized (bindLock) {
      if (closing) {
        return;
      }
      List<NetworkInterfaceInfo> wanted = NicBinder.select(config, map.all());
      Map<String, NetworkInterfaceInfo> wantedByKey = new LinkedHashMap<>();
      for (NetworkInterfaceInfo e : wanted) {
        wantedByKey.put(key(e), e);
      }
      List<NicSocket> keep = new ArrayList<>();
      Map<String, NicSocket> unicastByKey = new HashMap<>();
      for (NicSocket s : sockets) {
        if (s.role() == SocketRole.WILDCARD_RX) {
          keep.add(s);
          continue;
        }
        NetworkInterfaceInfo now = wantedByKey.get(key(s.nic()));
        boolean stays = now != null && (s.role() == SocketRole.UNICAST
            || binder.broadcastOf(now).filter(b -> b.equals(s.localAddress().getAddress())).isPresent());
        if (stays) {
          s.updateNic(now);
          keep.add(s);
          if (s.role() == SocketRole.UNICAST) {
            unicastByKey.put(key(now), s);
          }
        } else {
          removed.add(s);
        }
      }
      Map<String, String> failures = new LinkedHashMap<>();
      java.util.Set<InetAddress> broadcasts = new java.util.HashSet<>();
      keep.stream().filter(s -> s.role() == SocketRole.BROADCAST_RX)
          .forEach(s -> broadcasts.add(s.localAddress().getAddress()));
      boolean reuse = config.port() != 0;
      for (NetworkInterfaceInfo e : wanted) {
        NicSocket u = unicastByKey.get(key(e));
        if (u == null) {
          try {
            u = binder.open(e, SocketRole.UNICAST, NicBinder.bindAddress(e), port, reuse, receiveBufferSize,
                multicastTtl);
            poller.register(u);
            added.add(u);
            keep.add(u);
          } catch (IOException ex) {
            failures.put(NicBinder.label(e), ex.getMessage());
            if (u != null) {
              u.markClosed();
              u.handle().close();
            }
            continue;
          }
        }
        java.util.Optional<java.net.Inet4Address> brd = binder.broadcastOf(e);
        if (brd.isPresent() && broadcasts.add(brd.get())) {
          NicSocket b = null;
          try {
            b = binder.open(e, SocketRole.BROADCAST_RX, brd.get(), u.localAddress().getPort(), reuse,
                receiveBufferSize, multicastTtl);
            poller.register(b);
            added.add(b);
            keep.add(b);
          } catch (IOException ex) {
            failures.put(NicBinder.label(e) + " " + SocketRole.BROADCAST_RX, ex.getMessage());
            if (b != null) {
              b.markClosed();
              b.handle().close();
            }
          }
        }
      }
      for (NicSocket s : removed) {
        poller.retire(s);
      }
      publish(keep);
      if (!failures.isEmpty()) {
        LOG.warn("{}: could not open sockets for {}", name, NicBinder.describe(failures));
      }
    }
    if (!removed.isEmpty() || !added.isEmpty()) {
      LOG.info("{}: interfaces changed: closed {}, opened {}", name, removed, added);
    }
    for (NicSetListener l : listeners) {
      if (!removed.isEmpty()) {
        call(l, () -> l.onSocketsRemoved(List.copyOf(removed)));
      }
      if (!added.isEmpty()) {
        call(l, () -> l.onSocketsAdded(List.copyOf(added)));
      }
    }
  }

  private static String key(NetworkInterfaceInfo e) {
    return e.index() + "/" + e.name() + "/" + e.address().getHostAddress().replaceAll("%.*$", "");
  }

  private static void call(NicSetListener listener, Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      LOG.warn("NIC set listener {} failed", listener, e);
    }
  }

  // ------------------------------------------------------------------------------------------- close

  /** True once {@link #close()} was called. */
  public boolean isClosed() {
    return closing;
  }

  /**
   * Stops following the map, stops receiving (the receive thread, or a consumer waiting inline, returns from its
   * wait), closes every socket and frees the buffers. Idempotent; bounded in time. A consumer blocked in
   * {@link #receive} gets a {@link TransportClosedException}.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closing = true;
    if (mapListener != null) {
      map.removeListener(mapListener);
    }
    if (ownsMap) {
      map.close();
    }
    // the sockets, the poller and the buffers are freed only once no round can be using them
    boolean quiet = inline ? stopInline() : stopReceiveThread();
    synchronized (bindLock) {
      for (NicSocket s : sockets) {
        s.markClosed();
        if (quiet) {
          s.handle().close();
        }
      }
    }
    if (quiet) {
      poller.closeResources();
      try {
        batchArena.close();
      } catch (IllegalStateException e) {
        // a handler still reading a batch on another thread: its memory is left to the GC with the arena
        LOG.debug("{}: batch memory still in use at close", name, e);
      }
    } else {
      LOG.error("{}: {} did not stop within {} ms; its sockets and buffers are left open", name,
          inline ? "the consumer's receive call" : "the receive thread", JOIN_MILLIS);
    }
  }

  /** DEDICATED_THREAD: stops the receive thread; whether it ended in time. */
  private boolean stopReceiveThread() {
    queue.close();
    poller.stop();
    if (Thread.currentThread() == receiveThread) {
      return true;
    }
    try {
      receiveThread.join(JOIN_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return !receiveThread.isAlive();
  }

  /**
   * INLINE: wakes a consumer waiting in its round (it then sees the set stopping and leaves) and waits for it to
   * leave the round; whether it did in time. Handlers run outside rounds, so closing from one does not wait.
   */
  private boolean stopInline() {
    poller.stop();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_MILLIS);
    while (poller.inRound() && System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(CLOSE_POLL_NANOS);
    }
    return !poller.inRound();
  }

  @Override
  public String toString() {
    return name + Arrays.stream(sockets).map(NicSocket::toString).collect(Collectors.joining(", ", "{", "}"))
        + (closing ? " closed" : "");
  }
}
