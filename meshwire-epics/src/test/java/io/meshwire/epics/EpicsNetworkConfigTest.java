package io.meshwire.epics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwire.nic.NetworkInterfaceInfo;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EpicsNetworkConfigTest {
    private static EpicsNetworkConfig env(String... kv) {
        java.util.Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return EpicsNetworkConfig.builder().resolver(NameDirectoryTest.LITERALS).environment(m).build();
    }

    static NetworkInterfaceInfo nic(int index, String name, String ip, int prefix, String broadcast, boolean up,
            boolean loopback) throws Exception {
        return new NetworkInterfaceInfo(index, name, InetAddress.getByName(ip), prefix,
                broadcast == null ? Optional.empty() : Optional.of((Inet4Address) InetAddress.getByName(broadcast)),
                up, loopback, true);
    }

    static List<NetworkInterfaceInfo> twoNics() throws Exception {
        return List.of(
                nic(1, "lo", "127.0.0.1", 8, null, true, true),
                nic(2, "eth0", "10.99.1.1", 24, "10.99.1.255", true, false),
                nic(3, "eth1", "10.99.2.1", 24, "10.99.2.255", true, false),
                nic(4, "eth2", "10.99.3.1", 24, "10.99.3.255", false, false),
                nic(5, "ppp0", "10.99.4.1", 32, null, true, false),
                new NetworkInterfaceInfo(3, "eth1", InetAddress.getByName("fe80::1"), 64, Optional.empty(), true,
                        false, true));
    }

    @Test
    void shouldUseEpicsDefaultsWhenNothingIsSet() {
        EpicsNetworkConfig c = EpicsNetworkConfig.fromEnvironment(Map.of());
        assertThat(c.caAutoAddrList()).isTrue();
        assertThat(c.pvaAutoAddrList()).isTrue();
        assertThat(c.caServerPort()).isEqualTo(5064);
        assertThat(c.caRepeaterPort()).isEqualTo(5065);
        assertThat(c.pvaBroadcastPort()).isEqualTo(5076);
        assertThat(c.caAddrList()).isEmpty();
        assertThat(c.pvaAddrList()).isEmpty();
    }

    @Test
    void shouldParseListsWithDefaultPortsWhenEntriesOmitThem() {
        EpicsNetworkConfig c = env(
                "EPICS_CA_ADDR_LIST", " 127.0.0.1  10.0.0.255:6064\t10.1.2.3 ",
                "EPICS_CA_AUTO_ADDR_LIST", "no",
                "EPICS_CA_SERVER_PORT", "15064",
                "EPICS_CA_REPEATER_PORT", "15065",
                "EPICS_PVA_ADDR_LIST", "127.0.0.1 224.0.2.3,255@192.168.1.1 10.0.0.1:9000,4@eth1",
                "EPICS_PVA_AUTO_ADDR_LIST", "FALSE",
                "EPICS_PVA_BROADCAST_PORT", "15076");
        assertThat(c.caAutoAddrList()).isFalse();
        assertThat(c.pvaAutoAddrList()).isFalse();
        assertThat(c.caServerPort()).isEqualTo(15064);
        assertThat(c.caRepeaterPort()).isEqualTo(15065);
        assertThat(c.pvaBroadcastPort()).isEqualTo(15076);
        assertThat(c.caAddrList()).extracting(AddressListEntry::toString)
                .containsExactly("127.0.0.1:15064", "10.0.0.255:6064", "10.1.2.3:15064");
        assertThat(c.pvaAddrList()).extracting(AddressListEntry::toString)
                .containsExactly("127.0.0.1:15076", "224.0.2.3:15076,255@192.168.1.1", "10.0.0.1:9000,4@eth1");
    }

    @Test
    void shouldAcceptBooleanSpellingsWhenCaseDiffers() {
        for (String yes : new String[] {"YES", "yes", "True", "1"}) {
            assertThat(env("EPICS_CA_AUTO_ADDR_LIST", yes).caAutoAddrList()).isTrue();
        }
        for (String no : new String[] {"NO", "No", "false", "0"}) {
            assertThat(env("EPICS_PVA_AUTO_ADDR_LIST", no).pvaAutoAddrList()).isFalse();
        }
        assertThat(env("EPICS_CA_AUTO_ADDR_LIST", "  ").caAutoAddrList()).isTrue();
    }

    @Test
    void shouldNameVariableAndFixWhenValueIsInvalid() {
        assertThatThrownBy(() -> env("EPICS_CA_AUTO_ADDR_LIST", "maybe"))
                .hasMessage("EPICS_CA_AUTO_ADDR_LIST='maybe' is not a boolean: use YES or NO");
        assertThatThrownBy(() -> env("EPICS_CA_SERVER_PORT", "0"))
                .hasMessage("EPICS_CA_SERVER_PORT='0' is not a port: use a number in 1..65535");
        assertThatThrownBy(() -> env("EPICS_PVA_BROADCAST_PORT", "x"))
                .hasMessageContaining("EPICS_PVA_BROADCAST_PORT='x'");
        assertThatThrownBy(() -> env("EPICS_CA_ADDR_LIST", "10.0.0.1:99999"))
                .hasMessage("EPICS_CA_ADDR_LIST entry '10.0.0.1:99999' has port '99999': use a number in 1..65535");
        assertThatThrownBy(() -> env("EPICS_CA_ADDR_LIST", "no.such.host"))
                .hasMessage("EPICS_CA_ADDR_LIST entry 'no.such.host': unknown host 'no.such.host'");
        assertThatThrownBy(() -> env("EPICS_CA_ADDR_LIST", "224.0.2.3,2"))
                .hasMessageContaining("CA entries are host[:port] only");
        assertThatThrownBy(() -> env("EPICS_PVA_ADDR_LIST", "224.0.2.3,300"))
                .hasMessageContaining("TTL '300'");
        assertThatThrownBy(() -> env("EPICS_PVA_ADDR_LIST", "[::1]:5076"))
                .hasMessageContaining("IPv6");
        assertThatThrownBy(() -> env("EPICS_PVA_ADDR_LIST", ":5076")).hasMessageContaining("has no host");
    }

    @Test
    void shouldSendAutoBroadcastsThroughTheirNicsWhenAutoListIsOn() throws Exception {
        EpicsNetworkConfig c = env("EPICS_CA_ADDR_LIST", "10.99.2.255 127.0.0.1:7000 255.255.255.255 10.5.5.5");
        List<SearchTarget> t = SearchTargets.resolve(c, EpicsProtocol.CA, twoNics());
        assertThat(t).extracting(SearchTarget::toString).containsExactly(
                "ca 10.99.1.255:5064 NIC_BROADCAST if#2 (auto:eth0)",
                "ca 10.99.2.255:5064 NIC_BROADCAST if#3 (auto:eth1)",
                "ca 127.0.0.1:7000 UNICAST (127.0.0.1:7000)",
                "ca 255.255.255.255:5064 FANOUT (255.255.255.255)",
                "ca 10.5.5.5:5064 UNICAST (10.5.5.5)");
    }

    @Test
    void shouldUseOnlyExplicitEntriesWhenAutoListIsOff() throws Exception {
        EpicsNetworkConfig c = env("EPICS_PVA_AUTO_ADDR_LIST", "NO",
                "EPICS_PVA_ADDR_LIST", "10.99.1.255 224.0.2.3@eth1 224.0.2.4");
        List<SearchTarget> t = SearchTargets.resolve(c, List.of(EpicsProtocol.PVA), twoNics());
        assertThat(t).extracting(SearchTarget::toString).containsExactly(
                "pva 10.99.1.255:5076 NIC_BROADCAST if#2 (10.99.1.255)",
                "pva 224.0.2.3:5076 NIC_BROADCAST if#3 (224.0.2.3@eth1)",
                "pva 224.0.2.4:5076 FANOUT (224.0.2.4)");
        assertThat(SearchTargets.resolve(EpicsNetworkConfig.builder().caAutoAddrList(false).build(),
                EpicsProtocol.CA, twoNics())).isEmpty();
    }
}
