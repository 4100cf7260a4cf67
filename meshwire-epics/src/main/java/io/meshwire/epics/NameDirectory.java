package io.meshwire.epics;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable name directory: which server has which names. Built by {@link #parse}; looked up on the receive
 * path by {@link #lookup(MemorySegment, long, int, EpicsProtocol)} without allocating.
 *
 * <h2>File format</h2>
 * One entry per line: {@code NAME-OR-GLOB HOST:PORT [ca|pva|both]}, fields separated by blanks. Blank lines and
 * lines starting with {@code #} are ignored, as is everything after a field starting with {@code #}. The protocol
 * defaults to {@code both}. HOST is an IPv4 address or a host name resolved when the file is loaded; {@code 0.0.0.0}
 * answers with the address the search arrived at (CA: "use the reply's source", PVA: unspecified address).
 * Globs: {@code *} matches any run of characters, {@code ?} exactly one, {@code \} makes the next character
 * literal. Exact names win over globs; among globs the first in the file wins.
 */
public final class NameDirectory {
    private static final NameDirectory EMPTY = new NameDirectory(List.of());

    private final List<DirectoryEntry> entries;
    // exact names: open addressing on the name bytes, one slot holding a CA and a PVA entry
    private final byte[][] keys;
    private final DirectoryEntry[] caExact;
    private final DirectoryEntry[] pvaExact;
    private final int mask;
    private final Glob[] globs;

    /** A compiled glob: literal bytes and wildcard kinds side by side, escapes resolved. */
    private record Glob(byte[] chars, byte[] kinds, DirectoryEntry entry) {
        static final byte LITERAL = 0;
        static final byte ONE = 1;
        static final byte ANY = 2;
    }

    private NameDirectory(List<DirectoryEntry> entries) {
        this.entries = List.copyOf(entries);
        int exact = 0;
        List<Glob> g = new ArrayList<>();
        for (DirectoryEntry e : entries) {
            if (e.glob()) {
                g.add(compile(e));
            } else {
                exact++;
            }
        }
        int capacity = Integer.highestOneBit(Math.max(4, exact * 2)) * 2;
        keys = new byte[capacity][];
        caExact = new DirectoryEntry[capacity];
        pvaExact = new DirectoryEntry[capacity];
        mask = capacity - 1;
        for (DirectoryEntry e : entries) {
            if (!e.glob()) {
                byte[] k = unescape(e.pattern()).getBytes(StandardCharsets.US_ASCII);
                int i = hash(k) & mask;
                while (keys[i] != null && !java.util.Arrays.equals(keys[i], k)) {
                    i = (i + 1) & mask;
                }
                keys[i] = k;
                if (e.serves(EpicsProtocol.CA)) {
                    caExact[i] = e;
                }
                if (e.serves(EpicsProtocol.PVA)) {
                    pvaExact[i] = e;
                }
            }
        }
        globs = g.toArray(Glob[]::new);
    }

    /** A directory with no entries. */
    public static NameDirectory empty() {
        return EMPTY;
    }

    /** Every entry in file order. */
    public List<DirectoryEntry> entries() {
        return entries;
    }

    /** Number of entries. */
    public int size() {
        return entries.size();
    }

    // FNV-1a over the name bytes
    private static int hash(byte[] k) {
        int h = 0x811C9DC5;
        for (byte b : k) {
            h = (h ^ (b & 0xFF)) * 0x01000193;
        }
        return h ^ (h >>> 16);
    }

    private static int hash(MemorySegment m, long offset, int length) {
        int h = 0x811C9DC5;
        for (int i = 0; i < length; i++) {
            h = (h ^ (m.get(ValueLayout.JAVA_BYTE, offset + i) & 0xFF)) * 0x01000193;
        }
        return h ^ (h >>> 16);
    }

    private static boolean equal(byte[] k, MemorySegment m, long offset, int length) {
        if (k.length != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (k[i] != m.get(ValueLayout.JAVA_BYTE, offset + i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The entry for the name of {@code length} bytes at {@code offset}, or null. Allocates nothing.
     */
    public DirectoryEntry lookup(MemorySegment m, long offset, int length, EpicsProtocol protocol) {
        int i = hash(m, offset, length) & mask;
        byte[] k;
        while ((k = keys[i]) != null) {
            if (equal(k, m, offset, length)) {
                DirectoryEntry e = protocol == EpicsProtocol.CA ? caExact[i] : pvaExact[i];
                if (e != null) {
                    return e;
                }
                break;
            }
            i = (i + 1) & mask;
        }
        for (Glob g : globs) {
            if (g.entry().serves(protocol) && matches(g, m, offset, length)) {
                return g.entry();
            }
        }
        return null;
    }

    /** The entry for {@code name}, or null (allocates; for tools and tests). */
    public DirectoryEntry lookup(String name, EpicsProtocol protocol) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        return lookup(MemorySegment.ofArray(b), 0, b.length, protocol);
    }

    private static boolean matches(Glob g, MemorySegment m, long offset, int length) {
        byte[] chars = g.chars();
        byte[] kinds = g.kinds();
        int p = 0;
        int s = 0;
        int starP = -1;
        int starS = 0;
        while (s < length) {
            if (p < kinds.length && kinds[p] != Glob.ANY
                    && (kinds[p] == Glob.ONE || chars[p] == m.get(ValueLayout.JAVA_BYTE, offset + s))) {
                p++;
                s++;
            } else if (p < kinds.length && kinds[p] == Glob.ANY) {
                starP = p++;
                starS = s;
            } else if (starP >= 0) {
                // backtrack: let the last '*' swallow one more character
                p = starP + 1;
                s = ++starS;
            } else {
                return false;
            }
        }
        while (p < kinds.length && kinds[p] == Glob.ANY) {
            p++;
        }
        return p == kinds.length;
    }

    private static Glob compile(DirectoryEntry e) {
        String pattern = e.pattern();
        byte[] chars = new byte[pattern.length()];
        byte[] kinds = new byte[pattern.length()];
        int n = 0;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                chars[n] = (byte) pattern.charAt(++i);
                kinds[n++] = Glob.LITERAL;
            } else if (c == '*') {
                if (n > 0 && kinds[n - 1] == Glob.ANY) {
                    continue; // '**' is '*'
                }
                kinds[n++] = Glob.ANY;
            } else if (c == '?') {
                kinds[n++] = Glob.ONE;
            } else {
                chars[n] = (byte) c;
                kinds[n++] = Glob.LITERAL;
            }
        }
        return new Glob(java.util.Arrays.copyOf(chars, n), java.util.Arrays.copyOf(kinds, n), e);
    }

    /** Resolves a host name or literal to an IPv4 address; the seam lets tests avoid DNS. */
    @FunctionalInterface
    public interface HostResolver {
        /** Resolves {@code host}, or throws {@link UnknownHostException}. */
        InetAddress resolve(String host) throws UnknownHostException;

        /** {@link InetAddress#getByName}: literals without DNS, names through the system resolver. */
        static HostResolver system() {
            return InetAddress::getByName;
        }
    }

    /**
     * Parses directory text.
     *
     * @param source a name for messages (the file path)
     * @throws DirectoryFormatException listing every bad line with its number and reason
     */
    public static NameDirectory parse(String source, List<String> lines, HostResolver resolver)
            throws DirectoryFormatException {
        Objects.requireNonNull(lines, "lines must not be null");
        List<DirectoryFormatException.Problem> problems = new ArrayList<>();
        List<DirectoryEntry> entries = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            int lineNo = i + 1;
            String[] fields = fields(lines.get(i));
            if (fields.length == 0) {
                continue;
            }
            String problem = null;
            DirectoryEntry entry = null;
            if (fields.length < 2 || fields.length > 3) {
                problem = "expected 'NAME-OR-GLOB HOST:PORT [ca|pva|both]' but found " + fields.length
                        + (fields.length == 1 ? " field" : " fields");
            } else {
                problem = checkName(fields[0]);
                int protocols = 3;
                if (problem == null && fields.length == 3) {
                    protocols = switch (fields[2].toLowerCase(java.util.Locale.ROOT)) {
                        case "ca" -> 1;
                        case "pva" -> 2;
                        case "both" -> 3;
                        default -> 0;
                    };
                    if (protocols == 0) {
                        problem = "unknown protocol '" + fields[2] + "': use ca, pva or both";
                    }
                }
                if (problem == null) {
                    Object hostPort = parseHostPort(fields[1], resolver);
                    if (hostPort instanceof String s) {
                        problem = s;
                    } else {
                        HostPort hp = (HostPort) hostPort;
                        entry = new DirectoryEntry(fields[0], isGlob(fields[0]), hp.host(), hp.port(), protocols,
                                lineNo);
                    }
                }
            }
            if (problem == null) {
                for (EpicsProtocol p : EpicsProtocol.values()) {
                    if (entry.serves(p)) {
                        // exact names compare unescaped (A\B is AB); globs compare as written
                        String key = entry.glob() ? "glob " + entry.pattern() : "name " + unescape(entry.pattern());
                        Integer first = seen.putIfAbsent(p + " " + key, lineNo);
                        if (first != null && problem == null) {
                            problem = "duplicate entry for '" + entry.pattern() + "' (" + p.label()
                                    + ") first given at line " + first;
                        }
                    }
                }
            }
            if (problem != null) {
                problems.add(new DirectoryFormatException.Problem(lineNo, problem));
            } else {
                entries.add(entry);
            }
        }
        if (!problems.isEmpty()) {
            throw new DirectoryFormatException(source, problems);
        }
        return new NameDirectory(entries);
    }

    private static String[] fields(String line) {
        String t = line.strip();
        if (t.isEmpty() || t.startsWith("#")) {
            return new String[0];
        }
        String[] raw = t.split("[ \\t]+");
        int n = 0;
        while (n < raw.length && !raw[n].startsWith("#")) {
            n++;
        }
        return java.util.Arrays.copyOf(raw, n);
    }

    private static String unescape(String pattern) {
        if (pattern.indexOf('\\') < 0) {
            return pattern;
        }
        StringBuilder b = new StringBuilder(pattern.length());
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            b.append(c == '\\' ? pattern.charAt(++i) : c);
        }
        return b.toString();
    }

    private static boolean isGlob(String pattern) {
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '*' || c == '?') {
                return true;
            }
        }
        return false;
    }

    private static String checkName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                return String.format("name '%s' has a control or non-ASCII character (U+%04X) at column %d",
                        name, (int) c, i + 1);
            }
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) == '\\') {
                if (i == name.length() - 1) {
                    return "name '" + name + "' ends with a lone '\\' (it escapes the next character)";
                }
                i++;
            }
        }
        if (name.length() > CaProtocol.MAX_NAME_LENGTH) {
            return "name is " + name.length() + " characters long; the limit is " + CaProtocol.MAX_NAME_LENGTH;
        }
        return null;
    }

    private record HostPort(Inet4Address host, int port) {
    }

    /** Returns a HostPort or a problem text. */
    private static Object parseHostPort(String field, HostResolver resolver) {
        int colon = field.lastIndexOf(':');
        if (colon < 0) {
            return "server '" + field + "' lacks ':PORT' (write HOST:PORT, e.g. 10.0.0.5:5064)";
        }
        String host = field.substring(0, colon);
        String portText = field.substring(colon + 1);
        if (host.isEmpty()) {
            return "server '" + field + "' has no host before ':'";
        }
        if (host.indexOf(':') >= 0 || host.startsWith("[")) {
            return "server '" + field + "' is IPv6; only IPv4 servers are supported (CA carries IPv4 only)";
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            return "port '" + portText + "' in '" + field + "' is not a number in 1..65535";
        }
        InetAddress address;
        try {
            address = resolver.resolve(host);
        } catch (UnknownHostException e) {
            return "unknown host '" + host + "' (not an IPv4 address, and the resolver does not know it)";
        }
        if (address instanceof Inet6Address) {
            return "host '" + host + "' resolves to IPv6 " + address.getHostAddress()
                    + "; only IPv4 servers are supported";
        }
        return new HostPort((Inet4Address) address, port);
    }
}
