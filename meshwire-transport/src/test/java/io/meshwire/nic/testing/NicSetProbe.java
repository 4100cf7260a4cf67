package io.meshwire.nic.testing;

import io.meshwire.nic.FanoutResult;
import io.meshwire.nic.NicDatagram;
import io.meshwire.nic.NicSetConfig;
import io.meshwire.nic.NicSetListener;
import io.meshwire.nic.NicSocket;
import io.meshwire.nic.NicSocketSet;
import io.meshwire.nic.SendResult;
import io.meshwire.transport.EndpointConfig.ReceiveMode;
import io.meshwire.transport.TransportClosedException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A command-driven child JVM for namespace tests, run inside a namespace with {@code ip netns exec}. It reads
 * one command per line on stdin and prints one line per result or event on stdout:
 * <ul>
 *   <li>socket sets: {@code open ID key=value...} (port, same, loopback, wildcard, rcvbuf, batch, queue,
 *       follow=periodMillis, family=4|6, mode=INLINE|DEDICATED_THREAD, echo, quiet, paused) prints
 *       {@code SOCKET ID ...} lines then {@code OPENED ID port=P}; received datagrams print
 *       {@code RECV ID role=.. nic=name#index dst=.. if=.. src=.. drops=.. text=..} (unless quiet); with echo each
 *       is answered with {@code reply:TEXT} through {@code sendVia(ifindex)} and {@code ECHO ID result} is printed; {@code ADDED}/{@code REMOVED ID socket}
 *       come from the set's listener; {@code fanout ID ip port text}, {@code send ID ip port text},
 *       {@code sendvia ID ifindex ip port text}, {@code pause ID}, {@code resume ID}, {@code count ID},
 *       {@code close ID};
 *   <li>plain peers: {@code bind ID ip port} (prints {@code BOUND ID ip:port}, then {@code PEERRECV ID src=..
 *       text=..} per datagram), {@code psend ID ip port text}, {@code flood ID ip port count size burst pauseMs}.
 * </ul>
 * The process ends at EOF on stdin or on {@code exit}.
 */
public final class NicSetProbe {

  private final Map<String, SetState> sets = new ConcurrentHashMap<>();
  private final Map<String, DatagramChannel> peers = new ConcurrentHashMap<>();

  private static final class SetState {
    NicSocketSet set;
    volatile boolean paused;
    volatile boolean quiet;
    volatile boolean echo;
    final AtomicLong received = new AtomicLong();
    volatile long lastDrops;
    Thread consumer;
  }

  private NicSetProbe() {}

  /**
   * Entry point.
   *
   * @param args unused
   * @throws IOException if stdin fails
   */
  public static void main(String[] args) throws IOException {
    NicSetProbe probe = new NicSetProbe();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    print("READY");
    String line;
    while ((line = in.readLine()) != null) {
      line = line.strip();
      if (line.isEmpty()) {
        continue;
      }
      if (line.equals("exit")) {
        break;
      }
      try {
        probe.run(line.split(" "));
      } catch (Exception e) {
        print("ERROR " + line + ": " + e);
      }
    }
    probe.sets.values().forEach(s -> s.set.close());
    for (DatagramChannel ch : probe.peers.values()) {
      ch.close();
    }
    System.exit(0);
  }

  static synchronized void print(String line) {
    System.out.println(line);
    System.out.flush();
  }

  private void run(String[] c) throws Exception {
    switch (c[0]) {
      case "open" -> open(c);
      case "pause" -> {
        sets.get(c[1]).paused = true;
        print("PAUSED " + c[1]);
      }
      case "resume" -> {
        sets.get(c[1]).paused = false;
        print("RESUMED " + c[1]);
      }
      case "count" -> {
        SetState s = sets.get(c[1]);
        print("COUNT " + c[1] + " received=" + s.received.get() + " lastDrops=" + s.lastDrops + " drops="
            + s.set.stats().kernelDrops());
      }
      case "fanout" -> {
        FanoutResult r = sets.get(c[1]).set.fanout(text(c[4]), dest(c[2], c[3]));
        print("FANOUT " + c[1] + " attempted=" + r.attempted() + " sent=" + r.sent() + " " + r);
      }
      case "send" -> print("SENT " + c[1] + " " + sets.get(c[1]).set.send(text(c[4]), dest(c[2], c[3])));
      case "sendvia" -> print("SENTVIA " + c[1] + " "
          + sets.get(c[1]).set.sendVia(text(c[5]), dest(c[3], c[4]), Integer.parseInt(c[2])));
      case "close" -> {
        SetState s = sets.remove(c[1]);
        s.set.close();
        s.consumer.join(5_000);
        print("CLOSED " + c[1]);
      }
      case "bind" -> {
        InetAddress a = InetAddress.getByName(c[2]);
        DatagramChannel ch = DatagramChannel.open(a instanceof java.net.Inet6Address
            ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        ch.setOption(StandardSocketOptions.SO_BROADCAST, true);
        ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        ch.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
        ch.bind(new InetSocketAddress(a, Integer.parseInt(c[3])));
        peers.put(c[1], ch);
        Thread.ofPlatform().daemon().start(() -> peerReceive(c[1], ch));
        InetSocketAddress local = (InetSocketAddress) ch.getLocalAddress();
        print("BOUND " + c[1] + " " + local.getAddress().getHostAddress() + ":" + local.getPort());
      }
      case "psend" -> {
        peers.get(c[1]).send(text(c[4]), dest(c[2], c[3]));
        print("PSENT " + c[1]);
      }
      case "flood" -> {
        DatagramChannel ch = peers.get(c[1]);
        InetSocketAddress to = dest(c[2], c[3]);
        int count = Integer.parseInt(c[4]);
        ByteBuffer payload = ByteBuffer.allocate(Integer.parseInt(c[5]));
        int burst = Integer.parseInt(c[6]);
        long pause = Long.parseLong(c[7]);
        for (int i = 0; i < count; i++) {
          ch.send(payload.clear(), to);
          if ((i + 1) % burst == 0) {
            Thread.sleep(pause);
          }
        }
        print("FLOODED " + c[1] + " " + count);
      }
      default -> throw new IllegalArgumentException("unknown command " + c[0]);
    }
  }

  private void open(String[] c) throws IOException {
    String id = c[1];
    Map<String, String> o = new HashMap<>();
    for (int i = 2; i < c.length; i++) {
      String[] kv = c[i].split("=", 2);
      o.put(kv[0], kv.length > 1 ? kv[1] : "true");
    }
    SetState state = new SetState();
    state.quiet = o.containsKey("quiet");
    state.echo = o.containsKey("echo");
    state.paused = o.containsKey("paused");
    NicSetConfig.Builder b = NicSetConfig.builder()
        .port(Integer.parseInt(o.getOrDefault("port", "0")))
        .sameEphemeralPort(o.containsKey("same"))
        .includeLoopback(!"false".equals(o.get("loopback")))
        .wildcardRx(o.containsKey("wildcard"))
        .receiveBufferSize(Integer.parseInt(o.getOrDefault("rcvbuf", String.valueOf(1 << 20))))
        .receiveBatchSize(Integer.parseInt(o.getOrDefault("batch", "64")))
        .queueDepth(Integer.parseInt(o.getOrDefault("queue", "64")))
        .family("6".equals(o.get("family")) ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET)
        .receiveMode(ReceiveMode.valueOf(o.getOrDefault("mode", ReceiveMode.INLINE.name())))
        .listener(new NicSetListener() {
          @Override
          public void onSocketsAdded(List<NicSocket> sockets) {
            sockets.forEach(s -> print("ADDED " + id + " " + s));
          }

          @Override
          public void onSocketsRemoved(List<NicSocket> sockets) {
            sockets.forEach(s -> print("REMOVED " + id + " " + s));
          }
        });
    if (o.containsKey("follow")) {
      b.followInterfaces(true).refreshPeriod(Duration.ofMillis(Long.parseLong(o.get("follow"))));
    }
    state.set = NicSocketSet.open(b.build());
    for (NicSocket s : state.set.sockets()) {
      print("SOCKET " + id + " " + s);
    }
    state.consumer = Thread.ofPlatform().daemon().name("probe-" + id).start(() -> consume(id, state));
    sets.put(id, state);
    print("OPENED " + id + " port=" + state.set.port() + " backend=" + state.set.backend());
  }

  private static void consume(String id, SetState s) {
    Duration wait = Duration.ofMillis(50);
    try {
      while (!s.set.isClosed()) {
        if (s.paused) {
          Thread.sleep(10);
          continue;
        }
        s.set.receive(d -> onDatagram(id, s, d), 64, wait);
      }
    } catch (TransportClosedException e) {
      // closed
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void onDatagram(String id, SetState s, NicDatagram d) {
    s.received.incrementAndGet();
    s.lastDrops = d.kernelDrops();
    String text = new String(d.toByteArray(), StandardCharsets.UTF_8);
    if (!s.quiet) {
      print("RECV " + id + " role=" + d.socket().role() + " nic=" + d.socket().nic().name() + "#"
          + d.socket().ifindex() + " dst=" + d.destination().getHostAddress() + " if=" + d.ifindex() + " src="
          + d.source().getAddress().getHostAddress() + ":" + d.source().getPort() + " drops=" + d.kernelDrops()
          + " text=" + text);
    }
    if (s.echo) {
      try {
        SendResult r = s.set.sendVia(text("reply:" + text), d.source(), d.ifindex());
        print("ECHO " + id + " " + r);
      } catch (TransportClosedException e) {
        // closing
      }
    }
  }

  private static void peerReceive(String id, DatagramChannel ch) {
    ByteBuffer buf = ByteBuffer.allocate(65536);
    try {
      while (ch.isOpen()) {
        buf.clear();
        InetSocketAddress from = (InetSocketAddress) ch.receive(buf);
        buf.flip();
        print("PEERRECV " + id + " src=" + from.getAddress().getHostAddress() + ":" + from.getPort() + " text="
            + StandardCharsets.UTF_8.decode(buf));
      }
    } catch (IOException e) {
      // closed
    }
  }

  private static ByteBuffer text(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
  }

  private static InetSocketAddress dest(String ip, String port) throws IOException {
    return new InetSocketAddress(InetAddress.getByName(ip), Integer.parseInt(port)); // IP literals only
  }
}
