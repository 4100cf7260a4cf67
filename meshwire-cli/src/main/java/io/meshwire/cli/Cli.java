package io.meshwire.cli;

import picocli.CommandLine.Model.CommandSpec;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** Small helpers shared by the commands. */
final class Cli {

    private Cli() {
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
