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
        List<String> command = childJvm(system.jvmOptions(), PeerMain.class);
        command.add(system.name());
        command.add(role);
        command.addAll(spec.arguments());
        return command;
    }

    /**
     * The start of a child JVM's command line running {@code mainClass} on this JVM's class path: the same java
     * executable, native access, Unsafe memory access allowed (some peers need it), 512 MiB heap, then
     * {@code options}. Callers append the main class's arguments.
     */
    public static List<String> childJvm(List<String> options, Class<?> mainClass) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("--sun-misc-unsafe-memory-access=allow");
        command.add("-Xmx512m");
        command.addAll(options);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
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
        PeerSpec spec = context.spec();
        long runNanos = spec.seconds() * NANOS_PER_SECOND + spec.graceMillis() * 1_000_000L;
        return supervise("receiver of " + system.name(), () -> system.receive(context, stats), context.signal,
                stats, runNanos, out);
    }

    /** A receive loop: runs until the stopper given to its {@link ReadySignal} is closed. */
    @FunctionalInterface
    public interface ReceiveLoop {
        /** Receives until stopped. */
        void run() throws Exception;
    }

    /**
     * Runs {@code loop} on its own thread and speaks the receiver's side of the line protocol: READY once
     * {@code signal} fires, PROGRESS every second after the first item, RESULT at the end. Stops the loop
     * {@code runNanos} after the first item, or once stdin reaches end-of-file and nothing arrived for about 100 ms,
     * or when nothing arrived at all within {@code runNanos} plus 30 s.
     *
     * @param what names the receiver in error messages
     * @return 0, the process's exit status
     */
    public static int supervise(String what, ReceiveLoop loop, ReadySignal signal, ReceiverCounters stats,
            long runNanos, PrintStream out) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread receiver = Thread.ofPlatform().name("receiver").start(() -> {
            try {
                loop.run();
            } catch (Throwable t) {
                failure.set(t);
                signal.fail(t);
            }
        });
        String fields;
        try {
            fields = signal.fields.get(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " failed to start", e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + " not bound after " + READY_TIMEOUT_SECONDS + " s", e);
        }
        out.println("READY " + fields);
        out.flush();

        Thread stdinWatch = Thread.ofPlatform().daemon().name("stdin-watch").start(PeerMain::drainStdin);
        long start = System.nanoTime();
        int progressSecond = 1;
        while (receiver.isAlive()) {
            Thread.sleep(POLL_MILLIS);
            long now = System.nanoTime();
            boolean started = stats.count() > 0; // acquire: read before the timestamps
            long first = stats.firstNanos();
            if (started && now - first >= progressSecond * NANOS_PER_SECOND) {
                out.println("PROGRESS t=" + progressSecond + " received=" + stats.count());
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
        AutoCloseable stopper = signal.stopper();
        if (stopper != null) {
            stopper.close();
        }
        receiver.join(STOP_TIMEOUT_MILLIS);
        if (receiver.isAlive()) {
            throw new IllegalStateException(what + " did not stop within " + STOP_TIMEOUT_MILLIS
                    + " ms of closing its stopper");
        }
        if (failure.get() != null) {
            throw new IllegalStateException(what + " failed", failure.get());
        }
        out.println(stats.resultLine());
        return 0;
    }

    /** Returns once stdin reaches end-of-file: the harness closes it when the senders are done. */
    public static void drainStdin() {
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
