package io.meshwire.epics;

import java.net.Inet4Address;
import java.util.Objects;

/**
 * One line of a name directory: a name or glob and the server that has it.
 *
 * @param pattern   the name, or a glob with {@code *} (any run) and {@code ?} (one character); {@code \} escapes
 * @param glob      whether {@code pattern} has wildcards
 * @param host      the server's IPv4 address; 0.0.0.0 means "the address the search arrived at"
 * @param port      the server's TCP port
 * @param protocols which protocols the entry answers (bit set of {@link EpicsProtocol})
 * @param line      the 1-based line number in the directory file
 */
public record DirectoryEntry(String pattern, boolean glob, Inet4Address host, int port, int protocols, int line) {
    /** Validates the fields. */
    public DirectoryEntry {
        Objects.requireNonNull(pattern, "pattern must not be null");
        Objects.requireNonNull(host, "host must not be null");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535: " + port);
        }
        if (protocols < 1 || protocols > 3) {
            throw new IllegalArgumentException("protocols must name CA, PVA or both: " + protocols);
        }
    }

    /** The host as an int (network order). */
    public int ipv4() {
        return Ipv4.toInt(host);
    }

    /** True when the host is 0.0.0.0: answer with the receiving address instead. */
    public boolean hostIsLocal() {
        return ipv4() == 0;
    }

    /** Whether the entry answers searches of {@code protocol}. */
    public boolean serves(EpicsProtocol protocol) {
        return (protocols & protocol.bit()) != 0;
    }
}
