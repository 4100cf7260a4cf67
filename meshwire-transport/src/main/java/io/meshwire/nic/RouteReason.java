package io.meshwire.nic;

/** Which routing rule of {@link NicRouting} picked the NIC, so tools can say why. */
public enum RouteReason {
  /** The destination is inside the NIC's subnet (longest prefix wins; a {@code /0} never matches here). */
  SUBNET("destination is inside the NIC's subnet"),
  /** The destination equals the NIC's subnet broadcast address (IPv4). */
  SUBNET_BROADCAST("destination is the NIC's subnet broadcast address"),
  /** The destination is loopback ({@code 127/8} or {@code ::1}) and the NIC is the loopback NIC. */
  LOOPBACK("destination is loopback and the NIC is the loopback NIC"),
  /** The destination is IPv6 link-local and its scope id is the NIC's index. */
  LINK_SCOPE("destination is link-local and its scope id names the NIC"),
  /** No subnet matched and the NIC is a non-loopback NIC with prefix length 0 (a default-route NIC). */
  DEFAULT_ROUTE("no subnet matched; the NIC has prefix length 0 (default-route NIC)"),
  /** No rule matched; the NIC is the first non-loopback candidate. */
  FIRST_NON_LOOPBACK("no rule matched; first non-loopback NIC"),
  /** No rule matched and every candidate is loopback; the NIC is the first candidate. */
  ANY("no rule matched and every NIC is loopback; first NIC");

  private final String description;

  RouteReason(String description) {
    this.description = description;
  }

  /** A short human-readable explanation of the rule. */
  public String description() {
    return description;
  }
}
