package io.meshwire.cli;

import picocli.CommandLine.Model.CommandSpec;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/** Small helpers shared by the commands. */
final class Cli {

    /** Exit code of a usage error: an option is wrong (the message names it), or a socket or file cannot be had. */
    static final int USAGE = 2;

    private Cli() {
    }

    /** A library tool run by a command: its input built from the options, its report written to {@code out}. */
    @FunctionalInterface
    interface Tool<T> {
        /** Runs; returns the exit code. */
        int run(T input, PrintStream out) throws Exception;
    }

    /**
     * Builds the tool's input from the options and runs it on the command's output; an option the input refuses
     * ({@link IllegalArgumentException}) is reported by {@link #usage} instead.
     */
    static <T> int run(CommandSpec spec, Supplier<T> input, Tool<T> tool) throws Exception {
        T in;
        try {
            in = input.get();
        } catch (IllegalArgumentException e) {
            return usage(spec, e.getMessage());
        }
        PrintStream out = printStream(spec);
        int exit = tool.run(in, out);
        out.flush();
        return exit;
    }

    /**
     * Reports a usage error on the command's error stream as {@code meshwire <command>: <message>} and returns
     * {@link #USAGE}.
     */
    static int usage(CommandSpec spec, String message) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(spec.qualifiedName() + ": " + message);
        err.flush();
        return USAGE;
    }

    /**
     * The command's output ({@code CommandLine.getOut()}, which tests redirect) as the {@link PrintStream} the
     * library's reports write to; flushes on every line.
     */
    static PrintStream printStream(CommandSpec spec) {
        PrintWriter writer = spec.commandLine().getOut();
        return new PrintStream(new WriterStream(writer), true, StandardCharsets.UTF_8);
    }

    /** Bytes to a writer: buffered until flush, when PrintStream has written only whole UTF-8 characters. */
    private static final class WriterStream extends OutputStream {
        private final PrintWriter writer;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream(256);

        WriterStream(PrintWriter writer) {
            this.writer = writer;
        }

        @Override
        public synchronized void write(int b) {
            pending.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            pending.write(b, off, len);
        }

        @Override
        public synchronized void flush() {
            if (pending.size() > 0) {
                writer.write(pending.toString(StandardCharsets.UTF_8));
                pending.reset();
            }
            writer.flush();
        }

        @Override
        public void close() {
            flush();
        }
    }
}
