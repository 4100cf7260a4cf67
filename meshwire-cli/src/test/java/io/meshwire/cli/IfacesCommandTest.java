package io.meshwire.cli;

import io.meshwire.nic.InterfaceEnumerator;
import io.meshwire.nic.NetworkInterfaceInfo;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class IfacesCommandTest {

    private static NetworkInterfaceInfo entry(int index, String name, String address, int prefix, String brd,
                                              boolean loopback) {
        return new NetworkInterfaceInfo(index, name, InetAddress.ofLiteral(address), prefix,
                Optional.ofNullable(brd).map(b -> (Inet4Address) InetAddress.ofLiteral(b)), true, loopback, !loopback);
    }

    private static final InterfaceEnumerator FAKE = () -> List.of(
            entry(1, "lo", "127.0.0.1", 8, null, true),
            entry(2, "eth0", "10.1.0.5", 24, "10.1.0.255", false),
            entry(2, "eth0", "fe80::5", 64, null, false),
            entry(3, "eth1", "10.2.0.5", 24, "10.2.0.255", false));

    private record Run(int exit, String out, String err) {}

    private static Run run(InterfaceEnumerator enumerator, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new IfacesCommand(enumerator));
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void shouldListEveryNicAndTheChosenNicWithItsRuleWhenGivenDestinations() {
        Run r = run(FAKE, "10.2.0.77", "10.1.0.255", "127.0.0.1", "192.0.2.9");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).containsPattern("(?m)^1\\s+lo\\s+127\\.0\\.0\\.1/8\\s+-\\s+UP,LOOPBACK$")
                .containsPattern("(?m)^2\\s+eth0\\s+10\\.1\\.0\\.5/24\\s+10\\.1\\.0\\.255\\s+UP,MULTICAST$")
                .containsPattern("(?m)^\\s+fe80:0:0:0:0:0:0:5/64\\s+-\\s*$")
                .containsPattern("(?m)^3\\s+eth1\\s+10\\.2\\.0\\.5/24\\s+10\\.2\\.0\\.255\\s+UP,MULTICAST$")
                .contains("10.2.0.77 -> eth1#3 10.2.0.5/24 (SUBNET: destination is inside the NIC's subnet)")
                .contains("10.1.0.255 -> eth0#2 10.1.0.5/24 (SUBNET:")
                .contains("127.0.0.1 -> lo#1 127.0.0.1/8 (SUBNET:")
                .contains("192.0.2.9 -> eth0#2 10.1.0.5/24 (FIRST_NON_LOOPBACK:");
    }

    @Test
    void shouldPrintOneJsonObjectWhenAskedForJson() {
        Run r = run(FAKE, "--json", "10.2.0.77", "fe80::1");

        assertThat(r.exit()).as("a link-local DEST without scope is an error").isEqualTo(1);
        assertThat(r.out().strip()).startsWith("{\"interfaces\":[{\"index\":1,\"name\":\"lo\",\"up\":true,"
                + "\"loopback\":true,\"multicast\":false,\"addresses\":[{\"address\":\"127.0.0.1\",\"prefix\":8,"
                + "\"broadcast\":null,\"up\":true}]}")
                .contains("{\"address\":\"10.1.0.5\",\"prefix\":24,\"broadcast\":\"10.1.0.255\",\"up\":true}")
                .contains("{\"dest\":\"10.2.0.77\",\"nic\":\"eth1\",\"index\":3,\"address\":\"10.2.0.5\","
                        + "\"reason\":\"SUBNET\"")
                .contains("{\"dest\":\"fe80::1\",\"error\":\"dest fe80:0:0:0:0:0:0:1 is link-local and needs a scope id")
                .endsWith("]}");
        assertThat(r.out().strip().lines()).hasSize(1);
    }

    @Test
    void shouldRefuseANameWithExitCode2WhenDestIsNotALiteral() {
        Run r = run(FAKE, "example.invalid");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("DEST 'example.invalid' is not an IP literal");
    }

    @Test
    void shouldRunThroughMainOnThisHostsInterfaces() {
        StringWriter out = new StringWriter();
        CommandLine cmd = new CommandLine(new Main());
        cmd.setOut(new PrintWriter(out));
        int exit = cmd.execute("ifaces", "127.0.0.1");

        assertThat(exit).isZero();
        assertThat(out.toString()).contains("INDEX").containsPattern("127\\.0\\.0\\.1 -> lo#1 127\\.0\\.0\\.1/8");
    }
}
