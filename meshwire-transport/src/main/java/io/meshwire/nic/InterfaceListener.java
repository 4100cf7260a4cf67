package io.meshwire.nic;

/**
 * Told by an {@link InterfaceMap} when a refresh finds NICs added, removed or changed. Callbacks run on the
 * refreshing thread (the caller of {@link InterfaceMap#refresh()} or the periodic refresher), one refresh at a
 * time, removals first; they should return quickly. An exception thrown by a listener is logged and does not
 * stop the other listeners.
 */
public interface InterfaceListener {

  /**
   * A NIC appeared (or got its first address).
   *
   * @param nic the new NIC with its entries
   */
  default void onInterfaceAdded(Nic nic) {}

  /**
   * A NIC disappeared (or lost its last address).
   *
   * @param nic the NIC as it was last seen
   */
  default void onInterfaceRemoved(Nic nic) {}

  /**
   * A NIC's entries changed: an address came or went, or a prefix, broadcast or up/loopback/multicast flag
   * changed.
   *
   * @param before the NIC in the older snapshot
   * @param after the NIC in the newer snapshot
   */
  default void onInterfaceChanged(Nic before, Nic after) {}
}
