package io.meshwire.epics.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real EPICS peer in a child process: its output lines are collected, and {@link #close()} ends it and every process
 * it started (CAJ spawns a CA repeater with {@code Runtime.exec}), each by its PID. Descendants are recorded while
 * the peer runs, so one that outlives its parent (and is re-parented to init) is still ended.
 */
final class PeerProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> transcript = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Set<ProcessHandle> descendants = java.util.Collections.synchronizedSet(new LinkedHashSet<>());

    private PeerProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        Thread.ofPlatform().daemon().name("peer-" + name).start(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    transcript.add(line);
                    lines.add(line);
                    noteDescendants();
                }
            } catch (IOException e) {
                transcript.add("[read failed: " + e + "]");
            }
        });
    }

    /** Starts {@code command} with {@code env} added to this process's environment; stderr joins stdout. */
    static PeerProcess start(String name, List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        return new PeerProcess(name, pb.start());
    }

    /** Starts a Java main class of the test class path in a child JVM. */
    static PeerProcess java(String name, Class<?> main, List<String> jvmArgs, Map<String, String> env,
            String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx128m");
        cmd.add("-XX:TieredStopAtLevel=1"); // peers run seconds: start fast rather than optimise
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        return start(name, cmd, env);
    }

    private void noteDescendants() {
        process.descendants().forEach(descendants::add);
    }

    /** The process id. */
    long pid() {
        return process.pid();
    }

    /** Every process started by the peer that was seen while it ran. */
    Set<ProcessHandle> descendantsSeen() {
        noteDescendants();
        synchronized (descendants) {
            return Set.copyOf(descendants);
        }
    }

    /** Waits for a line starting with {@code prefix}; earlier lines are skipped. */
    String await(String prefix, Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)), TimeUnit.NANOSECONDS)
                    : null;
            noteDescendants();
            if (line != null && line.startsWith(prefix)) {
                return line;
            }
            if (line == null && (left <= 0 || !process.isAlive() && lines.isEmpty())) {
                throw new TimeoutException(name + ": no line starting with '" + prefix + "' within " + timeout
                        + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")") + "; output:\n  "
                        + String.join("\n  ", transcript()));
            }
        }
    }

    /** Everything the peer printed so far. */
    List<String> transcript() {
        synchronized (transcript) {
            return List.copyOf(transcript);
        }
    }

    /** Ends the peer and everything it started, by PID: closing stdin asks nicely, then SIGTERM, then SIGKILL. */
    @Override
    public void close() {
        noteDescendants();
        try {
            process.getOutputStream().close(); // peers exit when stdin closes
        } catch (IOException ignored) {
            // already gone
        }
        end(process.toHandle(), 3_000);
        for (ProcessHandle d : descendantsSeen()) {
            end(d, 2_000);
        }
    }

    private static void end(ProcessHandle h, long graceMillis) {
        if (!h.isAlive()) {
            return;
        }
        try {
            h.onExit().get(graceMillis / 2, TimeUnit.MILLISECONDS);
            return;
        } catch (Exception ignored) {
            // still running
        }
        h.destroy();
        try {
            h.onExit().get(graceMillis, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            h.destroyForcibly();
            try {
                h.onExit().get(graceMillis, TimeUnit.MILLISECONDS);
            } catch (Exception ignored) {
                // reported by the leak check of the test that started it
            }
        }
    }

    @Override
    public String toString() {
        return name + "[pid " + process.pid() + "]";
    }
}
