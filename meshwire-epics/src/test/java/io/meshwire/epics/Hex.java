package io.meshwire.epics;

import java.nio.charset.StandardCharsets;

/** Byte vectors written as in epics-udp.md: hex pairs, with 'quoted ASCII' runs; spaces and '|' ignored. */
final class Hex {
    private Hex() {
    }

    static byte[] bytes(String text) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == ' ' || c == '|' || c == '\n') {
                i++;
            } else if (c == '\'') {
                int close = text.indexOf('\'', i + 1);
                out.writeBytes(text.substring(i + 1, close).getBytes(StandardCharsets.US_ASCII));
                i = close + 1;
            } else {
                out.write(Integer.parseInt(text.substring(i, i + 2), 16));
                i += 2;
            }
        }
        return out.toByteArray();
    }

    static String of(byte[] b, int length) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            if (i > 0) {
                s.append(' ');
            }
            s.append(String.format("%02x", b[i]));
        }
        return s.toString();
    }
}
