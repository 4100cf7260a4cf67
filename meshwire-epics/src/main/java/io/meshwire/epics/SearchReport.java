package io.meshwire.epics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of a search run: one {@link SearchResult} per name and protocol, and what it took.
 *
 * @param results    per name and protocol, in the order searched
 * @param rounds     search rounds sent
 * @param datagrams  search datagrams sent (one per datagram and destination)
 * @param sendErrors sends that failed (logged)
 * @param dropped    received datagrams dropped as malformed or unmatched
 * @param elapsed    how long the run took
 */
public record SearchReport(List<SearchResult> results, int rounds, long datagrams, long sendErrors, long dropped,
        Duration elapsed) {

    /** Copies the list. */
    public SearchReport {
        results = List.copyOf(results);
    }

    /** True when every name was found over at least one of the protocols searched. */
    public boolean allFound() {
        Map<String, Boolean> byName = new LinkedHashMap<>();
        for (SearchResult r : results) {
            byName.merge(r.name(), r.found(), Boolean::logicalOr);
        }
        return !byName.isEmpty() && !byName.containsValue(false);
    }

    /** The names found over no protocol. */
    public List<String> missing() {
        Map<String, Boolean> byName = new LinkedHashMap<>();
        for (SearchResult r : results) {
            byName.merge(r.name(), r.found(), Boolean::logicalOr);
        }
        List<String> out = new ArrayList<>();
        byName.forEach((n, f) -> {
            if (!f) {
                out.add(n);
            }
        });
        return out;
    }

    /** A table, one line per name and protocol, then a summary line. */
    public String toText() {
        int w = 4;
        for (SearchResult r : results) {
            w = Math.max(w, r.name().length());
        }
        StringBuilder b = new StringBuilder();
        String fmt = "%-" + w + "s  %-4s  %-5s  %-21s  %-21s  %-10s  %s%n";
        b.append(String.format(Locale.ROOT, fmt, "NAME", "PROT", "FOUND", "SERVER", "REPLIED-BY", "NIC", "TIME"));
        for (SearchResult r : results) {
            String time = r.elapsed() == null ? "-"
                    : String.format(Locale.ROOT, "%.1f ms", r.elapsed().toNanos() / 1e6);
            b.append(String.format(Locale.ROOT, fmt, r.name(), r.protocol().label(), r.found() ? "yes" : "no",
                    SearchResult.text(r.server()), SearchResult.text(r.repliedBy()), r.found() ? r.nic() : "-",
                    time));
            for (var other : r.otherServers()) {
                b.append(String.format(Locale.ROOT, "%-" + w + "s  also answered by %s%n", "",
                        SearchResult.text(other)));
            }
        }
        List<String> missing = missing();
        b.append(String.format(Locale.ROOT, "%s: %d round%s, %d datagram%s, %.0f ms%s%n",
                missing.isEmpty() ? "all found" : missing.size() + " not found", rounds, rounds == 1 ? "" : "s",
                datagrams, datagrams == 1 ? "" : "s", elapsed.toNanos() / 1e6,
                sendErrors > 0 ? ", " + sendErrors + " send errors" : ""));
        return b.toString();
    }

    /** One JSON object. */
    public String toJson() {
        StringBuilder b = new StringBuilder("{\"results\":[");
        for (int i = 0; i < results.size(); i++) {
            SearchResult r = results.get(i);
            if (i > 0) {
                b.append(',');
            }
            b.append("{\"name\":").append(Json.string(r.name()))
                    .append(",\"protocol\":").append(Json.string(r.protocol().label()))
                    .append(",\"found\":").append(r.found());
            if (r.found()) {
                b.append(",\"server\":").append(Json.string(SearchResult.text(r.server())))
                        .append(",\"repliedBy\":").append(Json.string(SearchResult.text(r.repliedBy())))
                        .append(",\"interface\":").append(Json.string(r.interfaceName()))
                        .append(",\"ifindex\":").append(r.ifindex())
                        .append(",\"localAddress\":").append(Json.string(
                                r.localAddress() == null ? null : r.localAddress().getHostAddress()))
                        .append(",\"ms\":").append(String.format(Locale.ROOT, "%.3f", r.elapsed().toNanos() / 1e6))
                        .append(",\"otherServers\":[");
                for (int k = 0; k < r.otherServers().size(); k++) {
                    b.append(k > 0 ? "," : "").append(Json.string(SearchResult.text(r.otherServers().get(k))));
                }
                b.append(']');
            }
            b.append('}');
        }
        b.append("],\"allFound\":").append(allFound())
                .append(",\"rounds\":").append(rounds)
                .append(",\"datagrams\":").append(datagrams)
                .append(",\"sendErrors\":").append(sendErrors)
                .append(",\"dropped\":").append(dropped)
                .append(",\"ms\":").append(String.format(Locale.ROOT, "%.3f", elapsed.toNanos() / 1e6))
                .append('}');
        return b.toString();
    }
}
