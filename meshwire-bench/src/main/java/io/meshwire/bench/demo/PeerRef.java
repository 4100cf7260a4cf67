package io.meshwire.bench.demo;

import io.meshwire.mesh.MeshNode;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * How to reach a mesh node from the command line: {@code NODEID@HOST:PORT/KEY} (node id in hex, UDP address, X25519
 * static public key in 64 hex digits), as {@code meshwire node}, {@code sub} and {@code pub} print it, or just
 * {@code NODEID} for a node this one learns from its discovery beacons. An IPv6 host goes in brackets:
 * {@code 1a2b@[fd00::1]:7000/ab..}.
 *
 * @param nodeId  the node id
 * @param address its UDP address, or {@code null} (discovery)
 * @param key     its static public key (32 bytes), or {@code null} (discovery)
 */
public record PeerRef(long nodeId, InetSocketAddress address, byte[] key) {

    /** Checks that address and key come together. */
    public PeerRef {
        if ((address == null) != (key == null)) {
            throw new IllegalArgumentException("a peer needs both its address and its key, or neither (discovery)");
        }
        key = key == null ? null : key.clone();
    }

    @Override
    public byte[] key() {
        return key == null ? null : key.clone();
    }

    /** Whether this names the node by id only, to be found by its beacons. */
    public boolean byDiscovery() {
        return address == null;
    }

    /**
     * Parses {@code NODEID@HOST:PORT/KEY} or {@code NODEID}.
     *
     * @param option the option it came from, for the error message
     * @param text   the text
     * @throws IllegalArgumentException naming what is wrong and the expected form
     */
    public static PeerRef parse(String option, String text) {
        String form = " (expected NODEID@HOST:PORT/KEY as printed by 'meshwire node', or NODEID alone for a node "
                + "found by its beacons)";
        String s = text.strip();
        int at = s.indexOf('@');
        long id;
        try {
            id = parseNodeId(option, at < 0 ? s : s.substring(0, at), "");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " " + text + ": the node id before '@' must be 1 to 16 hex "
                    + "digits" + form, e);
        }
        if (at < 0) {
            return new PeerRef(id, null, null);
        }
        String rest = s.substring(at + 1);
        int slash = rest.lastIndexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException(option + " " + text + ": no /KEY after the address" + form);
        }
        InetSocketAddress address = parseAddress(option, rest.substring(0, slash));
        byte[] key = KeyText.parse(option + " key", rest.substring(slash + 1));
        return new PeerRef(id, address, key);
    }

    /** A node id in hex (up to 16 digits), as printed. */
    public static long parseNodeId(String option, String text, String form) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        if (s.startsWith("0x")) {
            s = s.substring(2);
        }
        if (s.isEmpty() || s.length() > 16 || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException(option + " " + text + ": the node id must be 1 to 16 hex digits" + form);
        }
        return Long.parseUnsignedLong(s, 16);
    }

    /**
     * Parses {@code HOST:PORT} ({@code [V6]:PORT} for IPv6) into a numeric or resolvable address.
     *
     * @throws IllegalArgumentException naming the option and the expected form
     */
    public static InetSocketAddress parseAddress(String option, String text) {
        String s = text.strip();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException(option + " " + text + ": expected HOST:PORT, e.g. 127.0.0.1:7000 or "
                    + "[::1]:7000");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(option + " " + text + ": the port must be a number in 0..65535");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(option + " " + text + ": unknown host " + host
                    + "; use a numeric address such as 10.0.0.1");
        }
    }

    /** The {@code NODEID@HOST:PORT/KEY} of a running node, reachable at {@code address}. */
    public static String format(MeshNode node, InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        if (host.indexOf(':') >= 0) {
            host = "[" + host + "]";
        }
        return hex(node.nodeId()) + "@" + host + ":" + address.getPort() + "/"
                + HexFormat.of().formatHex(node.staticPublicKey());
    }

    /** A node id as 16 hex digits. */
    public static String hex(long nodeId) {
        return String.format(Locale.ROOT, "%016x", nodeId);
    }

    @Override
    public String toString() {
        return byDiscovery() ? hex(nodeId) : hex(nodeId) + "@" + address.getAddress().getHostAddress() + ":"
                + address.getPort() + "/" + HexFormat.of().formatHex(key);
    }
}
