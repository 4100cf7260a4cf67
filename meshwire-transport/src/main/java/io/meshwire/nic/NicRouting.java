package io.meshwire.nic;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Picks the NIC a datagram to a destination should leave through, among a list of candidates. Pure functions:
 * a socket set passes its bound sockets with a function giving each socket's {@link NetworkInterfaceInfo}, and
 * gets back the socket. Candidates of the other address family are ignored; "first" means first in the list.
 *
 * <p>Limited broadcast ({@code 255.255.255.255}) and multicast should be fanned out over every NIC by the
 * caller; routing them here picks a single fallback NIC.
 */
public final class NicRouting {

  private NicRouting() {}

  /**
   * Routes an IPv4 destination among plain interface entries. See
   * {@link #pickNic(InetAddress, List, Function)}.
   *
   * @param dest the IPv4 destination
   * @param candidates the entries to choose from
   * @return the chosen entry and rule; empty when there is no IPv4 candidate
   */
  public static Optional<Route<NetworkInterfaceInfo>> pickNic(InetAddress dest,
      List<NetworkInterfaceInfo> candidates) {
    return pickNic(dest, candidates, Function.identity());
  }

  /**
   * Routes an IPv4 destination (epics-rs {@code pick_nic} parity). Rules, first match wins:
   * <ol>
   *   <li>{@link RouteReason#SUBNET}: a NIC whose subnet contains {@code dest} (prefix &gt; 0; longest prefix
   *       wins, ties go to the first);
   *   <li>{@link RouteReason#SUBNET_BROADCAST}: a NIC whose broadcast address is {@code dest};
   *   <li>{@link RouteReason#LOOPBACK}: {@code dest} in {@code 127/8} and a loopback NIC;
   *   <li>{@link RouteReason#DEFAULT_ROUTE}: a non-loopback NIC with prefix length 0;
   *   <li>{@link RouteReason#FIRST_NON_LOOPBACK}: the first non-loopback NIC;
   *   <li>{@link RouteReason#ANY}: the first NIC.
   * </ol>
   *
   * @param dest the IPv4 destination
   * @param candidates the candidates, e.g. bound sockets
   * @param nicOf gives each candidate's interface entry
   * @param <T> the candidate type
   * @return the chosen candidate and rule; empty when no candidate is IPv4
   * @throws NullPointerException if an argument is null, a candidate is null or {@code nicOf} returns null
   * @throws IllegalArgumentException if {@code dest} is IPv6
   */
  public static <T> Optional<Route<T>> pickNic(InetAddress dest, List<? extends T> candidates,
      Function<? super T, NetworkInterfaceInfo> nicOf) {
    Objects.requireNonNull(dest, "dest must not be null");
    if (!(dest instanceof Inet4Address)) {
      throw new IllegalArgumentException("dest must be IPv4 for pickNic, got IPv6 " + dest.getHostAddress()
          + ": an IPv4 socket set cannot reach it; route IPv6 destinations with pickNicV6");
    }
    List<Candidate<T>> all = candidates(candidates, nicOf, NetworkInterfaceInfo::isIpv4);
    if (all.isEmpty()) {
      return Optional.empty();
    }
    Candidate<T> subnet = longestPrefixMatch(all, dest);
    if (subnet != null) {
      return route(subnet, RouteReason.SUBNET);
    }
    return first(all, c -> c.info.broadcast().filter(dest::equals).isPresent(), RouteReason.SUBNET_BROADCAST)
        .or(() -> dest.isLoopbackAddress()
            ? first(all, c -> c.info.loopback(), RouteReason.LOOPBACK) : Optional.empty())
        .or(() -> first(all, c -> c.info.isDefaultRoute(), RouteReason.DEFAULT_ROUTE))
        .or(() -> first(all, c -> !c.info.loopback(), RouteReason.FIRST_NON_LOOPBACK))
        .or(() -> route(all.getFirst(), RouteReason.ANY));
  }

  /**
   * Routes an IPv6 destination among plain interface entries. See
   * {@link #pickNicV6(InetAddress, List, Function)}.
   *
   * @param dest the IPv6 destination
   * @param candidates the entries to choose from
   * @return the chosen entry and rule; empty when no IPv6 candidate can reach {@code dest}
   */
  public static Optional<Route<NetworkInterfaceInfo>> pickNicV6(InetAddress dest,
      List<NetworkInterfaceInfo> candidates) {
    return pickNicV6(dest, candidates, Function.identity());
  }

