package io.meshwire.epics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NameDirectoryTest {
    /** Literals only, plus one fixed name: a test never touches DNS. */
    static final NameDirectory.HostResolver LITERALS = host -> {
        if (host.equals("ioc1.example")) {
            return InetAddress.getByAddress(host, new byte[] {10, 0, 0, 7});
        }
        if (host.equals("v6.example")) {
            return InetAddress.getByName("::1");
        }
        if (!host.matches("[0-9.]+")) {
            throw new UnknownHostException(host);
        }
        return InetAddress.getByName(host);
    };

    private static NameDirectory parse(String... lines) throws DirectoryFormatException {
        return NameDirectory.parse("names.txt", List.of(lines), LITERALS);
    }

    private static String server(DirectoryEntry e) {
        return e == null ? null : e.host().getHostAddress() + ":" + e.port();
    }

    @Test
    void shouldAnswerExactBeforeGlobAndFirstGlobWhenSeveralMatch() throws Exception {
        NameDirectory d = parse(
                "# beamline 1",
                "",
                "BL1:TEMP   10.0.0.1:5064",
                "BL1:*      10.0.0.2:5064   ca   # the rest of BL1 over CA",
                "BL?:PVA:*  10.0.0.3:5075   pva",
                "  BL1:MOTOR 10.0.0.4:5075 PVA",
                "ALL:\\*    ioc1.example:5064",
                "*:LAST     10.0.0.9:5064");
        assertThat(d.size()).isEqualTo(6);
        assertThat(server(d.lookup("BL1:TEMP", EpicsProtocol.CA))).isEqualTo("10.0.0.1:5064");
        assertThat(server(d.lookup("BL1:TEMP", EpicsProtocol.PVA))).isEqualTo("10.0.0.1:5064");
        assertThat(server(d.lookup("BL1:OTHER", EpicsProtocol.CA))).isEqualTo("10.0.0.2:5064");
        assertThat(d.lookup("BL1:OTHER", EpicsProtocol.PVA)).isNull();
        assertThat(server(d.lookup("BL2:PVA:X", EpicsProtocol.PVA))).isEqualTo("10.0.0.3:5075");
        assertThat(server(d.lookup("BL1:PVA:X", EpicsProtocol.CA))).isEqualTo("10.0.0.2:5064");
        assertThat(server(d.lookup("BL1:MOTOR", EpicsProtocol.PVA))).isEqualTo("10.0.0.4:5075");
        assertThat(server(d.lookup("BL1:MOTOR", EpicsProtocol.CA))).isEqualTo("10.0.0.2:5064");
        assertThat(server(d.lookup("ALL:*", EpicsProtocol.CA))).isEqualTo("10.0.0.7:5064");
        assertThat(d.lookup("ALL:X", EpicsProtocol.CA)).isNull();
        assertThat(server(d.lookup("X:Y:LAST", EpicsProtocol.PVA))).isEqualTo("10.0.0.9:5064");
        assertThat(d.lookup("BL10:PVA:X", EpicsProtocol.PVA)).isNull();
        assertThat(d.lookup("", EpicsProtocol.CA)).isNull();
        assertThat(d.lookup("BL1:TEMP", EpicsProtocol.CA).line()).isEqualTo(3);
    }

    @Test
    void shouldMatchGlobsLikeShellWhenStarsAndQuestionMarksMix() throws Exception {
        NameDirectory d = parse("A*B*C 10.0.0.1:1", "?? 10.0.0.2:1", "X**Y 10.0.0.3:1", "Q\\?* 10.0.0.4:1");
        assertThat(server(d.lookup("ABC", EpicsProtocol.CA))).isEqualTo("10.0.0.1:1");
        assertThat(server(d.lookup("AxxBxxBxxC", EpicsProtocol.CA))).isEqualTo("10.0.0.1:1");
        assertThat(d.lookup("AxxBxxCx", EpicsProtocol.CA)).isNull();
        assertThat(server(d.lookup("ZZ", EpicsProtocol.CA))).isEqualTo("10.0.0.2:1");
        assertThat(d.lookup("Z", EpicsProtocol.CA)).isNull();
        assertThat(server(d.lookup("XY", EpicsProtocol.CA))).isEqualTo("10.0.0.2:1"); // "??" is first in the file
        assertThat(server(d.lookup("XabY", EpicsProtocol.CA))).isEqualTo("10.0.0.3:1");
        assertThat(server(d.lookup("Q?anything", EpicsProtocol.CA))).isEqualTo("10.0.0.4:1");
        assertThat(d.lookup("QXanything", EpicsProtocol.CA)).isNull();
    }

    @Test
    void shouldListEveryBadLineWithNumberAndReasonWhenFileIsInvalid() {
        assertThatThrownBy(() -> parse(
                "GOOD 10.0.0.1:5064",
                "ONLYNAME",
                "A 10.0.0.1",
                "B 10.0.0.1:70000",
                "C nosuch.host:5064",
                "D 10.0.0.1:5064 tcp",
                "E [::1]:5064",
                "F v6.example:5064",
                "GOOD 10.0.0.2:5064",
                "G 10.0.0.1:x 1 2",
                "H\u00e9 10.0.0.1:5064",
                "I\\ 10.0.0.1:5064",
                "J :5064"))
                .isInstanceOf(DirectoryFormatException.class)
                .satisfies(e -> {
                    List<DirectoryFormatException.Problem> p = ((DirectoryFormatException) e).problems();
                    assertThat(p).extracting(DirectoryFormatException.Problem::line)
                            .containsExactly(2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13);
                    assertThat(p.get(0).reason()).contains("expected 'NAME-OR-GLOB HOST:PORT").contains("1 field");
                    assertThat(p.get(1).reason()).contains("lacks ':PORT'");
                    assertThat(p.get(2).reason()).contains("'70000'").contains("1..65535");
                    assertThat(p.get(3).reason()).contains("unknown host 'nosuch.host'");
                    assertThat(p.get(4).reason()).contains("unknown protocol 'tcp'");
                    assertThat(p.get(5).reason()).contains("IPv6");
                    assertThat(p.get(6).reason()).contains("IPv6");
                    assertThat(p.get(7).reason()).contains("duplicate entry for 'GOOD'").contains("line 1");
                    assertThat(p.get(8).reason()).contains("4 fields");
                    assertThat(p.get(9).reason()).contains("non-ASCII").contains("column 2");
                    assertThat(p.get(10).reason()).contains("lone '\\'");
                    assertThat(p.get(11).reason()).contains("no host");
                    assertThat(e.getMessage()).contains("names.txt:2: ").contains("names.txt:13: ")
                            .contains("12 errors");
                });
    }

    @Test
    void shouldAllowSameNameOncePerProtocolWhenSplitByProtocol() throws Exception {
        NameDirectory d = parse("PV 10.0.0.1:5064 ca", "PV 10.0.0.1:5075 pva");
        assertThat(d.lookup("PV", EpicsProtocol.CA).port()).isEqualTo(5064);
        assertThat(d.lookup("PV", EpicsProtocol.PVA).port()).isEqualTo(5075);
        assertThatThrownBy(() -> parse("PV 10.0.0.1:5064 ca", "PV 10.0.0.1:5075"))
                .hasMessageContaining("names.txt:2: duplicate entry for 'PV' (ca) first given at line 1");
    }

    @Test
    void shouldTreatEscapedAndPlainSpellingAsOneNameWhenCheckingDuplicates() {
        // found by NameDirectoryFuzzTest: an escaped character is still a character, checked and compared unescaped
        assertThatThrownBy(() -> parse("AB 10.0.0.1:1", "A\\B 10.0.0.2:1"))
                .hasMessageContaining("names.txt:2: duplicate entry for 'A\\B'");
        assertThatThrownBy(() -> parse("A\\\u0081 10.0.0.1:1")).hasMessageContaining("non-ASCII");
    }

    @Test
    void shouldMarkLocalHostWhenServerIsAllZeros() throws Exception {
        NameDirectory d = parse("PV 0.0.0.0:5064");
        assertThat(d.lookup("PV", EpicsProtocol.CA).hostIsLocal()).isTrue();
    }

    @Test
    void shouldReloadOnChangeAndKeepOldDirectoryWhenNewFileIsBad(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("names.txt");
        Files.writeString(file, "A 10.0.0.1:5064\n");
        NameDirectoryFile f = NameDirectoryFile.load(file, LITERALS);
        assertThat(f.current().lookup("A", EpicsProtocol.CA)).isNotNull();
        assertThat(f.reloadIfChanged()).isEqualTo(NameDirectoryFile.Reload.UNCHANGED);

        Files.writeString(file, "A 10.0.0.1:5064\nB 10.0.0.2:5064\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 2_000));
        assertThat(f.reloadIfChanged()).isEqualTo(NameDirectoryFile.Reload.RELOADED);
        assertThat(f.current().lookup("B", EpicsProtocol.CA)).isNotNull();
        assertThat(f.reloads()).isEqualTo(1);

        Files.writeString(file, "A 10.0.0.1:5064\nB 10.0.0.2\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 4_000));
        assertThat(f.reloadIfChanged()).isEqualTo(NameDirectoryFile.Reload.FAILED);
        assertThat(f.lastProblem()).contains(":2: ").contains("lacks ':PORT'").contains("keeping the previous 2");
        assertThat(f.current().lookup("B", EpicsProtocol.CA)).isNotNull();
        // the same bad file is not reparsed on every poll
        assertThat(f.reloadIfChanged()).isEqualTo(NameDirectoryFile.Reload.UNCHANGED);

        Files.delete(file);
        assertThat(f.reloadIfChanged()).isEqualTo(NameDirectoryFile.Reload.FAILED);
        assertThat(f.current().size()).isEqualTo(2);
    }

    @Test
    void shouldFailWithPathWhenFileIsMissing(@TempDir Path dir) {
        assertThatThrownBy(() -> NameDirectoryFile.load(dir.resolve("none.txt"), LITERALS))
                .isInstanceOf(java.nio.file.NoSuchFileException.class).hasMessageContaining("none.txt");
    }
}
