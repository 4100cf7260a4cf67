package io.meshwire.bench.transport;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of the peer protocol ({@link TransportSystem}): a keyword and {@code key=value} fields.
 *
 * @param kind   the first token: READY, PROGRESS, RESULT, SENT, or anything else for a free-form line
 * @param fields the {@code key=value} tokens in order
 */
public record PeerLine(String kind, Map<String, String> fields) {

    /** Splits {@code line} into its keyword and fields; tokens without '=' after the first are ignored. */
    public static PeerLine parse(String line) {
        String[] tokens = line.strip().split("\\s+");
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 1; i < tokens.length; i++) {
            int eq = tokens[i].indexOf('=');
            if (eq > 0) {
                fields.put(tokens[i].substring(0, eq), tokens[i].substring(eq + 1));
            }
        }
        return new PeerLine(tokens.length == 0 ? "" : tokens[0], Map.copyOf(fields));
    }

    /** Whether the line's keyword is {@code keyword}. */
    public boolean is(String keyword) {
        return kind.equals(keyword);
    }

    /** The field as a long, or {@code fallback} when absent. */
    public long number(String key, long fallback) {
        String value = fields.get(key);
        return value == null ? fallback : Long.parseLong(value);
    }

    /** The field as a long; a missing field is a protocol error naming the line. */
    public long number(String key) {
        String value = fields.get(key);
        if (value == null) {
            throw new IllegalStateException(kind + " line lacks " + key + "=: " + fields);
        }
        return Long.parseLong(value);
    }

    /** The comma-separated histogram field, or {@code null} when absent. */
    long[] histogram(String key) {
        String value = fields.get(key);
        if (value == null || value.isEmpty()) {
            return null;
        }
        String[] parts = value.split(",");
        long[] counts = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            counts[i] = Long.parseLong(parts[i]);
        }
        return counts;
    }
}
