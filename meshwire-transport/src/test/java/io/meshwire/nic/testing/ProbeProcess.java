package io.meshwire.nic.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child process (usually a JVM in a namespace, started with {@link NetnsFixture#start}) driven by line commands:
 * commands go to its stdin, every line it prints is kept, and tests wait for the lines they expect. A reply that
 * starts with {@code ERROR} fails the test. {@link #close()} sends {@code exit}, closes stdin and kills the process
 * if it does not end in time.
 */
public final class ProbeProcess {
    private static final long EXIT_SECONDS = 10;
    private final Process process;
    private final OutputStream in;
    private final Duration wait;
    private final List<String> lines = new ArrayList<>();

    /**
     * @param process the started child
     * @param wait how long {@link #await} and {@link #command} wait for a line
     */
    public ProbeProcess(Process process, Duration wait) {
        this.process = process;
        this.in = process.getOutputStream();
        this.wait = wait;
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    keep(line);
                }
            } catch (IOException e) {
                keep("PUMP FAILED " + e);
            }
        });
    }

    private void keep(String line) {
        synchronized (lines) {
            lines.add(line);
            lines.notifyAll();
        }
    }

    /** How many lines were printed so far: a mark for {@link #await} and {@link #since}. */
    public int mark() {
        synchronized (lines) {
            return lines.size();
        }
    }

    /** Sends a command and returns the first later line starting with {@code reply}; an ERROR reply fails. */
    public String command(String command, String reply) {
        int from = mark();
        try {
            in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            throw new AssertionError("probe stdin failed: " + e, e);
        }
        return await(from, l -> l.startsWith(reply) || l.startsWith("ERROR " + command));
    }

    /**
     * The first line at index {@code from} or later that matches, waiting up to the probe's wait; fails early when
     * the process ended and printed nothing that matches, and when the matching line is an ERROR.
     */
    public String await(int from, Predicate<String> match) {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (lines) {
            int i = from;
            while (true) {
                for (; i < lines.size(); i++) {
                    if (match.test(lines.get(i))) {
                        String line = lines.get(i);
                        if (line.startsWith("ERROR")) {
                            throw new AssertionError("probe replied " + line);
                        }
                        return line;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || !process.isAlive() && i == lines.size()) {
                    throw new AssertionError("no matching line within " + wait + " (probe alive: "
                            + process.isAlive() + "); probe printed " + lines.subList(from, lines.size()));
                }
                try {
                    lines.wait(Math.min(200, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }
    }

    /** Every line from {@code from} on that matches. */
    public List<String> since(int from, Predicate<String> match) {
        synchronized (lines) {
            return lines.subList(from, lines.size()).stream().filter(match).toList();
        }
    }

    /** Asks the probe to exit, closes its stdin, and kills it if it has not ended within 10 s. */
    public void close() throws InterruptedException {
        try {
            in.write("exit\n".getBytes(StandardCharsets.UTF_8));
            in.close();
        } catch (IOException e) {
            // already gone
        }
        if (!process.waitFor(EXIT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
