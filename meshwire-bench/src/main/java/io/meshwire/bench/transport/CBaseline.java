package io.meshwire.bench.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The C baseline peer {@code src/main/c/udp_baseline.c}, compiled with {@code gcc -O2} into a temporary directory on
 * first use and reused for the rest of the JVM's life.
 *
 * <p>The source is found through the {@code meshwire.bench.cSource} system property, else next to the build output
 * ({@code target/classes/../../src/main/c}), else under the working directory.
 */
final class CBaseline {

    /** System property naming the C source file, overriding the search. */
    static final String SOURCE_PROPERTY = "meshwire.bench.cSource";

    private static final String SOURCE_RELATIVE = "src/main/c/udp_baseline.c";
    private static final List<String> GCC_FLAGS = List.of("-O2", "-Wall", "-Wextra");
    private static final long COMPILE_TIMEOUT_SECONDS = 60;

    private static Path binary;
    private static String warnings = "";

    private CBaseline() {
    }

    /** The compiled binary, compiling it on the first call. */
    static synchronized Path binary() {
        if (binary == null) {
            binary = compile(source());
        }
        return binary;
    }

    /** What gcc printed while compiling (warnings); empty for a clean compile. */
    static synchronized String compilerOutput() {
        binary();
        return warnings;
    }

    static Path source() {
        String property = System.getProperty(SOURCE_PROPERTY);
        if (property != null) {
            Path path = Path.of(property);
            if (!Files.isRegularFile(path)) {
                throw new IllegalStateException(SOURCE_PROPERTY + "=" + property + " is not a file");
            }
            return path;
        }
        List<Path> candidates = new ArrayList<>();
        try {
            Path classes = Path.of(CBaseline.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // target/classes (or target/x.jar) -> the module directory
            Path module = classes.getParent() == null ? null : classes.getParent().getParent();
            if (module != null) {
                candidates.add(module.resolve(SOURCE_RELATIVE));
            }
        } catch (URISyntaxException | RuntimeException e) {
            // no usable code source (e.g. a custom class loader): fall back to the working directory
        }
        Path cwd = Path.of("").toAbsolutePath();
        candidates.add(cwd.resolve(SOURCE_RELATIVE));
        candidates.add(cwd.resolve("meshwire-bench").resolve(SOURCE_RELATIVE));
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("C baseline source not found (looked at " + candidates
                + "); run from the meshwire checkout or pass -D" + SOURCE_PROPERTY + "=/path/to/udp_baseline.c");
    }

    private static Path compile(Path source) {
        try {
            Path dir = Files.createTempDirectory("meshwire-bench-c");
            Path out = dir.resolve("udp_baseline");
            List<String> command = new ArrayList<>();
            command.add("gcc");
            command.addAll(GCC_FLAGS);
            command.add("-o");
            command.add(out.toString());
            command.add(source.toString());
            Process gcc;
            try {
                gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new IllegalStateException("gcc not found: the C baseline is compiled at run time; "
                        + "install it with `apt-get install gcc`; without it the c-* systems fail, the others run "
                        + "without ratios, and --capacity cannot run (its senders are C)", e);
            }
            try {
                gcc.getOutputStream().close();
                byte[] output = gcc.getInputStream().readAllBytes();
                if (!gcc.waitFor(COMPILE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("gcc did not finish within " + COMPILE_TIMEOUT_SECONDS + " s");
                }
                warnings = new String(output, StandardCharsets.UTF_8).strip();
                if (gcc.exitValue() != 0) {
                    throw new IllegalStateException("gcc failed on " + source + ":\n" + warnings);
                }
                if (!warnings.isEmpty()) {
                    System.err.println("[c-baseline] gcc: " + warnings);
                }
            } finally {
                gcc.destroyForcibly();
            }
            // deleteOnExit runs in reverse order of registration: the binary first, then its directory.
            dir.toFile().deleteOnExit();
            out.toFile().deleteOnExit();
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compile the C baseline " + source, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while compiling the C baseline", e);
        }
    }
}
