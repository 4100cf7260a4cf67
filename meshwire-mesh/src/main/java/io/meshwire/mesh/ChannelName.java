package io.meshwire.mesh;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A validated net-mesh channel name ({@code channel/name.rs}): 1–255 bytes of {@code a-z 0-9 - _ . /}, not starting
 * or ending with '/', no "//", no "." or ".." segment; hierarchical, e.g. {@code sensors/lidar/front}.
 *
 * @param name the name
 */
public record ChannelName(String name) {
    /** Longest name, in bytes. */
    public static final int MAX_LENGTH = 255;

    /** Validates. @throws IllegalArgumentException naming the rule broken */
    public ChannelName {
        Objects.requireNonNull(name, "channel name must not be null");
        String problem = problem(name);
        if (problem != null) {
            throw new IllegalArgumentException("invalid channel name \"" + name + "\": " + problem);
        }
    }

    /**
     * @param name the name to check
     * @return why it is not a valid channel name, or {@code null} if it is
     */
    static String problem(String name) {
        if (name.isEmpty()) {
            return "empty";
        }
        if (name.length() > MAX_LENGTH) {
            return "longer than " + MAX_LENGTH + " bytes";
        }
        if (name.startsWith("/") || name.endsWith("/")) {
            return "must not start or end with '/'";
        }
        if (name.contains("//")) {
            return "must not contain '//'";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '/';
            if (!ok) {
                return "character '" + c + "' not allowed (lowercase a-z, 0-9, '-', '_', '.', '/')";
            }
        }
        for (String segment : name.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return "segment \"" + segment + "\" is reserved";
            }
        }
        return null;
    }

    /** @return the name's bytes (ASCII) */
    byte[] bytes() {
        return name.getBytes(StandardCharsets.US_ASCII);
    }

    /** @return the canonical 64-bit hash, xxh3_64 of the name */
    public long hash() {
        return Xxh3.hash64(bytes());
    }

    /** @return the header's channel_hash: the low 16 bits of {@link #hash()} (a fast-path hint; collisions happen) */
    public int wireHash() {
        return (int) (hash() & 0xFFFF);
    }

    /**
     * net-mesh's publisher stream id for a channel ({@code publish_stream_id}): {@code 0x0001_0000_0000_0000 |
     * wireHash}, so per-channel order holds within a session.
     *
     * @return the stream id a publisher sends this channel's events on
     */
    public long publishStreamId() {
        return 0x0001_0000_0000_0000L | wireHash();
    }

    @Override
    public String toString() {
        return name;
    }
}
