package io.meshwire.epics;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Validated, immutable EPICS network settings as the C libraries read them from the environment: where searches go
 * and on which ports. Build one with {@link #builder()} or {@link #fromEnvironment(Map)}.
 *
 * <ul>
 *   <li>{@code EPICS_CA_ADDR_LIST}: blank-separated {@code host[:port]}; entries without a port use
 *       {@code EPICS_CA_SERVER_PORT}. Appended to the automatic list.</li>
 *   <li>{@code EPICS_CA_AUTO_ADDR_LIST} (default YES): add the broadcast address of every up, non-loopback,
 *       broadcast-capable interface.</li>
 *   <li>{@code EPICS_CA_SERVER_PORT} (default 5064): UDP search port and default TCP port.</li>
 *   <li>{@code EPICS_CA_REPEATER_PORT} (default 5065): beacon port.</li>
 *   <li>{@code EPICS_PVA_ADDR_LIST}: blank-separated {@code host[:port][,TTL][@iface]}; entries without a port use
 *       {@code EPICS_PVA_BROADCAST_PORT}.</li>
 *   <li>{@code EPICS_PVA_AUTO_ADDR_LIST} (default YES), {@code EPICS_PVA_BROADCAST_PORT} (default 5076): as for CA;
 *       PVA searches and beacons share the broadcast port.</li>
 * </ul>
 * Booleans accept YES/NO, TRUE/FALSE, 1/0 in any case; anything else is an error naming the variable. Host names
 * are resolved when the configuration is built.
 *
 * @param caAddrList       explicit CA search destinations
 * @param caAutoAddrList   add every interface's broadcast address for CA
 * @param caServerPort     CA UDP search port
 * @param caRepeaterPort   CA beacon port
 * @param pvaAddrList      explicit PVA search destinations
 * @param pvaAutoAddrList  add every interface's broadcast address for PVA
 * @param pvaBroadcastPort PVA UDP search and beacon port
 */
public record EpicsNetworkConfig(List<AddressListEntry> caAddrList, boolean caAutoAddrList, int caServerPort,
        int caRepeaterPort, List<AddressListEntry> pvaAddrList, boolean pvaAutoAddrList, int pvaBroadcastPort) {

    /** Environment variable names. */
    public static final String CA_ADDR_LIST = "EPICS_CA_ADDR_LIST";
    /** See the class description. */
    public static final String CA_AUTO_ADDR_LIST = "EPICS_CA_AUTO_ADDR_LIST";
    /** See the class description. */
    public static final String CA_SERVER_PORT = "EPICS_CA_SERVER_PORT";
    /** See the class description. */
    public static final String CA_REPEATER_PORT = "EPICS_CA_REPEATER_PORT";
    /** See the class description. */
    public static final String PVA_ADDR_LIST = "EPICS_PVA_ADDR_LIST";
    /** See the class description. */
    public static final String PVA_AUTO_ADDR_LIST = "EPICS_PVA_AUTO_ADDR_LIST";
    /** See the class description. */
    public static final String PVA_BROADCAST_PORT = "EPICS_PVA_BROADCAST_PORT";

    /** Validates the record. */
    public EpicsNetworkConfig {
        caAddrList = List.copyOf(caAddrList);
        pvaAddrList = List.copyOf(pvaAddrList);
        checkPort(CA_SERVER_PORT, caServerPort);
        checkPort(CA_REPEATER_PORT, caRepeaterPort);
        checkPort(PVA_BROADCAST_PORT, pvaBroadcastPort);
    }

    private static void checkPort(String name, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(name + " must be a port in 1..65535: " + port);
        }
    }

    /** The explicit list of {@code protocol}. */
    public List<AddressListEntry> addrList(EpicsProtocol protocol) {
        return protocol == EpicsProtocol.CA ? caAddrList : pvaAddrList;
    }

    /** Whether {@code protocol} adds the interfaces' broadcast addresses. */
    public boolean autoAddrList(EpicsProtocol protocol) {
        return protocol == EpicsProtocol.CA ? caAutoAddrList : pvaAutoAddrList;
    }

    /** The UDP search port of {@code protocol}. */
    public int searchPort(EpicsProtocol protocol) {
        return protocol == EpicsProtocol.CA ? caServerPort : pvaBroadcastPort;
    }

    /** A builder with the EPICS defaults (auto lists on, ports 5064/5065/5076, no explicit entries). */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads the variables from {@code env} (e.g. {@link System#getenv()}); unset or blank ones keep their defaults.
     *
     * @throws IllegalArgumentException naming the variable, its value and what is accepted
     */
    public static EpicsNetworkConfig fromEnvironment(Map<String, String> env) {
        return builder().environment(env).build();
    }

    /** Builds an {@link EpicsNetworkConfig}; setters take the raw text the environment would hold. */
    public static final class Builder {
        private String caAddrList = "";
        private String caAutoAddrList = "YES";
        private String caServerPort = String.valueOf(CaProtocol.DEFAULT_SERVER_PORT);
        private String caRepeaterPort = String.valueOf(CaProtocol.DEFAULT_REPEATER_PORT);
        private String pvaAddrList = "";
        private String pvaAutoAddrList = "YES";
        private String pvaBroadcastPort = String.valueOf(PvaProtocol.DEFAULT_BROADCAST_PORT);
        private NameDirectory.HostResolver resolver = NameDirectory.HostResolver.system();

        private Builder() {
        }

        /** Takes every variable that is set and not blank from {@code env}. */
        public Builder environment(Map<String, String> env) {
            Objects.requireNonNull(env, "env must not be null");
            caAddrList = env.getOrDefault(CA_ADDR_LIST, caAddrList);
            caAutoAddrList = nonBlank(env.get(CA_AUTO_ADDR_LIST), caAutoAddrList);
            caServerPort = nonBlank(env.get(CA_SERVER_PORT), caServerPort);
            caRepeaterPort = nonBlank(env.get(CA_REPEATER_PORT), caRepeaterPort);
            pvaAddrList = env.getOrDefault(PVA_ADDR_LIST, pvaAddrList);
            pvaAutoAddrList = nonBlank(env.get(PVA_AUTO_ADDR_LIST), pvaAutoAddrList);
            pvaBroadcastPort = nonBlank(env.get(PVA_BROADCAST_PORT), pvaBroadcastPort);
            return this;
        }

        private static String nonBlank(String v, String otherwise) {
            return v == null || v.isBlank() ? otherwise : v;
        }

        /** {@code EPICS_CA_ADDR_LIST}. */
        public Builder caAddrList(String v) { this.caAddrList = v; return this; }

        /** {@code EPICS_CA_AUTO_ADDR_LIST}. */
        public Builder caAutoAddrList(String v) { this.caAutoAddrList = v; return this; }

        /** {@code EPICS_CA_AUTO_ADDR_LIST}. */
        public Builder caAutoAddrList(boolean v) { this.caAutoAddrList = v ? "YES" : "NO"; return this; }

        /** {@code EPICS_CA_SERVER_PORT}. */
        public Builder caServerPort(int v) { this.caServerPort = String.valueOf(v); return this; }

        /** {@code EPICS_CA_REPEATER_PORT}. */
        public Builder caRepeaterPort(int v) { this.caRepeaterPort = String.valueOf(v); return this; }

        /** {@code EPICS_PVA_ADDR_LIST}. */
        public Builder pvaAddrList(String v) { this.pvaAddrList = v; return this; }

        /** {@code EPICS_PVA_AUTO_ADDR_LIST}. */
        public Builder pvaAutoAddrList(String v) { this.pvaAutoAddrList = v; return this; }

        /** {@code EPICS_PVA_AUTO_ADDR_LIST}. */
        public Builder pvaAutoAddrList(boolean v) { this.pvaAutoAddrList = v ? "YES" : "NO"; return this; }

        /** {@code EPICS_PVA_BROADCAST_PORT}. */
        public Builder pvaBroadcastPort(int v) { this.pvaBroadcastPort = String.valueOf(v); return this; }

        /** How host names in the lists are resolved (default: the system resolver). */
        public Builder resolver(NameDirectory.HostResolver v) {
            this.resolver = Objects.requireNonNull(v, "resolver");
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the variable, its value and what is accepted
         */
        public EpicsNetworkConfig build() {
            int caPort = port(CA_SERVER_PORT, caServerPort);
            int repeaterPort = port(CA_REPEATER_PORT, caRepeaterPort);
            int pvaPort = port(PVA_BROADCAST_PORT, pvaBroadcastPort);
            return new EpicsNetworkConfig(list(CA_ADDR_LIST, caAddrList, caPort, false, resolver),
                    yesNo(CA_AUTO_ADDR_LIST, caAutoAddrList), caPort, repeaterPort,
                    list(PVA_ADDR_LIST, pvaAddrList, pvaPort, true, resolver),
                    yesNo(PVA_AUTO_ADDR_LIST, pvaAutoAddrList), pvaPort);
        }
    }

    static int port(String name, String text) {
        int p;
        try {
            p = Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException(name + "='" + text + "' is not a port: use a number in 1..65535");
        }
        return p;
    }

    /**
     * A period in seconds as the EPICS variables give it (e.g. {@code EPICS_CAS_BEACON_PERIOD=15.0}), within
     * {@code min..max}.
     */
    static Duration seconds(String name, String text, Duration min, Duration max) {
        double s;
        try {
            s = Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            s = Double.NaN;
        }
        double lo = min.toNanos() / 1e9;
        double hi = max.toNanos() / 1e9;
        if (!(s >= lo && s <= hi)) {
            throw new IllegalArgumentException(name + "='" + text + "' is not a period: use seconds in " + lo + ".."
                    + hi);
        }
        return Duration.ofNanos(Math.round(s * 1e9));
    }

    static boolean yesNo(String name, String text) {
        return switch (text.strip().toUpperCase(Locale.ROOT)) {
            case "YES", "TRUE", "1" -> true;
            case "NO", "FALSE", "0" -> false;
            default -> throw new IllegalArgumentException(name + "='" + text + "' is not a boolean: use YES or NO");
        };
    }

    static List<AddressListEntry> list(String name, String text, int defaultPort, boolean pvaSyntax,
            NameDirectory.HostResolver resolver) {
        List<AddressListEntry> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String raw : text.strip().split("[\\s]+")) {
            out.add(entry(name, raw, defaultPort, pvaSyntax, resolver));
        }
        return out;
    }

    private static AddressListEntry entry(String name, String raw, int defaultPort, boolean pvaSyntax,
            NameDirectory.HostResolver resolver) {
        String rest = raw;
        String iface = null;
        int ttl = -1;
        String where = name + " entry '" + raw + "'";
        if (pvaSyntax) {
            int at = rest.indexOf('@');
            if (at >= 0) {
                iface = rest.substring(at + 1);
                rest = rest.substring(0, at);
                if (iface.isEmpty()) {
                    throw new IllegalArgumentException(where + " has an empty interface after '@'");
                }
            }
            int comma = rest.indexOf(',');
            if (comma >= 0) {
                String t = rest.substring(comma + 1);
                rest = rest.substring(0, comma);
                try {
                    ttl = Integer.parseInt(t);
                } catch (NumberFormatException e) {
                    ttl = -2;
                }
                if (ttl < 0 || ttl > 255) {
                    throw new IllegalArgumentException(where + " has TTL '" + t + "': use a number in 0..255");
                }
            }
        } else if (rest.indexOf('@') >= 0 || rest.indexOf(',') >= 0) {
            throw new IllegalArgumentException(where + ": CA entries are host[:port] only");
        }
        if (rest.startsWith("[") || rest.chars().filter(c -> c == ':').count() > 1) {
            throw new IllegalArgumentException(where + " is IPv6; only IPv4 destinations are supported");
        }
        String host = rest;
        int port = defaultPort;
        int colon = rest.indexOf(':');
        if (colon >= 0) {
            host = rest.substring(0, colon);
            String p = rest.substring(colon + 1);
            try {
                port = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(where + " has port '" + p + "': use a number in 1..65535");
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException(where + " has no host");
        }
        InetAddress a;
        try {
            a = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(where + ": unknown host '" + host + "'");
        }
        if (a instanceof Inet6Address) {
            throw new IllegalArgumentException(where + " resolves to IPv6 " + a.getHostAddress()
                    + "; only IPv4 destinations are supported");
        }
        return new AddressListEntry(raw, (Inet4Address) a, port, ttl, iface);
    }
}
