package io.meshwire.nic;

import java.util.Objects;

/**
 * A routing decision: the chosen NIC (or the caller's object that stands for it, such as a bound socket) and
 * the rule that chose it.
 *
 * @param nic the chosen candidate
 * @param reason the rule that matched
 * @param <T> the candidate type
 */
public record Route<T>(T nic, RouteReason reason) {

  /**
   * Validates the decision.
   *
   * @throws NullPointerException if either component is null
   */
  public Route {
    Objects.requireNonNull(nic, "nic must not be null");
    Objects.requireNonNull(reason, "reason must not be null");
  }

  /** The NIC followed by the rule and its explanation. */
  @Override
  public String toString() {
    return nic + " (" + reason + ": " + reason.description() + ")";
  }
}
