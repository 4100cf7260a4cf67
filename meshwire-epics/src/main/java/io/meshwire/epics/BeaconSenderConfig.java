package io.meshwire.epics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Validated, immutable configuration of the beacons a {@link NameServer} sends to announce itself: CA
 * {@code RSRV_IS_UP} to the CA repeater port and PVA {@code CMD_BEACON} to the PVA broadcast port. Off by default.
 * Build one with {@link #builder()}; {@link Builder#environment} reads the server-side EPICS variables:
 *
 * <ul>
 *   <li>{@code EPICS_CAS_BEACON_PERIOD}, {@code EPICS_PVAS_BEACON_PERIOD} (seconds, default 15): the longest
 *       interval between beacons. As rsrv does, the first beacon goes out at once, the next after 20 ms, and each
 *       interval doubles up to the period.</li>
 *   <li>{@code EPICS_CAS_BEACON_PORT}, else {@code EPICS_CA_REPEATER_PORT} (default 5065); {@code
 *       EPICS_PVA_BROADCAST_PORT} (default 5076): the destination port of entries without one.</li>
 *   <li>{@code EPICS_CAS_BEACON_ADDR_LIST}, {@code EPICS_PVAS_BEACON_ADDR_LIST}: explicit destinations (blank-separated
 *       {@code host[:port]}, PVA also {@code [,TTL][@iface]}, parsed as {@link EpicsNetworkConfig} parses address
 *       lists), each sent with {@link EpicsTransport#send} (routed; TTL and interface are not used).</li>
 *   <li>{@code EPICS_CAS_AUTO_BEACON_ADDR_LIST}, {@code EPICS_PVAS_AUTO_BEACON_ADDR_LIST} (default YES): also send
 *       to 255.255.255.255 through every up, non-loopback NIC ({@link EpicsTransport#fanout}).</li>
 * </ul>
 *
 * @param enabled         send beacons at all
 * @param caPeriod        the longest interval between CA beacons
 * @param pvaPeriod       the longest interval between PVA beacons
 * @param caPort          the CA beacon port (the repeater's) for the automatic destination and entries without a port
 * @param pvaPort         the PVA beacon port for the automatic destination and entries without a port
 * @param caAddrList      explicit CA beacon destinations
 * @param caAutoAddrList  add 255.255.255.255 through every NIC for CA
 * @param pvaAddrList     explicit PVA beacon destinations
 * @param pvaAutoAddrList add 255.255.255.255 through every NIC for PVA
 */
public record BeaconSenderConfig(boolean enabled, Duration caPeriod, Duration pvaPeriod, int caPort, int pvaPort,
        List<AddressListEntry> caAddrList, boolean caAutoAddrList, List<AddressListEntry> pvaAddrList,
        boolean pvaAutoAddrList) {

    /** Environment variable names. */
    public static final String CAS_BEACON_PERIOD = "EPICS_CAS_BEACON_PERIOD";
    /** See the class description. */
    public static final String PVAS_BEACON_PERIOD = "EPICS_PVAS_BEACON_PERIOD";
    /** See the class description. */
    public static final String CAS_BEACON_PORT = "EPICS_CAS_BEACON_PORT";
    /** See the class description. */
    public static final String CAS_BEACON_ADDR_LIST = "EPICS_CAS_BEACON_ADDR_LIST";
    /** See the class description. */
    public static final String CAS_AUTO_BEACON_ADDR_LIST = "EPICS_CAS_AUTO_BEACON_ADDR_LIST";
    /** See the class description. */
    public static final String PVAS_BEACON_ADDR_LIST = "EPICS_PVAS_BEACON_ADDR_LIST";
    /** See the class description. */
    public static final String PVAS_AUTO_BEACON_ADDR_LIST = "EPICS_PVAS_AUTO_BEACON_ADDR_LIST";

    /** The default period, as rsrv and pvxs. */
    public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(15);
    /** The first interval (rsrv's), which doubles up to the period; also the shortest period accepted. */
    public static final Duration FIRST_INTERVAL = Duration.ofMillis(20);
    /** The longest period accepted. */
    public static final Duration MAX_PERIOD = Duration.ofHours(1);

    /** Validates the fields. */
    public BeaconSenderConfig {
        Objects.requireNonNull(caPeriod, "caPeriod");
        Objects.requireNonNull(pvaPeriod, "pvaPeriod");
        caAddrList = List.copyOf(caAddrList);
        pvaAddrList = List.copyOf(pvaAddrList);
        checkPeriod("caPeriod", caPeriod);
        checkPeriod("pvaPeriod", pvaPeriod);
        if (caPort < 1 || caPort > 65535) {
            throw new IllegalArgumentException("caPort must be a port in 1..65535: " + caPort);
        }
        if (pvaPort < 1 || pvaPort > 65535) {
            throw new IllegalArgumentException("pvaPort must be a port in 1..65535: " + pvaPort);
        }
        if (enabled && !caAutoAddrList && caAddrList.isEmpty() && !pvaAutoAddrList && pvaAddrList.isEmpty()) {
            throw new IllegalArgumentException("beacons are on but have no destination: set "
                    + CAS_BEACON_ADDR_LIST + " or " + PVAS_BEACON_ADDR_LIST + ", or leave the automatic lists on");
        }
    }

    private static void checkPeriod(String name, Duration d) {
        if (d.compareTo(FIRST_INTERVAL) < 0 || d.compareTo(MAX_PERIOD) > 0) {
            throw new IllegalArgumentException(name + " must be 0.02..3600 s: " + d);
        }
    }

    /** The period of {@code protocol}. */
    public Duration period(EpicsProtocol protocol) {
        return protocol == EpicsProtocol.CA ? caPeriod : pvaPeriod;
    }

    /** The beacon port of {@code protocol}. */
    public int port(EpicsProtocol protocol) {
        return protocol == EpicsProtocol.CA ? caPort : pvaPort;
    }

    /** The explicit destinations of {@code protocol}. */
    public List<AddressListEntry> addrList(EpicsProtocol protocol) {
        return protocol == EpicsProtocol.CA ? caAddrList : pvaAddrList;
    }

    /** Whether {@code protocol} also fans out to 255.255.255.255 over every NIC. */
    public boolean autoAddrList(EpicsProtocol protocol) {
        return protocol == EpicsProtocol.CA ? caAutoAddrList : pvaAutoAddrList;
    }

    /** Beacons off; the defaults apply once {@link Builder#enabled} turns them on. */
    public static BeaconSenderConfig disabled() {
        return builder().build();
    }

    /**
     * A builder with the defaults: off; when on, 15 s periods, ports 5065 and 5076, no explicit destinations, the
     * automatic destinations on.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link BeaconSenderConfig}; the list, flag and port setters take the raw text the environment holds. */
    public static final class Builder {
        private boolean enabled;
        private Duration caPeriod = DEFAULT_PERIOD;
        private Duration pvaPeriod = DEFAULT_PERIOD;
        private String caPeriodText;
        private String pvaPeriodText;
        private String caPortName = EpicsNetworkConfig.CA_REPEATER_PORT;
        private String caPort = String.valueOf(CaProtocol.DEFAULT_REPEATER_PORT);
        private String pvaPort = String.valueOf(PvaProtocol.DEFAULT_BROADCAST_PORT);
        private String caAddrList = "";
        private String pvaAddrList = "";
        private String caAutoAddrList = "YES";
        private String pvaAutoAddrList = "YES";
        private NameDirectory.HostResolver resolver = NameDirectory.HostResolver.system();

        private Builder() {
        }

        /**
         * Takes every variable of the class description that is set and not blank from {@code env} (e.g.
         * {@link System#getenv()}); setters called later override it. Does not turn beacons on.
         */
        public Builder environment(Map<String, String> env) {
            Objects.requireNonNull(env, "env must not be null");
            caPeriodText = nonBlank(env.get(CAS_BEACON_PERIOD), caPeriodText);
            pvaPeriodText = nonBlank(env.get(PVAS_BEACON_PERIOD), pvaPeriodText);
            String repeater = env.get(EpicsNetworkConfig.CA_REPEATER_PORT);
            if (repeater != null && !repeater.isBlank()) {
                caPort(repeater, EpicsNetworkConfig.CA_REPEATER_PORT);
            }
            String beaconPort = env.get(CAS_BEACON_PORT);
            if (beaconPort != null && !beaconPort.isBlank()) {
                caPort(beaconPort, CAS_BEACON_PORT); // rsrv: EPICS_CAS_BEACON_PORT wins over the repeater port
            }
            pvaPort = nonBlank(env.get(EpicsNetworkConfig.PVA_BROADCAST_PORT), pvaPort);
            caAddrList = env.getOrDefault(CAS_BEACON_ADDR_LIST, caAddrList);
            pvaAddrList = env.getOrDefault(PVAS_BEACON_ADDR_LIST, pvaAddrList);
            caAutoAddrList = nonBlank(env.get(CAS_AUTO_BEACON_ADDR_LIST), caAutoAddrList);
            pvaAutoAddrList = nonBlank(env.get(PVAS_AUTO_BEACON_ADDR_LIST), pvaAutoAddrList);
            return this;
        }

        private static String nonBlank(String v, String otherwise) {
            return v == null || v.isBlank() ? otherwise : v;
        }

        private void caPort(String text, String name) {
            caPort = text;
            caPortName = name;
        }

        /** Sends beacons (default off). */
        public Builder enabled(boolean v) { this.enabled = v; return this; }

        /** Both periods. */
        public Builder period(Duration v) { caPeriod(v); return pvaPeriod(v); }

        /** {@code EPICS_CAS_BEACON_PERIOD} as a duration. */
        public Builder caPeriod(Duration v) {
            this.caPeriod = Objects.requireNonNull(v, "caPeriod");
            this.caPeriodText = null;
            return this;
        }

        /** {@code EPICS_PVAS_BEACON_PERIOD} as a duration. */
        public Builder pvaPeriod(Duration v) {
            this.pvaPeriod = Objects.requireNonNull(v, "pvaPeriod");
            this.pvaPeriodText = null;
            return this;
        }

        /** The CA beacon port ({@code EPICS_CAS_BEACON_PORT}). */
        public Builder caPort(int v) { caPort(String.valueOf(v), CAS_BEACON_PORT); return this; }

        /** The PVA beacon port ({@code EPICS_PVA_BROADCAST_PORT}). */
        public Builder pvaPort(int v) { this.pvaPort = String.valueOf(v); return this; }

        /** {@code EPICS_CAS_BEACON_ADDR_LIST}. */
        public Builder caAddrList(String v) { this.caAddrList = Objects.requireNonNull(v, "caAddrList"); return this; }

        /** {@code EPICS_PVAS_BEACON_ADDR_LIST}. */
        public Builder pvaAddrList(String v) {
            this.pvaAddrList = Objects.requireNonNull(v, "pvaAddrList");
            return this;
        }

        /** Both automatic lists. */
        public Builder autoAddrList(boolean v) { caAutoAddrList(v); return pvaAutoAddrList(v); }

        /** {@code EPICS_CAS_AUTO_BEACON_ADDR_LIST}. */
        public Builder caAutoAddrList(boolean v) { this.caAutoAddrList = v ? "YES" : "NO"; return this; }

        /** {@code EPICS_PVAS_AUTO_BEACON_ADDR_LIST}. */
        public Builder pvaAutoAddrList(boolean v) { this.pvaAutoAddrList = v ? "YES" : "NO"; return this; }

        /** How host names in the lists are resolved (default: the system resolver). */
        public Builder resolver(NameDirectory.HostResolver v) {
            this.resolver = Objects.requireNonNull(v, "resolver");
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the variable or field, its value and what is accepted
         */
        public BeaconSenderConfig build() {
            int ca = EpicsNetworkConfig.port(caPortName, caPort);
            int pva = EpicsNetworkConfig.port(EpicsNetworkConfig.PVA_BROADCAST_PORT, pvaPort);
            Duration caP = caPeriodText == null ? caPeriod
                    : EpicsNetworkConfig.seconds(CAS_BEACON_PERIOD, caPeriodText, FIRST_INTERVAL, MAX_PERIOD);
            Duration pvaP = pvaPeriodText == null ? pvaPeriod
                    : EpicsNetworkConfig.seconds(PVAS_BEACON_PERIOD, pvaPeriodText, FIRST_INTERVAL, MAX_PERIOD);
            return new BeaconSenderConfig(enabled, caP, pvaP, ca, pva,
                    EpicsNetworkConfig.list(CAS_BEACON_ADDR_LIST, caAddrList, ca, false, resolver),
                    EpicsNetworkConfig.yesNo(CAS_AUTO_BEACON_ADDR_LIST, caAutoAddrList),
                    EpicsNetworkConfig.list(PVAS_BEACON_ADDR_LIST, pvaAddrList, pva, true, resolver),
                    EpicsNetworkConfig.yesNo(PVAS_AUTO_BEACON_ADDR_LIST, pvaAutoAddrList));
        }
    }
}
