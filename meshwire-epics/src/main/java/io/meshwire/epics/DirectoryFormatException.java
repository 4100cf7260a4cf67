package io.meshwire.epics;

import java.io.IOException;
import java.util.List;

/** A name directory file that cannot be used; the message lists each bad line with its number and reason. */
public final class DirectoryFormatException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient List<Problem> problems;

    /** One bad line. */
    public record Problem(int line, String reason) {
    }

    DirectoryFormatException(String source, List<Problem> problems) {
        super(message(source, problems));
        this.problems = List.copyOf(problems);
    }

    private static String message(String source, List<Problem> problems) {
        StringBuilder s = new StringBuilder("name directory ").append(source).append(" has ")
                .append(problems.size()).append(problems.size() == 1 ? " error" : " errors")
                .append(" (format: one 'NAME-OR-GLOB HOST:PORT [ca|pva|both]' per line, # comments):");
        int shown = 0;
        for (Problem p : problems) {
            if (shown++ == 20) {
                s.append("\n  ... and ").append(problems.size() - 20).append(" more");
                break;
            }
            s.append("\n  ").append(source).append(':').append(p.line()).append(": ").append(p.reason());
        }
        return s.toString();
    }

    /** Every problem found, in line order. */
    public List<Problem> problems() {
        return problems;
    }
}
