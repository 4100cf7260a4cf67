package io.meshwire.epics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BeaconSenderConfigTest {
    private static BeaconSenderConfig.Builder env(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return BeaconSenderConfig.builder().resolver(NameDirectoryTest.LITERALS).environment(m);
    }

    @Test
    void shouldBeOffWithRsrvDefaultsWhenNothingIsSet() {
        BeaconSenderConfig c = BeaconSenderConfig.builder().environment(Map.of()).build();
        assertThat(c.enabled()).isFalse();
        assertThat(c).isEqualTo(BeaconSenderConfig.disabled());
        assertThat(c.caPeriod()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.pvaPeriod()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.caPort()).isEqualTo(5065);
        assertThat(c.pvaPort()).isEqualTo(5076);
        assertThat(c.caAutoAddrList()).isTrue();
        assertThat(c.pvaAutoAddrList()).isTrue();
        assertThat(c.caAddrList()).isEmpty();
        assertThat(c.pvaAddrList()).isEmpty();
        assertThat(NameServerConfig.builder().build().beacons().enabled()).isFalse();
    }

    @Test
    void shouldReadServerVariablesWhenTheyAreSet() {
        BeaconSenderConfig c = env(
                "EPICS_CAS_BEACON_PERIOD", " 2.5 ",
                "EPICS_PVAS_BEACON_PERIOD", "0.5",
                "EPICS_CA_REPEATER_PORT", "15065",
                "EPICS_PVA_BROADCAST_PORT", "15076",
                "EPICS_CAS_BEACON_ADDR_LIST", "10.0.0.255 10.0.1.7:7000",
                "EPICS_CAS_AUTO_BEACON_ADDR_LIST", "NO",
                "EPICS_PVAS_BEACON_ADDR_LIST", "224.0.2.3,4@eth1",
                "EPICS_PVAS_AUTO_BEACON_ADDR_LIST", "no").enabled(true).build();
        assertThat(c.enabled()).isTrue();
        assertThat(c.period(EpicsProtocol.CA)).isEqualTo(Duration.ofMillis(2500));
        assertThat(c.period(EpicsProtocol.PVA)).isEqualTo(Duration.ofMillis(500));
        assertThat(c.port(EpicsProtocol.CA)).isEqualTo(15065);
        assertThat(c.port(EpicsProtocol.PVA)).isEqualTo(15076);
        assertThat(c.addrList(EpicsProtocol.CA)).extracting(AddressListEntry::toString)
                .containsExactly("10.0.0.255:15065", "10.0.1.7:7000");
        assertThat(c.addrList(EpicsProtocol.PVA)).extracting(AddressListEntry::toString)
                .containsExactly("224.0.2.3:15076,4@eth1");
        assertThat(c.autoAddrList(EpicsProtocol.CA)).isFalse();
        assertThat(c.autoAddrList(EpicsProtocol.PVA)).isFalse();
    }

    @Test
    void shouldPreferCasBeaconPortWhenRepeaterPortIsAlsoSet() {
        BeaconSenderConfig c = env("EPICS_CA_REPEATER_PORT", "15065", "EPICS_CAS_BEACON_PORT", "16065",
                "EPICS_CAS_BEACON_ADDR_LIST", "10.0.0.1").build();
        assertThat(c.caPort()).isEqualTo(16065);
        assertThat(c.caAddrList().get(0).port()).isEqualTo(16065);
    }

    @Test
    void shouldLetLaterSettersOverrideTheEnvironmentWhenBothAreGiven() {
        BeaconSenderConfig c = env("EPICS_CAS_BEACON_PERIOD", "3", "EPICS_PVA_BROADCAST_PORT", "15076")
                .period(Duration.ofMillis(100)).pvaPort(17076).autoAddrList(false).caAddrList("127.0.0.1")
                .build();
        assertThat(c.caPeriod()).isEqualTo(Duration.ofMillis(100));
        assertThat(c.pvaPeriod()).isEqualTo(Duration.ofMillis(100));
        assertThat(c.pvaPort()).isEqualTo(17076);
        assertThat(c.caAddrList()).extracting(AddressListEntry::toString).containsExactly("127.0.0.1:5065");
    }

    @Test
    void shouldNameTheVariableWhenAValueIsInvalid() {
        assertThatThrownBy(() -> env("EPICS_CAS_BEACON_PERIOD", "often").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("EPICS_CAS_BEACON_PERIOD='often' is not a period: use seconds in 0.02..3600");
        assertThatThrownBy(() -> env("EPICS_PVAS_BEACON_PERIOD", "0.001").build())
                .hasMessageContaining("EPICS_PVAS_BEACON_PERIOD='0.001'");
        assertThatThrownBy(() -> env("EPICS_PVAS_BEACON_PERIOD", "NaN").build())
                .hasMessageContaining("EPICS_PVAS_BEACON_PERIOD='NaN'");
        assertThatThrownBy(() -> env("EPICS_CAS_BEACON_PORT", "70000").build())
                .hasMessageContaining("EPICS_CAS_BEACON_PORT='70000' is not a port");
        assertThatThrownBy(() -> env("EPICS_CAS_AUTO_BEACON_ADDR_LIST", "maybe").build())
                .hasMessageContaining("EPICS_CAS_AUTO_BEACON_ADDR_LIST='maybe' is not a boolean");
        assertThatThrownBy(() -> env("EPICS_CAS_BEACON_ADDR_LIST", "10.0.0.1,5").build())
                .hasMessageContaining("EPICS_CAS_BEACON_ADDR_LIST entry '10.0.0.1,5'");
        assertThatThrownBy(() -> BeaconSenderConfig.builder().period(Duration.ofHours(2)).build())
                .hasMessageContaining("caPeriod must be 0.02..3600 s");
    }

    @Test
    void shouldRefuseWhenBeaconsAreOnWithoutAnyDestination() {
        assertThatThrownBy(() -> BeaconSenderConfig.builder().enabled(true).autoAddrList(false).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("beacons are on but have no destination");
        // off, the same settings are fine; one protocol with a destination is enough
        assertThat(BeaconSenderConfig.builder().autoAddrList(false).build().enabled()).isFalse();
        assertThat(BeaconSenderConfig.builder().enabled(true).caAutoAddrList(false).build().pvaAutoAddrList())
                .isTrue();
    }
}
