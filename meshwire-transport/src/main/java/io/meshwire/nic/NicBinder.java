package io.meshwire.nic;

import io.meshwire.transport.linux.LinuxSockets;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bind rules of a {@link NicSocketSet} (epics-rs {@code AsyncUdpV4} parity, with its newer {@code PortUse}):
 * which entries get sockets, on which port, with which reuse flags, and what a failure does.
 *
 * <ul>
 *   <li>Fixed port: every socket gets {@code SO_REUSEADDR} + {@code SO_REUSEPORT}, so processes can share the
 *       well-known port on each NIC (EPICS {@code epicsSocketEnableAddressUseForDatagramFanout}).
 *   <li>Port 0: never any reuse flag: a reusable ephemeral bind could land in a stranger's
 *       {@code SO_REUSEPORT} group and the kernel would split datagrams between the two.
 *   <li>Same ephemeral port: the port is chosen on a non-loopback NIC; a NIC that collides on it makes the whole
 *       set retry with a fresh port (failed sets stay open meanwhile so the kernel cannot hand the same number
 *       back); after the last attempt the set with most sockets wins and the NICs it lacks are named in a
 *       warning. It fails when non-loopback NICs exist and none could bind.
 *   <li>A NIC that cannot bind is left out with a warning; opening fails only when no NIC could bind, with each
 *       NIC's reason in the message.
 * </ul>
 */
final class NicBinder {
  private static final Logger LOG = LoggerFactory.getLogger(NicBinder.class);

  /** Called just before each bind: tests use it to take the address and port first (a real collision). */
  @FunctionalInterface
  interface BindHook {
    void beforeBind(NetworkInterfaceInfo nic, SocketRole role, InetSocketAddress address) throws IOException;
  }

  /** Opens one OS socket. */
  @FunctionalInterface
  interface Opener {
    SocketHandle open(SocketHandle.Spec spec) throws IOException;
  }

  static final BindHook NO_HOOK = (nic, role, address) -> {};

  /** What the initial bind produced: the sockets and the set's port (0 when each socket has its own). */
  record Bound(List<NicSocket> sockets, int port) {}

  private final NicSetConfig config;
  private final Opener opener;
  private final BindHook hook;
  private final IntSupplier ids;

  NicBinder(NicSetConfig config, Opener opener, BindHook hook, IntSupplier ids) {
    this.config = config;
    this.opener = opener;
    this.hook = hook;
    this.ids = ids;
  }

  // --------------------------------------------------------------------------------------------- selection

  /** The entries {@code config} binds, from a map snapshot or list: family, loopback, single-address filters. */
  static List<NetworkInterfaceInfo> select(NicSetConfig config, List<NetworkInterfaceInfo> all) {
    List<NetworkInterfaceInfo> out = new ArrayList<>();
    Set<InetAddress> seen = new HashSet<>();
    for (NetworkInterfaceInfo e : all) {
      if (!config.sameFamily(e.address())) {
        continue;
      }
      if (config.onlyAddress() != null) {
        if (!sameAddress(e.address(), config.onlyAddress())) {
          continue;
        }
      } else if (!config.includeLoopback() && e.loopback()) {
        continue;
      }
      if (seen.add(withoutScope(e.address()))) {
        out.add(e);
      }
    }
    return out;
  }

  /** Whether two addresses are the same, ignoring an IPv6 scope. */
  static boolean sameAddress(InetAddress a, InetAddress b) {
    return java.util.Arrays.equals(a.getAddress(), b.getAddress());
  }

