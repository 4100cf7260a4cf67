package io.meshwire.bench.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * 32-byte keys (mesh PSK, identity seed, static public key) as hex text on the command line or in a file. Errors
 * name the option and how to fix it.
 */
public final class KeyText {

    /** Bytes in every key here. */
    public static final int LENGTH = 32;

    private KeyText() {
    }

    /**
     * Parses 64 hex digits (spaces, colons and a {@code 0x} prefix allowed).
     *
     * @param option the option, for the message
     * @param text   the hex text
     * @throws IllegalArgumentException naming the option, what was wrong, and how to make a key
     */
    public static byte[] parse(String option, String text) {
        String s = text.strip();
        if (s.startsWith("0x") || s.startsWith("0X")) {
            s = s.substring(2);
        }
        s = s.replace(" ", "").replace(":", "");
        if (s.length() != 2 * LENGTH || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException(option + ": expected " + 2 * LENGTH + " hex digits (" + LENGTH
                    + " bytes), got " + describe(s) + "; make a new key with 'meshwire keygen'");
        }
        return HexFormat.of().parseHex(s);
    }

    /**
     * Reads a key file holding 64 hex digits (surrounding white space and {@code #} comment lines ignored).
     *
     * @throws IllegalArgumentException naming the option and the file when it is missing, unreadable or malformed
     */
    public static byte[] read(String option, Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + file + ": cannot read the file (" + e.getMessage()
                    + "); write one with 'meshwire keygen > " + file + "'");
        }
        StringBuilder hex = new StringBuilder();
        for (String line : text.split("\\R")) {
            if (!line.strip().startsWith("#")) {
                hex.append(line.strip());
            }
        }
        return parse(option + " " + file, hex.toString());
    }

    /** 32 random bytes as 64 hex digits. */
    public static String generate() {
        byte[] key = new byte[LENGTH];
        new SecureRandom().nextBytes(key);
        return HexFormat.of().formatHex(key);
    }

    private static String describe(String s) {
        long nonHex = s.chars().filter(c -> Character.digit(c, 16) < 0).count();
        return s.length() + " characters" + (nonHex > 0 ? " (" + nonHex + " not hex)" : "");
    }
}
