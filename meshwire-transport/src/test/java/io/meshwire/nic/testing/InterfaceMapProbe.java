package io.meshwire.nic.testing;

import io.meshwire.nic.InterfaceListener;
import io.meshwire.nic.InterfaceMap;
import io.meshwire.nic.Nic;
import io.meshwire.nic.NetworkInterfaceInfo;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;

/**
 * Runs {@link InterfaceMap} over the real OS in a child JVM, typically inside a namespace
 * ({@code ip netns exec NS java -cp ... InterfaceMapProbe ...}), and prints what it sees, one line each:
 * <ul>
 *   <li>{@code dump [dest...]}: {@code ENTRY <entry>} per entry, then {@code ROUTE <dest> <route>} per
 *       destination (IP literals only), then exits;
 *   <li>{@code watch <periodMillis>}: the {@code ENTRY} lines, then {@code READY}, then {@code ADDED <nic>},
 *       {@code REMOVED <nic>} and {@code CHANGED <before> -> <after>} as the periodic refresh finds them, until
 *       stdin is closed.
 * </ul>
 */
public final class InterfaceMapProbe {

  private InterfaceMapProbe() {}

  /**
   * Entry point.
   *
   * @param args {@code dump [dest...]} or {@code watch <periodMillis>}
   * @throws IOException if enumeration or stdin fails
   */
  public static void main(String[] args) throws IOException {
    if (args.length == 0) {
      throw new IllegalArgumentException("usage: dump [dest...] | watch <periodMillis>");
    }
    try (InterfaceMap map = InterfaceMap.create()) {
      for (NetworkInterfaceInfo e : map.all()) {
        print("ENTRY " + e);
      }
      switch (args[0]) {
        case "dump" -> {
          for (int i = 1; i < args.length; i++) {
            InetAddress dest = InetAddress.getByName(args[i]); // literals only: no DNS lookup happens
            print("ROUTE " + args[i] + " " + map.route(dest).map(Object::toString).orElse("none"));
          }
        }
        case "watch" -> {
          map.addListener(new InterfaceListener() {
            @Override
            public void onInterfaceAdded(Nic nic) {
              print("ADDED " + nic);
            }

            @Override
            public void onInterfaceRemoved(Nic nic) {
              print("REMOVED " + nic);
            }

            @Override
            public void onInterfaceChanged(Nic before, Nic after) {
              print("CHANGED " + before + " -> " + after);
            }
          });
          map.startPeriodicRefresh(Duration.ofMillis(Long.parseLong(args[1])));
          print("READY");
          // The parent ends the probe by closing our stdin.
          while (System.in.read() != -1) {
            // ignore input
          }
        }
        default -> throw new IllegalArgumentException("unknown mode: " + args[0]);
      }
    }
  }

  private static synchronized void print(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
