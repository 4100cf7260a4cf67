package io.meshwire.crypto;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Noise handshake pattern as data (Noise rev 34 §7): the pre-message keys and, per message, its sender and
 * tokens. {@link #named(String)} builds the fundamental (§7.4, §7.5) and deferred (§18.4) patterns and applies
 * {@code pskN} modifiers (§9.2).
 *
 * @param name full pattern name, modifiers included, e.g. {@code NKpsk0}
 * @param initiatorPreMessage keys the responder knows before the handshake ({@code e}/{@code s} tokens)
 * @param responderPreMessage keys the initiator knows before the handshake
 * @param messages the messages, in order; even indexes are sent by the initiator
 */
public record HandshakePattern(String name, List<Token> initiatorPreMessage, List<Token> responderPreMessage,
                               List<List<Token>> messages) {

    /** Noise message tokens (§7.1, §9). */
    public enum Token { E, S, EE, ES, SE, SS, PSK }

    /** Patterns in the spec's own notation: pre-messages, "...", then messages; lines separated by ';'. */
    private static final Map<String, String> BASE = new HashMap<>();

    static {
        // One-way (§7.4)
        BASE.put("N", "<- s; ...; -> e, es");
        BASE.put("K", "-> s; <- s; ...; -> e, es, ss");
        BASE.put("X", "<- s; ...; -> e, es, s, ss");
        // Interactive fundamental (§7.5)
        BASE.put("NN", "-> e; <- e, ee");
        BASE.put("NK", "<- s; ...; -> e, es; <- e, ee");
        BASE.put("NX", "-> e; <- e, ee, s, es");
        BASE.put("KN", "-> s; ...; -> e; <- e, ee, se");
        BASE.put("KK", "-> s; <- s; ...; -> e, es, ss; <- e, ee, se");
        BASE.put("KX", "-> s; ...; -> e; <- e, ee, se, s, es");
        BASE.put("XN", "-> e; <- e, ee; -> s, se");
        BASE.put("XK", "<- s; ...; -> e, es; <- e, ee; -> s, se");
        BASE.put("XX", "-> e; <- e, ee, s, es; -> s, se");
        BASE.put("IN", "-> e, s; <- e, ee, se");
        BASE.put("IK", "<- s; ...; -> e, es, s, ss; <- e, ee, se");
        BASE.put("IX", "-> e, s; <- e, ee, se, s, es");
        // Deferred (§18.4)
        BASE.put("NK1", "<- s; ...; -> e; <- e, ee, es");
        BASE.put("NX1", "-> e; <- e, ee, s; -> es");
        BASE.put("X1N", "-> e; <- e, ee; -> s; <- se");
        BASE.put("X1K", "<- s; ...; -> e, es; <- e, ee; -> s; <- se");
        BASE.put("XK1", "<- s; ...; -> e; <- e, ee, es; -> s, se");
        BASE.put("X1K1", "<- s; ...; -> e; <- e, ee, es; -> s; <- se");
        BASE.put("X1X", "-> e; <- e, ee, s, es; -> s; <- se");
        BASE.put("XX1", "-> e; <- e, ee, s; -> es, s, se");
        BASE.put("X1X1", "-> e; <- e, ee, s; -> es, s; <- se");
        BASE.put("K1N", "-> s; ...; -> e; <- e, ee; -> se");
        BASE.put("K1K", "-> s; <- s; ...; -> e, es; <- e, ee; -> se");
        BASE.put("KK1", "-> s; <- s; ...; -> e; <- e, ee, se, es");
        BASE.put("K1K1", "-> s; <- s; ...; -> e; <- e, ee, es; -> se");
        BASE.put("K1X", "-> s; ...; -> e; <- e, ee, s, es; -> se");
        BASE.put("KX1", "-> s; ...; -> e; <- e, ee, se, s; -> es");
        BASE.put("K1X1", "-> s; ...; -> e; <- e, ee, s; -> se, es");
        BASE.put("I1N", "-> e, s; <- e, ee; -> se");
        BASE.put("I1K", "<- s; ...; -> e, es, s; <- e, ee; -> se");
        BASE.put("IK1", "<- s; ...; -> e, s; <- e, ee, se, es");
        BASE.put("I1K1", "<- s; ...; -> e, s; <- e, ee, es; -> se");
        BASE.put("I1X", "-> e, s; <- e, ee, s, es; -> se");
        BASE.put("IX1", "-> e, s; <- e, ee, se, s; -> es");
        BASE.put("I1X1", "-> e, s; <- e, ee, s; -> se, es");
    }

    private static final Pattern NAME = Pattern.compile("([NKXI1]+)((?:psk\\d+)(?:\\+psk\\d+)*)?");

    /** Canonical copies. */
    public HandshakePattern {
        initiatorPreMessage = List.copyOf(initiatorPreMessage);
        responderPreMessage = List.copyOf(responderPreMessage);
        messages = messages.stream().map(List::copyOf).toList();
    }

    /**
     * Looks up a pattern by its Noise name, with {@code pskN} modifiers.
     *
     * @param name e.g. {@code XX}, {@code NKpsk0}, {@code XXpsk0+psk3}
     * @return the pattern
     * @throws IllegalArgumentException if the pattern or a modifier is not supported
     */
    public static HandshakePattern named(String name) {
        Matcher m = NAME.matcher(name);
        if (!m.matches() || !BASE.containsKey(m.group(1))) {
            throw new IllegalArgumentException("unsupported Noise handshake pattern: " + name
                    + " (supported: " + BASE.keySet().stream().sorted().toList() + " with pskN modifiers)");
        }
        HandshakePattern pattern = parse(name, BASE.get(m.group(1)));
        if (m.group(2) != null) {
            List<List<Token>> messages = new ArrayList<>();
            pattern.messages().forEach(tokens -> messages.add(new ArrayList<>(tokens)));
            for (String modifier : m.group(2).split("\\+")) {
                int n = Integer.parseInt(modifier.substring(3));
                // §9.2: psk0 goes at the start of the first message; pskN at the end of the Nth message.
                if (n == 0) {
                    messages.get(0).addFirst(Token.PSK);
                } else if (n <= messages.size()) {
                    messages.get(n - 1).add(Token.PSK);
                } else {
                    throw new IllegalArgumentException("psk modifier " + modifier + " is past the last message of " + name);
                }
            }
            pattern = new HandshakePattern(name, pattern.initiatorPreMessage(), pattern.responderPreMessage(), messages);
        }
        return pattern;
    }

    /** @return whether this pattern has a {@code psk} token, which makes every {@code e} also MixKey (§9.2) */
    public boolean isPsk() {
        return messages.stream().anyMatch(tokens -> tokens.contains(Token.PSK));
    }

    /** @return whether this is a one-way pattern (one message; the responder never sends) */
    public boolean isOneWay() {
        return messages.size() == 1;
    }

    private static HandshakePattern parse(String name, String notation) {
        List<Token> initiatorPre = new ArrayList<>();
        List<Token> responderPre = new ArrayList<>();
        List<List<Token>> messages = new ArrayList<>();
        String[] lines = notation.split(";");
        boolean pre = notation.contains("...");
        for (String raw : lines) {
            String line = raw.trim();
            if (line.equals("...")) {
                pre = false;
                continue;
            }
            boolean fromInitiator = line.startsWith("->");
            List<Token> tokens = new ArrayList<>();
            for (String token : line.substring(2).split(",")) {
                tokens.add(Token.valueOf(token.trim().toUpperCase(Locale.ROOT)));
            }
            if (pre) {
                (fromInitiator ? initiatorPre : responderPre).addAll(tokens);
            } else {
                if (fromInitiator != (messages.size() % 2 == 0)) {
                    throw new IllegalStateException("messages must alternate, starting with the initiator: " + name);
                }
                messages.add(tokens);
            }
        }
        return new HandshakePattern(name, initiatorPre, responderPre, messages);
    }
}
