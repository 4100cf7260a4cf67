package io.meshwire.nic;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A snapshot of the host's interface addresses, refreshed on demand or periodically, with listeners told of NICs
 * added, removed or changed (epics-rs {@code IfaceMap}, pvxs {@code IfMapDaemon}).
 *
 * <p>Queries read the latest snapshot without locking; entries are ordered by interface index, then IPv4 before
 * IPv6, then by address. Refreshes are serialized, and listeners are called after the new
 * snapshot is in place. Interfaces without any address are not in the map: a socket set has nothing to bind on
 * them.
 *
 * <p>{@link #close()} stops the periodic refresher; queries keep answering from the last snapshot.
 */
public final class InterfaceMap implements AutoCloseable {

  /** The periodic refresh period used by {@link #startPeriodicRefresh()}: 15 s, like pvxs. */
  public static final Duration DEFAULT_REFRESH_PERIOD = Duration.ofSeconds(15);

  private static final Logger LOG = LoggerFactory.getLogger(InterfaceMap.class);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
  private static final Comparator<NetworkInterfaceInfo> ENTRY_ORDER =
      Comparator.comparingInt(NetworkInterfaceInfo::index)
          .thenComparing(NetworkInterfaceInfo::isIpv6)
          .thenComparing(NetworkInterfaceInfo::address, InterfaceMap::compareAddresses);

  private final InterfaceEnumerator enumerator;
  private final LongSupplier nanoClock;
  private final Object refreshLock = new Object();
  private final List<InterfaceListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Snapshot snapshot;
  private ScheduledExecutorService refresher; // guarded by this
  private volatile Thread refresherThread;

  private record Snapshot(List<NetworkInterfaceInfo> entries, long takenNanos) {}

  /**
   * Enumerates the host's interfaces with {@link InterfaceEnumerator#system()}. No periodic refresh runs until
   * {@link #startPeriodicRefresh()}.
   *
   * @return the map holding the first snapshot
   * @throws IOException if the interfaces cannot be enumerated
   */
  public static InterfaceMap create() throws IOException {
    return create(InterfaceEnumerator.system());
  }

  /**
   * Enumerates once with the given enumerator (a fake in tests).
   *
   * @param enumerator where the entries come from
   * @return the map holding the first snapshot
   * @throws NullPointerException if {@code enumerator} is null
   * @throws IOException if the first enumeration fails
   */
  public static InterfaceMap create(InterfaceEnumerator enumerator) throws IOException {
    return new InterfaceMap(enumerator, System::nanoTime);
  }

  InterfaceMap(InterfaceEnumerator enumerator, LongSupplier nanoClock) throws IOException {
    this.enumerator = Objects.requireNonNull(enumerator, "enumerator must not be null");
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock must not be null");
    this.snapshot = new Snapshot(enumerateSorted(), nanoClock.getAsLong());
  }

  /** Every entry, loopback and down interfaces included. */
  public List<NetworkInterfaceInfo> all() {
    return snapshot.entries();
  }

  /** The entries of interfaces that are up and not loopback: the fan-out set. */
  public List<NetworkInterfaceInfo> upNonLoopback() {
    return all().stream().filter(NetworkInterfaceInfo::upNonLoopback).toList();
  }

  /** The IPv4 entries only. */
  public List<NetworkInterfaceInfo> ipv4() {
    return all().stream().filter(NetworkInterfaceInfo::isIpv4).toList();
  }

  /** The snapshot grouped per NIC, in index order. */
  public List<Nic> nics() {
    return List.copyOf(InterfaceDiff.group(all()).values());
  }

  /**
   * The entries of one interface.
   *
   * @param index the kernel interface index
   * @return its entries, empty if no interface with an address has that index
   * @throws IllegalArgumentException if {@code index} is negative
   */
  public List<NetworkInterfaceInfo> byIndex(int index) {
    if (index < 0) {
      throw new IllegalArgumentException("index must be >= 0: " + index);
    }
    return all().stream().filter(e -> e.index() == index).toList();
  }

  /**
   * The entry holding an address.
   *
   * @param address the local address to look up (an IPv6 scope id is ignored)
   * @return the first entry with that address
   * @throws NullPointerException if {@code address} is null
   */
  public Optional<NetworkInterfaceInfo> byAddress(InetAddress address) {
    Objects.requireNonNull(address, "address must not be null");
    return all().stream().filter(e -> e.address().equals(address)).findFirst();
  }

  /**
   * Routes a destination among the interfaces that are up, with {@link NicRouting#pickNic} for IPv4 and
   * {@link NicRouting#pickNicV6} for IPv6.
   *
   * @param dest the destination
   * @return the chosen entry and the rule that chose it; empty when no up interface of that family exists
   * @throws NullPointerException if {@code dest} is null
   * @throws IllegalArgumentException if {@code dest} is IPv6 link-local without a scope id
   */
  public Optional<Route<NetworkInterfaceInfo>> route(InetAddress dest) {
    Objects.requireNonNull(dest, "dest must not be null");
    List<NetworkInterfaceInfo> up = all().stream().filter(NetworkInterfaceInfo::up).toList();
    return dest instanceof Inet4Address ? NicRouting.pickNic(dest, up) : NicRouting.pickNicV6(dest, up);
  }

  /** How old the current snapshot is. */
  public Duration age() {
    return Duration.ofNanos(nanoClock.getAsLong() - snapshot.takenNanos());
  }

  /**
   * Enumerates now, replaces the snapshot and tells the listeners what changed. On failure the old snapshot
   * stays.
   *
   * @return what changed
   * @throws IOException if the enumeration fails
   * @throws IllegalStateException if the map is closed
   */
  public InterfaceDiff refresh() throws IOException {
    synchronized (refreshLock) {
      ensureOpen();
      List<NetworkInterfaceInfo> entries = enumerateSorted();
      Snapshot old = snapshot;
      snapshot = new Snapshot(entries, nanoClock.getAsLong());
      InterfaceDiff diff = InterfaceDiff.between(old.entries(), entries);
      if (!diff.isEmpty()) {
        LOG.info("interfaces changed: added {}, removed {}, changed {}", diff.added(), diff.removed(),
            diff.changed().stream().map(c -> c.before() + " -> " + c.after()).toList());
        notifyListeners(diff);
      }
      return diff;
    }
  }

  /**
   * Refreshes only if the snapshot is older than {@code maxAge}.
   *
   * @param maxAge the largest acceptable age
   * @return the age the snapshot had before this call
   * @throws NullPointerException if {@code maxAge} is null
   * @throws IllegalArgumentException if {@code maxAge} is zero or negative
   * @throws IOException if a refresh was needed and failed
   * @throws IllegalStateException if the map is closed and a refresh was needed
   */
  public Duration refreshIfStale(Duration maxAge) throws IOException {
    requirePositive(maxAge, "maxAge");
    synchronized (refreshLock) {
      Duration age = age();
      if (age.compareTo(maxAge) > 0) {
        refresh();
      }
      return age;
    }
  }

  /**
   * Starts refreshing every {@link #DEFAULT_REFRESH_PERIOD} on a daemon thread.
   *
   * @throws IllegalStateException if periodic refresh already runs or the map is closed
   */
  public void startPeriodicRefresh() {
    startPeriodicRefresh(DEFAULT_REFRESH_PERIOD);
  }

  /**
   * Starts refreshing every {@code period} on a daemon thread. The first refresh comes one period from now (the
   * snapshot is fresh already). A failed refresh is logged and retried at the next tick.
   *
   * @param period time between the end of one refresh and the start of the next
   * @throws NullPointerException if {@code period} is null
   * @throws IllegalArgumentException if {@code period} is zero or negative
   * @throws IllegalStateException if periodic refresh already runs or the map is closed
   */
  public synchronized void startPeriodicRefresh(Duration period) {
    requirePositive(period, "period");
    ensureOpen();
    if (refresher != null) {
      throw new IllegalStateException("periodic refresh already started");
    }
    ThreadFactory daemons = Thread.ofPlatform().name("meshwire-ifmap-refresh").daemon(true).factory();
    refresher = Executors.newSingleThreadScheduledExecutor(r -> refresherThread = daemons.newThread(r));
    long nanos = period.toNanos();
    refresher.scheduleWithFixedDelay(this::periodicRefresh, nanos, nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Registers a listener for changes found by later refreshes.
   *
   * @param listener the listener
   * @throws NullPointerException if {@code listener} is null
   */
  public void addListener(InterfaceListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
  }

  /**
   * Unregisters a listener; unknown listeners are ignored.
   *
   * @param listener the listener
   * @return whether it was registered
   * @throws NullPointerException if {@code listener} is null
   */
  public boolean removeListener(InterfaceListener listener) {
    return listeners.remove(Objects.requireNonNull(listener, "listener must not be null"));
  }

  /** Stops the periodic refresher and waits briefly for a running refresh to end. Idempotent. */
  @Override
  public synchronized void close() {
    if (!closed.compareAndSet(false, true) || refresher == null) {
      return;
    }
    refresher.shutdownNow();
    if (Thread.currentThread() == refresherThread) {
      return; // closed from a listener on the refresher thread: it ends when this callback returns
    }
    try {
      if (!refresher.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("interface map refresher did not stop within {}", CLOSE_WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void periodicRefresh() {
    try {
      refresh();
    } catch (IOException e) {
      // A throw would cancel the schedule; a transient failure (interface flapping mid-enumeration) must not.
      LOG.warn("periodic interface refresh failed, keeping the previous snapshot: {}", e.toString());
    } catch (RuntimeException e) {
      if (!closed.get()) {
        LOG.warn("periodic interface refresh failed, keeping the previous snapshot", e);
      }
    }
  }

  private List<NetworkInterfaceInfo> enumerateSorted() throws IOException {
    List<NetworkInterfaceInfo> entries = enumerator.enumerate();
    Objects.requireNonNull(entries, "enumerator returned null");
    List<NetworkInterfaceInfo> sorted = new ArrayList<>(entries.size());
    for (NetworkInterfaceInfo e : entries) {
      sorted.add(Objects.requireNonNull(e, "enumerator returned a null entry"));
    }
    // The JDK lists a NIC's addresses in no documented order (newest IPv4 alias first on Linux); sort so that
    // snapshots, "first" in routing, and printed maps do not depend on it.
    sorted.sort(ENTRY_ORDER);
    return List.copyOf(sorted);
  }

  private static int compareAddresses(InetAddress a, InetAddress b) {
    return Arrays.compareUnsigned(a.getAddress(), b.getAddress());
  }

  private void notifyListeners(InterfaceDiff diff) {
    for (InterfaceListener l : listeners) {
      diff.removed().forEach(nic -> call(l, () -> l.onInterfaceRemoved(nic)));
      diff.added().forEach(nic -> call(l, () -> l.onInterfaceAdded(nic)));
      diff.changed().forEach(c -> call(l, () -> l.onInterfaceChanged(c.before(), c.after())));
    }
  }

  private static void call(InterfaceListener listener, Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      LOG.warn("interface listener {} failed", listener, e);
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("InterfaceMap is closed");
    }
  }

  private static void requirePositive(Duration d, String name) {
    Objects.requireNonNull(d, name + " must not be null");
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }
}
