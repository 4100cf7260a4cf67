package io.meshwire.epics;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** Text and JSON renderings of {@link BeaconTracker#servers}. */
public final class BeaconReport {
    private BeaconReport() {
    }

    private static String secs(Duration d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.2f", d.toNanos() / 1e9);
    }

    /** One line per server and NIC. */
    public static String toText(List<BeaconServer> servers) {
        StringBuilder b = new StringBuilder();
        String fmt = "%-4s  %-21s  %-10s  %7s  %8s  %4s  %8s  %8s  %8s  %8s%n";
        b.append(String.format(Locale.ROOT, fmt, "PROT", "SERVER", "NIC", "BEACONS", "RESTARTS", "DUPS", "LAST-S",
                "MIN-S", "MAX-S", "AGO-S"));
        for (BeaconServer s : servers) {
            b.append(String.format(Locale.ROOT, fmt, s.protocol().label(), SearchResult.text(s.server()), s.nic(),
                    s.beacons(), s.restarts(), s.duplicates(), secs(s.lastInterval()), secs(s.minInterval()),
                    secs(s.maxInterval()), secs(s.sinceLast())));
        }
        b.append(servers.size()).append(servers.size() == 1 ? " server" : " servers").append(System.lineSeparator());
        return b.toString();
    }

    /** A one-line event, as the listener reports them live. */
    public static String event(String what, BeaconServer s) {
        return String.format(Locale.ROOT, "%s %s server %s on %s%s", what, s.protocol().label(),
                SearchResult.text(s.server()), s.nic(), s.guid() == null ? "" : " guid " + s.guid());
    }

    /** One JSON object. */
    public static String toJson(List<BeaconServer> servers) {
        StringBuilder b = new StringBuilder("{\"servers\":[");
        for (int i = 0; i < servers.size(); i++) {
            BeaconServer s = servers.get(i);
            b.append(i > 0 ? "," : "").append("{\"protocol\":").append(Json.string(s.protocol().label()))
                    .append(",\"server\":").append(Json.string(SearchResult.text(s.server())))
                    .append(",\"interface\":").append(Json.string(s.interfaceName()))
                    .append(",\"ifindex\":").append(s.ifindex())
                    .append(",\"guid\":").append(Json.string(s.guid()))
                    .append(",\"beacons\":").append(s.beacons())
                    .append(",\"duplicates\":").append(s.duplicates())
                    .append(",\"restarts\":").append(s.restarts())
                    .append(",\"lastId\":").append(s.lastId())
                    .append(",\"lastIntervalS\":").append(num(s.lastInterval()))
                    .append(",\"minIntervalS\":").append(num(s.minInterval()))
                    .append(",\"maxIntervalS\":").append(num(s.maxInterval()))
                    .append(",\"sinceLastS\":").append(num(s.sinceLast()))
                    .append('}');
        }
        return b.append("]}").toString();
    }

    private static String num(Duration d) {
        return d == null ? "null" : String.format(Locale.ROOT, "%.3f", d.toNanos() / 1e9);
    }
}
