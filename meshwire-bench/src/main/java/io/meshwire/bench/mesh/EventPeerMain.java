package io.meshwire.bench.mesh;

import io.meshwire.bench.transport.PeerMain;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Entry point of a child JVM running one role of an {@link EventSystem}:
 * {@code EventPeerMain SYSTEM sub|pub HOST PORT SIZE SECONDS WARMUP_SECONDS [KEY=VALUE...]}. Speaks the peer line
 * protocol of the transport harness on stdout: the subscriber prints {@code READY port=P [fields]},
 * {@code PROGRESS t=S received=N} each second and
 * {@code RESULT received=N bytes=B elapsed_ns=E p50_ns= p99_ns= p999_ns= max_ns= warmup_events=W}; the publisher
 * prints {@code SENT sent=N bytes=B backpressured=K warmup_events=W}. Warm-up events are counted apart.
 */
public final class EventPeerMain {

    static final String SUBSCRIBE = "sub";
    static final String PUBLISH = "pub";

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** How long the subscriber waits for stragglers: retransmissions and queued events still arriving. */
    private static final long GRACE_NANOS = 3 * NANOS_PER_SECOND;

    private EventPeerMain() {
    }

    /** Runs one role; exits 0 after printing its result line, 1 on failure. */
    public static void main(String[] args) {
        int status;
        try {
            status = run(args, System.out);
        } catch (Throwable t) {
            System.err.println("EventPeerMain " + String.join(" ", args) + " failed: " + t);
            t.printStackTrace();
            status = 1;
        }
        System.out.flush();
        // Exit explicitly: media-driver and node threads are not all daemons.
        System.exit(status);
    }

    /** The command line of a child JVM running {@code role} of {@code system}. */
    static List<String> command(EventSystem system, String role, EventSpec spec, Map<String, String> params) {
        List<String> command = PeerMain.childJvm(system.jvmOptions(), EventPeerMain.class);
        command.add(system.name());
        command.add(role);
        command.addAll(spec.arguments());
        params.forEach((key, value) -> command.add(key + "=" + value));
        return command;
    }

    static int run(String[] args, PrintStream out) throws Exception {
        if (args.length < 7) {
            throw new IllegalArgumentException("usage: EventPeerMain SYSTEM sub|pub HOST PORT SIZE SECONDS "
                    + "WARMUP_SECONDS [K=V...]");
        }
        EventSystem system = EventSystems.find(args[0]);
        EventSpec spec = new EventSpec(args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                Integer.parseInt(args[5]), Integer.parseInt(args[6]));
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 7; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("parameter " + args[i] + " is not KEY=VALUE");
            }
            params.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        EventPeer peer = new EventPeer(spec, params);
        return switch (args[1]) {
            case SUBSCRIBE -> subscribe(system, peer, out);
            case PUBLISH -> {
                EventStats.Published stats = new EventStats.Published(spec.warmupNanos());
                system.publish(peer, stats);
                out.println(stats.resultLine());
                yield 0;
            }
            default -> throw new IllegalArgumentException("role " + args[1] + " is neither sub nor pub");
        };
    }

    private static int subscribe(EventSystem system, EventPeer peer, PrintStream out) throws Exception {
        EventStats stats = new EventStats(peer.spec().warmupNanos());
        long runNanos = peer.spec().seconds() * NANOS_PER_SECOND + GRACE_NANOS;
        return PeerMain.supervise("subscriber of " + system.name(), () -> system.subscribe(peer, stats),
                peer.signal, stats, runNanos, out);
    }
}
