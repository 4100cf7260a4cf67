package io.meshwire.bench.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Entry point of a child JVM running one role of a {@link JavaPeerSystem}:
 * {@code PeerMain SYSTEM recv|send HOST PORT SIZE SECONDS GRACE_MS}. Speaks the line protocol of
 * {@link TransportSystem} on stdout.
 */
public final class PeerMain {

    static final String RECEIVE = "recv";
    static final String SEND = "send";

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long IDLE_STOP_NANOS = 100_000_000L;
    private static final long NO_SENDER_NANOS = 30 * NANOS_PER_SECOND;
    private static final long READY_TIMEOUT_SECONDS = 30;
    private static final long STOP_TIMEOUT_MILLIS = 5_000;
    private static final long POLL_MILLIS = 10;

    private PeerMain() {
    }

    /** Runs one peer role; exits with status 0 after printing its result line, 1 on failure. */
    public static void main(String[] args) {
        int status;
        try {
            status = run(args, System.out);
        } catch (Throwable t) {
            System.err.println("PeerMain " + String.join(" ", args) + " failed: " + t);
            t.printStackTrace();
            status = 1;
        }
        System.out.flush();
        // Exit explicitly: event-loop threads of some peers are not daemons.
        System.exit(status);
    }

    /** The command line of a child JVM running {@code role} of {@code system}. */
    static List<String> command(JavaPeerSystem system, String role, PeerSpec spec) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("--sun-misc-unsafe-memory-access=allow");
        command.add("-Xmx512m");
        command.addAll(system.jvmOptions());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(PeerMain.class.getName());
        command.add(system.name());
        command.add(role);
        command.addAll(spec.arguments());
        return command;
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    static int run(String[] args, PrintStream out) throws Exception {
        if (args.length != 7) {
            throw new IllegalArgumentException("usage: PeerMain SYSTEM recv|send HOST PORT SIZE SECONDS GRACE_MS");
        }
        TransportSystem found = TransportSystems.find(args[0]);
        if (!(found instanceof JavaPeerSystem system)) {
            throw new IllegalArgumentException(args[0] + " is not a Java peer system (" + found + ")");
        }
        PeerSpec spec = new PeerSpec(args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                Integer.parseInt(args[5]), Integer.parseInt(args[6]));
        PeerContext context = new PeerContext(spec);
        return switch (args[1]) {
            case RECEIVE -> receive(system, context, out);
            case SEND -> send(system, context, out);
            default -> throw new IllegalArgumentException("role " + args[1] + " is neither recv nor send");
        };
    }

    private static int send(JavaPeerSystem system, PeerContext context, PrintStream out) throws Exception {
        SendStats stats = new SendStats();
        system.send(context, stats);
        out.println(stats.resultLine());
        return 0;
    }

    private static int receive(JavaPeerSystem system, PeerContext context, PrintStream out) throws Exception {
        ReceiveStats stats = new ReceiveStats();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread receiver = Thread.ofPlatform().name("receiver").start(() -> {
            try {
                system.receive(context, stats);
            } catch (Throwable t) {
                failure.set(t);
                context.ready.completeExceptionally(t);
            }
        });
        int port;
        try {
            port = context.ready.get(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("receiver of " + system.name() + " failed to start", e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("receiver of " + system.name() + " not bound after "
                    + READY_TIMEOUT_SECONDS + " s", e);
        }
        out.println("READY port=" + port);
        out.flush();

        Thread stdinWatch = Thread.ofPlatform().daemon().name("stdin-watch").start(PeerMain::drainStdin);
        PeerSpec spec = context.spec();
        long runNanos = spec.seconds() * NANOS_PER_SECOND + spec.graceMillis() * 1_000_000L;
        long start = System.nanoTime();
        int progressSecond = 1;
        while (receiver.isAlive()) {
            Thread.sleep(POLL_MILLIS);
            long now = System.nanoTime();
            boolean started = stats.datagrams() > 0; // acquire: read before the timestamps
            long first = stats.firstNanos();
            if (started && now - first >= progressSecond * NANOS_PER_SECOND) {
                out.println("PROGRESS t=" + progressSecond + " received=" + stats.datagrams());
                out.flush();
                progressSecond++;
            }
            boolean eof = !stdinWatch.isAlive();
            if (started && now - first >= runNanos
                    || eof && (!started || now - stats.lastNanos() >= IDLE_STOP_NANOS)
                    || !started && now - start >= runNanos + NO_SENDER_NANOS) {
                break;
            }
        }
        AutoCloseable stopper = context.stopper();
        if (stopper != null) {
            stopper.close();
        }
        receiver.join(STOP_TIMEOUT_MILLIS);
        if (receiver.isAlive()) {
            throw new IllegalStateException("receiver of " + system.name() + " did not stop within "
                    + STOP_TIMEOUT_MILLIS + " ms of closing its stopper");
        }
        if (failure.get() != null) {
            throw new IllegalStateException("receiver of " + system.name() + " failed", failure.get());
        }
        out.println(stats.resultLine());
        return 0;
    }

    /** Returns once stdin reaches end-of-file: the harness closes it when the senders are done. */
    private static void drainStdin() {
        InputStream in = System.in;
        byte[] sink = new byte[256];
        try {
            while (in.read(sink) >= 0) {
                // discard
            }
        } catch (IOException e) {
            // a broken stdin means the harness is gone: stop as at end-of-file
        }
    }
}