  private static InetAddress withoutScope(InetAddress a) {
    try {
      return InetAddress.getByAddress(a.getAddress());
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** The address a socket of {@code e} binds: link-local IPv6 needs the NIC's index as scope id. */
  static InetAddress bindAddress(NetworkInterfaceInfo e) {
    if (e.address() instanceof Inet6Address v6 && (v6.isLinkLocalAddress() || v6.isMCLinkLocal())
        && e.index() > 0) {
      try {
        return Inet6Address.getByAddress(null, v6.getAddress(), e.index());
      } catch (UnknownHostException ex) {
        throw new AssertionError(ex);
      }
    }
    return e.address();
  }

  /** The broadcast-RX address of {@code e}, if the config wants one for it. */
  Optional<Inet4Address> broadcastOf(NetworkInterfaceInfo e) {
    if (!config.broadcastRx() || config.ipv6() || e.loopback()) {
      return Optional.empty();
    }
    return e.broadcast().filter(b -> !b.isAnyLocalAddress());
  }

  static String label(NetworkInterfaceInfo e) {
    return e.name() + "#" + e.index() + " " + e.address().getHostAddress();
  }

  // --------------------------------------------------------------------------------------------- binding

  /** Opens one socket of {@code role} for {@code e} at {@code address:port}. */
  NicSocket open(NetworkInterfaceInfo e, SocketRole role, InetAddress address, int port, boolean reuse,
      int receiveBufferSize, int multicastTtl) throws IOException {
    InetSocketAddress bind = new InetSocketAddress(address, port);
    hook.beforeBind(e, role, bind);
    SocketHandle.Spec spec = new SocketHandle.Spec(bind, config.ipv6(), reuse, role.sends(), config.broadcast(),
        multicastTtl, receiveBufferSize, config.sendBufferSize(), role.sends() ? e.index() : 0);
    return new NicSocket(ids.getAsInt(), e, role, opener.open(spec));
  }

  /** The initial bind of a set. */
  Bound bindAll(List<NetworkInterfaceInfo> entries, String available) throws IOException {
    if (entries.isEmpty()) {
      String what = config.onlyAddress() != null
          ? "no interface has address " + config.onlyAddress().getHostAddress()
          : "no " + (config.ipv6() ? "IPv6" : "IPv4") + " interface" + (config.includeLoopback() ? "" : " besides loopback");
      throw new BindException(what + " to bind; the interfaces are: " + available);
    }
    if (config.port() == 0 && config.sameEphemeralPort()) {
      return bindSamePort(entries);
    }
    boolean fixed = config.port() != 0;
    Map<String, String> failures = new LinkedHashMap<>();
    List<NicSocket> sockets = new ArrayList<>();
    Set<InetAddress> broadcasts = new HashSet<>();
    try {
      for (NetworkInterfaceInfo e : entries) {
        NicSocket unicast = tryOpen(e, SocketRole.UNICAST, bindAddress(e), config.port(), fixed, failures);
        if (unicast != null) {
          sockets.add(unicast);
          openBroadcast(e, unicast.localAddress().getPort(), fixed, broadcasts, sockets, failures);
        }
      }
      if (sockets.isEmpty()) {
        throw new BindException("no NIC could bind port " + config.port() + ": " + describe(failures));
      }
      if (config.wildcardRx()) {
        NicSocket w = tryOpen(wildcardEntry(config), SocketRole.WILDCARD_RX, wildcard(config), config.port(), true,
            failures);
        if (w != null) {
          sockets.add(w);
        }
      }
    } catch (IOException | RuntimeException ex) {
      closeAll(sockets);
      throw ex;
    }
    warnLeftOut(failures, config.port());
    return new Bound(sockets, fixed ? config.port() : 0);
  }

  /** Opens the broadcast-RX socket of {@code e} if it wants one; returns whether the bind collided. */
  private boolean openBroadcast(NetworkInterfaceInfo e, int port, boolean reuse, Set<InetAddress> taken,
      List<NicSocket> sockets, Map<String, String> failures) throws IOException {
    Optional<Inet4Address> brd = broadcastOf(e);
    // aliases on one subnet share the broadcast address: one RX socket serves them all
    if (brd.isEmpty() || !taken.add(brd.get())) {
      return false;
    }
    try {
      sockets.add(open(e, SocketRole.BROADCAST_RX, brd.get(), port, reuse, config.receiveBufferSize(),
          config.multicastTtl()));
      return false;
    } catch (BindException ex) {
      failures.put(label(e) + " " + SocketRole.BROADCAST_RX, ex.getMessage());
      taken.remove(brd.get());
      return inUse(ex);
    }
  }

  /** Opens, or records why not; only a bind failure is recorded, anything else (a bug, ENOMEM) propagates. */
  private NicSocket tryOpen(NetworkInterfaceInfo e, SocketRole role, InetAddress address, int port, boolean reuse,
      Map<String, String> failures) throws IOException {
    try {
      return open(e, role, address, port, reuse, config.receiveBufferSize(), config.multicastTtl());
    } catch (BindException ex) {
      failures.put(label(e) + (role == SocketRole.UNICAST ? "" : " " + role), ex.getMessage());
      return null;
    }
  }

  private Bound bindSamePort(List<NetworkInterfaceInfo> entries) throws IOException {
    List<NetworkInterfaceInfo> order = new ArrayList<>();
    entries.stream().filter(e -> !e.loopback()).forEach(order::add);
    entries.stream().filter(NetworkInterfaceInfo::loopback).forEach(order::add);
    boolean anyNonLoopback = entries.stream().anyMatch(e -> !e.loopback());
    List<List<NicSocket>> parked = new ArrayList<>();
    List<NicSocket> best = null;
    Map<String, String> bestFailures = null;
    int bestPort = 0;
    try {
      for (int attempt = 1; attempt <= config.samePortAttempts(); attempt++) {
        List<NicSocket> sockets = new ArrayList<>();
        Map<String, String> failures = new LinkedHashMap<>();
        Set<InetAddress> broadcasts = new HashSet<>();
        parked.add(sockets);
        int port = 0;
        boolean collided = false;
        for (NetworkInterfaceInfo e : order) {
          if (port == 0 && e.loopback() && anyNonLoopback) {
            // every non-loopback NIC failed to choose a port, for reasons a fresh port does not fix
            throw new BindException("same-port bind: none of the non-loopback NICs could bind an ephemeral port: "
                + describe(failures));
          }
          try {
            NicSocket s = open(e, SocketRole.UNICAST, bindAddress(e), port, false, config.receiveBufferSize(),
                config.multicastTtl());
            sockets.add(s);
            if (port == 0) {
              port = s.localAddress().getPort();
            }
          } catch (BindException ex) {
            failures.put(label(e), ex.getMessage());
            collided |= port != 0 && inUse(ex);
          }
        }
        for (NicSocket u : List.copyOf(sockets)) {
          collided |= openBroadcast(u.nic(), port, false, broadcasts, sockets, failures);
        }
        if (best == null || count(sockets) > count(best)) {
          best = sockets;
          bestFailures = failures;
          bestPort = port;
        }
        if (!collided) {
          best = sockets;
          bestFailures = failures;
          bestPort = port;
          break;
        }
        LOG.debug("same-port bind attempt {} on port {} collided: {}", attempt, port, failures);
      }
      List<NicSocket> chosen = best;
      if (anyNonLoopback && chosen.stream().noneMatch(s -> !s.nic().loopback())) {
        throw new BindException("same-port bind: " + order.stream().filter(e -> !e.loopback()).count()
            + " non-loopback NIC(s) present but none could bind port " + bestPort + ": " + describe(bestFailures));
      }
      for (List<NicSocket> p : parked) {
        if (p != chosen) {
          closeAll(p);
        }
      }
      parked.clear();
      warnLeftOut(bestFailures, bestPort);
      return new Bound(chosen, bestPort);
    } finally {
      for (List<NicSocket> p : parked) {
        closeAll(p);
      }
    }
  }

  private static int count(List<NicSocket> sockets) {
    return sockets.size();
  }

  private static boolean inUse(BindException ex) {
    return ex instanceof NicBindException n && n.errno == LinuxSockets.EADDRINUSE;
  }

  private static void warnLeftOut(Map<String, String> failures, int port) {
    if (!failures.isEmpty()) {
      LOG.warn("NIC socket set on port {}: left out {} — sending and fan-out through them is degraded",
          port, describe(failures));
    }
  }

  static String describe(Map<String, String> failures) {
    StringBuilder sb = new StringBuilder();
    failures.forEach((nic, why) -> sb.append(sb.isEmpty() ? "" : "; ").append(nic).append(": ").append(why));
    return sb.toString();
  }

  static void closeAll(List<NicSocket> sockets) {
    for (NicSocket s : sockets) {
      s.markClosed();
      s.handle().close();
    }
  }

  /** The wildcard address of the set's family. */
  static InetAddress wildcard(NicSetConfig config) {
    try {
      return InetAddress.getByAddress(new byte[config.ipv6() ? 16 : 4]);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** The placeholder entry of the wildcard socket: index 0, named {@code *}. */
  static NetworkInterfaceInfo wildcardEntry(NicSetConfig config) {
    return new NetworkInterfaceInfo(0, "*", wildcard(config), 0, Optional.empty(), true, false, true);
  }
}