  /**
   * Routes an IPv6 destination. Rules, first match wins:
   * <ol>
   *   <li>{@link RouteReason#LINK_SCOPE}: a link-local destination ({@code fe80::/10} or link-local multicast
   *       {@code ff02::/16}) goes to the NIC whose index is its scope id, preferring that NIC's link-local
   *       entry; if no candidate has that index the result is empty, because no other link can reach it;
   *   <li>{@link RouteReason#LOOPBACK}: {@code ::1} and a loopback NIC;
   *   <li>{@link RouteReason#SUBNET}: a NIC whose prefix contains {@code dest} (prefix &gt; 0; longest wins);
   *   <li>{@link RouteReason#FIRST_NON_LOOPBACK}: the first non-loopback NIC, preferring entries that are not
   *       link-local (a link-local source cannot reach a global destination);
   *   <li>{@link RouteReason#ANY}: the first NIC.
   * </ol>
   *
   * @param dest the IPv6 destination; a link-local one must carry a scope id ({@code fe80::1%2})
   * @param candidates the candidates, e.g. bound sockets
   * @param nicOf gives each candidate's interface entry
   * @param <T> the candidate type
   * @return the chosen candidate and rule; empty when no IPv6 candidate can reach {@code dest}
   * @throws NullPointerException if an argument is null, a candidate is null or {@code nicOf} returns null
   * @throws IllegalArgumentException if {@code dest} is IPv4, or link-local without a scope id
   */
  public static <T> Optional<Route<T>> pickNicV6(InetAddress dest, List<? extends T> candidates,
      Function<? super T, NetworkInterfaceInfo> nicOf) {
    Objects.requireNonNull(dest, "dest must not be null");
    if (!(dest instanceof Inet6Address dest6)) {
      throw new IllegalArgumentException("dest must be IPv6 for pickNicV6, got IPv4 " + dest.getHostAddress()
          + "; route IPv4 destinations with pickNic");
    }
    boolean linkScoped = dest6.isLinkLocalAddress() || dest6.isMCLinkLocal();
    int scope = scopeId(dest6);
    if (linkScoped && scope == 0) {
      // Every NIC has an fe80::/64, so the address alone names no link; the kernel too rejects such a sendto
      // with EINVAL unless the socket is bound to a device (ipv6(7), sin6_scope_id).
      throw new IllegalArgumentException("dest " + dest.getHostAddress()
          + " is link-local and needs a scope id naming the NIC (e.g. " + dest.getHostAddress() + "%2)");
    }
    List<Candidate<T>> all = candidates(candidates, nicOf, NetworkInterfaceInfo::isIpv6);
    if (all.isEmpty()) {
      return Optional.empty();
    }
    if (linkScoped) {
      return first(all, c -> c.info.index() == scope && c.info.address().isLinkLocalAddress(),
          RouteReason.LINK_SCOPE)
          .or(() -> first(all, c -> c.info.index() == scope, RouteReason.LINK_SCOPE));
    }
    if (dest6.isLoopbackAddress()) {
      Optional<Route<T>> lo = first(all, c -> c.info.loopback(), RouteReason.LOOPBACK);
      if (lo.isPresent()) {
        return lo;
      }
    }
    Candidate<T> subnet = longestPrefixMatch(all, dest);
    if (subnet != null) {
      return route(subnet, RouteReason.SUBNET);
    }
    return first(all, c -> !c.info.loopback() && !c.info.address().isLinkLocalAddress(),
        RouteReason.FIRST_NON_LOOPBACK)
        .or(() -> first(all, c -> !c.info.loopback(), RouteReason.FIRST_NON_LOOPBACK))
        .or(() -> route(all.getFirst(), RouteReason.ANY));
  }

  private static int scopeId(Inet6Address dest) {
    if (dest.getScopeId() != 0) {
      return dest.getScopeId();
    }
    // "fe80::1%eth0" resolves to a scoped interface rather than a numeric scope id.
    return dest.getScopedInterface() != null ? Math.max(0, dest.getScopedInterface().getIndex()) : 0;
  }

  private record Candidate<T>(T value, NetworkInterfaceInfo info) {}

  private static <T> List<Candidate<T>> candidates(List<? extends T> candidates,
      Function<? super T, NetworkInterfaceInfo> nicOf, Predicate<NetworkInterfaceInfo> family) {
    Objects.requireNonNull(candidates, "candidates must not be null");
    Objects.requireNonNull(nicOf, "nicOf must not be null");
    List<Candidate<T>> out = new ArrayList<>(candidates.size());
    for (T c : candidates) {
      Objects.requireNonNull(c, "candidates must not contain null");
      NetworkInterfaceInfo info = Objects.requireNonNull(nicOf.apply(c), () -> "nicOf returned null for " + c);
      if (family.test(info)) {
        out.add(new Candidate<>(c, info));
      }
    }
    return out;
  }

  private static <T> Candidate<T> longestPrefixMatch(List<Candidate<T>> all, InetAddress dest) {
    Candidate<T> best = null;
    for (Candidate<T> c : all) {
      if (c.info.subnetContains(dest) && (best == null || c.info.prefixLength() > best.info.prefixLength())) {
        best = c;
      }
    }
    return best;
  }

  private static <T> Optional<Route<T>> first(List<Candidate<T>> all, Predicate<Candidate<T>> rule,
      RouteReason reason) {
    return all.stream().filter(rule).findFirst().map(c -> new Route<>(c.value, reason));
  }

  private static <T> Optional<Route<T>> route(Candidate<T> c, RouteReason reason) {
    return Optional.of(new Route<>(c.value, reason));
  }
}
