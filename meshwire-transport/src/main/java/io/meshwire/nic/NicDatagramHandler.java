package io.meshwire.nic;

/** Receives datagrams from {@link NicSocketSet#receive} and {@link NicSocketSet#poll}. */
@FunctionalInterface
public interface NicDatagramHandler {

  /**
   * Called once per datagram, on the consumer thread.
   *
   * @param datagram a view valid only until this call returns; the same object is passed again for the next
   *     datagram, so keep no reference to it or to its buffer
   */
  void onDatagram(NicDatagram datagram);
}
