package io.meshwire.epics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A name directory backed by a file, reloaded when the file changes: {@link #reloadIfChanged()} compares the
 * modification time, size and file key with the last load (a poll, cheap enough to call every second). A reload
 * that fails keeps the last good directory and reports why; {@link #current()} never returns a half-loaded one.
 *
 * <p>Thread-safe: {@link #current()} may be read from receive threads while one thread polls.
 */
public final class NameDirectoryFile {
    private static final Logger LOG = LoggerFactory.getLogger(NameDirectoryFile.class);

    private final Path path;
    private final NameDirectory.HostResolver resolver;
    private volatile NameDirectory current;
    private FileTime loadedTime;
    private long loadedSize = -1;
    private Object loadedKey;
    private String lastProblem;
    private long reloads;

    private NameDirectoryFile(Path path, NameDirectory.HostResolver resolver) {
        this.path = path;
        this.resolver = resolver;
    }

    /**
     * Loads the file now.
     *
     * @throws DirectoryFormatException when a line is bad (every bad line, with its number and reason)
     * @throws NoSuchFileException      when the file does not exist
     * @throws IOException              when it cannot be read
     */
    public static NameDirectoryFile load(Path path) throws IOException {
        return load(path, NameDirectory.HostResolver.system());
    }

    /** As {@link #load(Path)} with a host resolver (tests avoid DNS with it). */
    public static NameDirectoryFile load(Path path, NameDirectory.HostResolver resolver) throws IOException {
        Objects.requireNonNull(path, "path must not be null");
        NameDirectoryFile f = new NameDirectoryFile(path, Objects.requireNonNull(resolver, "resolver"));
        f.current = f.read(f.attributes());
        return f;
    }

    /** The directory file. */
    public Path path() {
        return path;
    }

    /** The last directory loaded successfully. */
    public NameDirectory current() {
        return current;
    }

    /** How many times the file was reloaded successfully after the first load. */
    public synchronized long reloads() {
        return reloads;
    }

    /** Why the last reload failed, or null when the last attempt succeeded. */
    public synchronized String lastProblem() {
        return lastProblem;
    }

    private BasicFileAttributes attributes() throws IOException {
        return Files.readAttributes(path, BasicFileAttributes.class);
    }

    private NameDirectory read(BasicFileAttributes attrs) throws IOException {
        List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        NameDirectory d = NameDirectory.parse(path.toString(), lines, resolver);
        loadedTime = attrs.lastModifiedTime();
        loadedSize = attrs.size();
        loadedKey = attrs.fileKey();
        return d;
    }

    /** Outcome of a poll. */
    public enum Reload {
        /** The file has not changed. */
        UNCHANGED,
        /** The file changed and the new directory is in use. */
        RELOADED,
        /** The file changed but could not be used; the previous directory stays in use. */
        FAILED
    }

    /**
     * Reloads when the file's modification time, size or identity changed since the last load. Never throws: a
     * failure is logged at WARN (once per distinct problem) and returned.
     */
    public synchronized Reload reloadIfChanged() {
        BasicFileAttributes attrs;
        try {
            attrs = attributes();
        } catch (IOException e) {
            return failed("cannot read " + path + ": " + e);
        }
        if (attrs.lastModifiedTime().equals(loadedTime) && attrs.size() == loadedSize
                && Objects.equals(attrs.fileKey(), loadedKey)) {
            return Reload.UNCHANGED;
        }
        try {
            NameDirectory d = read(attrs);
            current = d;
            reloads++;
            lastProblem = null;
            LOG.info("name directory {} reloaded: {} entries", path, d.size());
            return Reload.RELOADED;
        } catch (IOException e) {
            // remember the attributes so a bad file is reported once, not on every poll
            loadedTime = attrs.lastModifiedTime();
            loadedSize = attrs.size();
            loadedKey = attrs.fileKey();
            return failed(e.getMessage() + "; keeping the previous " + current.size() + " entries");
        }
    }

    private Reload failed(String problem) {
        if (!problem.equals(lastProblem)) {
            LOG.warn("{}", problem);
        }
        lastProblem = problem;
        return Reload.FAILED;
    }
}
