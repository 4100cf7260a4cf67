package io.meshwire.nic;

import java.util.List;

/**
 * Told when a {@link NicSocketSet} that follows the interface map opens sockets for a new NIC (or a new address)
 * or closes those of a removed one. Callbacks run on the thread that refreshed the map, after the change is in
 * place, removals first; they should return quickly. An exception thrown here is logged and ignored.
 */
public interface NicSetListener {

  /**
   * Sockets were opened and take part in sending and receiving from now on.
   *
   * @param sockets the new sockets
   */
  default void onSocketsAdded(List<NicSocket> sockets) {}

  /**
   * Sockets were closed: routing and fan-out no longer use them. Datagrams they received before are still
   * handed out.
   *
   * @param sockets the closed sockets
   */
  default void onSocketsRemoved(List<NicSocket> sockets) {}
}
