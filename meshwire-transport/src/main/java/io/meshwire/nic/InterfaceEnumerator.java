package io.meshwire.nic;

import java.io.IOException;
import java.util.List;

/**
 * Lists the host's interface addresses, one {@link NetworkInterfaceInfo} per address. The seam between the
 * interface map and the OS: tests pass a fake, production uses {@link #system()}.
 */
@FunctionalInterface
public interface InterfaceEnumerator {

  /**
   * Enumerates the interfaces now.
   *
   * @return one entry per address, loopback and down interfaces included; never null
   * @throws IOException if the OS cannot be asked
   */
  List<NetworkInterfaceInfo> enumerate() throws IOException;

  /** The enumerator over {@link java.net.NetworkInterface} (no native code). */
  static InterfaceEnumerator system() {
    return JdkInterfaceEnumerator.INSTANCE;
  }
}
