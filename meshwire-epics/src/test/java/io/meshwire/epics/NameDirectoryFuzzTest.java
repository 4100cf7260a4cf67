package io.meshwire.epics;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Coverage-guided fuzzing of the directory parser and the glob matcher: parsing arbitrary text either succeeds or
 * throws {@link DirectoryFormatException} with at least one problem; in an accepted directory every exact name finds
 * its own entry, and lookups of arbitrary names never throw.
 */
public class NameDirectoryFuzzTest {
    private static final NameDirectory.HostResolver LITERALS = NameDirectoryTest.LITERALS;

    @FuzzTest(maxDuration = "5s")
    void shouldParseOrExplainAndMatchConsistentlyWhenDirectoryTextIsArbitrary(byte[] data) {
        fuzzerTestOneInput(data);
    }

    /** Entry point for Jazzer's standalone driver as well: the input is the file text. */
    public static void fuzzerTestOneInput(byte[] data) {
        String text = new String(data, StandardCharsets.ISO_8859_1);
        NameDirectory d;
        try {
            d = NameDirectory.parse("fuzz", List.of(text.split("\n", -1)), LITERALS);
        } catch (DirectoryFormatException e) {
            FuzzSupport.check(!e.problems().isEmpty() && e.getMessage().contains("fuzz:"), "problems are listed");
            return;
        }
        for (DirectoryEntry e : d.entries()) {
            if (!e.glob()) {
                String name = e.pattern().replaceAll("\\\\(.)", "$1");
                for (EpicsProtocol p : EpicsProtocol.values()) {
                    if (e.serves(p)) {
                        FuzzSupport.check(d.lookup(name, p) == e, "an exact name finds its own entry");
                    }
                }
            }
        }
        String probe = text.length() > 40 ? text.substring(0, 40) : text;
        for (EpicsProtocol p : EpicsProtocol.values()) {
            d.lookup(probe, p);
            d.lookup(probe.strip(), p);
        }
    }
}
