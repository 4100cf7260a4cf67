package io.meshwire.bench.transport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One peer process: its stdout parsed as the peer protocol, its stderr relayed with a label, killed (with its
 * descendants) on {@link #close()} and, as a last resort, by a shutdown hook.
 */
public final class PeerProcess implements AutoCloseable {

    private static final long EXIT_WAIT_MILLIS = 500;
    private static final long RELAY_JOIN_MILLIS = 1_000;
    private static final Set<PeerProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(PeerProcess::kill), "peer-reaper"));
    }

    private final String label;
    private final Process process;
    private final PrintStream log;
    private final Consumer<PeerLine> progress;
    private final CompletableFuture<PeerLine> ready = new CompletableFuture<>();
    private final CompletableFuture<PeerLine> result = new CompletableFuture<>();
    private final Thread stdout;
    private final Thread stderr;
    private volatile boolean closing;

    private PeerProcess(String label, Process process, PrintStream log, Consumer<PeerLine> progress) {
        this.label = label;
        this.process = process;
        this.log = log;
        this.progress = progress;
        LIVE.add(this);
        this.stdout = Thread.ofPlatform().daemon().name(label + "-out").start(this::readStdout);
        this.stderr = Thread.ofPlatform().daemon().name(label + "-err").start(this::relayStderr);
    }

    /** Starts {@code command}; {@code progress} sees every PROGRESS line, {@code log} gets everything unparsed. */
    public static PeerProcess start(String label, List<String> command, PrintStream log,
            Consumer<PeerLine> progress) {
        try {
            Process process = new ProcessBuilder(command).start();
            return new PeerProcess(label, process, log, progress);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + label + ": " + String.join(" ", command), e);
        }
    }

    /** The port a receiver reported in its READY line. */
    int awaitReady(Duration timeout) {
        return (int) awaitReadyLine(timeout).number("port");
    }

    /** The whole READY line, for peers that report more than their port (e.g. a public key). */
    public PeerLine awaitReadyLine(Duration timeout) {
        return await(ready, timeout, "READY");
    }

    /**
     * CPU time the process and its descendants have used so far (user + system, every thread; the kernel counts it
     * in clock ticks, so 10 ms steps), in ns; -1 once the process is gone or the platform does not say.
     */
    long cpuNanos() {
        long total = cpuNanos(process.toHandle());
        if (total < 0) {
            return -1;
        }
        for (ProcessHandle child : (Iterable<ProcessHandle>) process.descendants()::iterator) {
            total += Math.max(0, cpuNanos(child));
        }
        return total;
    }

    private static long cpuNanos(ProcessHandle handle) {
        return handle.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    /** The RESULT or SENT line, once the process has printed it and exited. */
    public PeerLine awaitResult(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        PeerLine line = await(result, timeout, "its result line");
        try {
            long left = Math.max(0, deadline - System.nanoTime());
            if (!process.waitFor(left, TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException(label + " printed its result but did not exit");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + label, e);
        }
        return line;
    }

    /** Closes the process's stdin: a receiver takes it as "the senders are done". */
    public void closeStdin() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // the process is already gone: awaitResult reports that
        }
    }

    @Override
    public void close() {
        closing = true;
        try {
            // A peer that printed its result exits by itself: let the relays read to end-of-file before killing,
            // since killing closes the pipes under them.
            if (process.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                stdout.join(RELAY_JOIN_MILLIS);
                stderr.join(RELAY_JOIN_MILLIS);
            }
            kill();
            stdout.join(RELAY_JOIN_MILLIS);
            stderr.join(RELAY_JOIN_MILLIS);
        } catch (InterruptedException e) {
            kill();
            Thread.currentThread().interrupt();
        } finally {
            LIVE.remove(this);
        }
    }

    private void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private <T> T await(CompletableFuture<T> future, Duration timeout, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(label + " gave no " + what + " within " + timeout.toSeconds() + " s", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + label, e);
        }
    }

    private void readStdout() {
        try (BufferedReader reader = reader(process.getInputStream())) {
            for (String text; (text = reader.readLine()) != null; ) {
                PeerLine line = PeerLine.parse(text);
                if (line.is("READY")) {
                    ready.complete(line);
                } else if (line.is("PROGRESS")) {
                    progress.accept(line);
                } else if (line.is("RESULT") || line.is("SENT")) {
                    result.complete(line);
                } else {
                    log.println("[" + label + "] " + text);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closing) {
                log.println("[" + label + "] stdout: " + e);
            }
        }
        String exit = exitDescription();
        IllegalStateException gone = new IllegalStateException(label + " " + exit
                + " without the expected line (see its stderr above)");
        ready.completeExceptionally(gone);
        result.completeExceptionally(gone);
    }

    private String exitDescription() {
        try {
            if (process.waitFor(2, TimeUnit.SECONDS)) {
                return "exited with status " + process.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "closed its stdout";
    }

    private void relayStderr() {
        try (BufferedReader reader = reader(process.getErrorStream())) {
            for (String text; (text = reader.readLine()) != null; ) {
                log.println("[" + label + "] " + text);
            }
        } catch (IOException e) {
            // process killed: nothing more to relay
        }
    }

    private static BufferedReader reader(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }
}
