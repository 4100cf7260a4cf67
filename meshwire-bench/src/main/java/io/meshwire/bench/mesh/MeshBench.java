package io.meshwire.bench.mesh;

import io.meshwire.bench.transport.PeerLine;
import io.meshwire.bench.transport.PeerProcess;
import io.meshwire.bench.transport.ProgressPrinter;
import io.meshwire.bench.transport.ResultFormat;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The side-by-side event benchmark: for each size and system a subscriber process and a publisher process stream
 * events for the configured time; a live line per second, then a table with events/s, MB/s, latency percentiles
 * and ratios to Aeron, which therefore always runs first. With {@code json} each size ends with one line
 * {@code {"size":N,"results":[{"system":"meshwire","events_per_s":..},{"system":"aeron","events_per_s":..}]}}.
 */
public final class MeshBench {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration EXIT_SLACK = Duration.ofSeconds(30);

    private MeshBench() {
    }

    /**
     * Runs every selected system of {@code systems} at every size of {@code config}.
     *
     * @return every result, failures included (see {@link EventResult#ok()})
     */
    public static List<EventResult> run(MeshBenchConfig config, List<EventSystem> systems, PrintStream out,
            PrintStream log) {
        List<EventSystem> selected = systems.stream().filter(s -> s.name().equals(EventSystems.AERON)
                || config.systems().isEmpty() || config.systems().contains(s.name())).toList();
        List<EventResult> all = new ArrayList<>();
        out.printf(Locale.ROOT, "machine: %d cpus, %s %s, java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"), System.getProperty("os.version"),
                System.getProperty("java.runtime.version"));
        for (int size : config.sizes()) {
            out.printf(Locale.ROOT, "== %d B events, one stream, %d s warm-up + %d s measured per system, publisher -> "
                    + "subscriber on %s ==%n", size, config.warmupSeconds(), config.seconds(), config.host());
            List<EventResult> results = new ArrayList<>();
            for (EventSystem system : selected) {
                EventResult result;
                try {
                    result = runOne(system, new EventSpec(config.host(), 0, size, config.seconds(),
                            config.warmupSeconds()), out, log);
                } catch (RuntimeException e) {
                    log.println("[" + system.name() + "] failed: " + e.getMessage());
                    result = EventResult.failed(system.name(), size, String.valueOf(e.getMessage()));
                }
                results.add(result);
            }
            out.println();
            out.print(table(results));
            if (config.json()) {
                out.println(json(size, results));
            }
            out.flush();
            all.addAll(results);
        }
        return all;
    }

    /** One subscriber and one publisher, started, run, stopped and always killed. */
    static EventResult runOne(EventSystem system, EventSpec spec, PrintStream out, PrintStream log) {
        try (PeerProcess subscriber = PeerProcess.start(system.name() + " sub",
                EventPeerMain.command(system, EventPeerMain.SUBSCRIBE, spec, Map.of()), log,
                new ProgressPrinter(out, system.name(), spec.size(), "events/s")::onLine)) {
            PeerLine ready = subscriber.awaitReadyLine(READY_TIMEOUT);
            Map<String, String> params = new LinkedHashMap<>(ready.fields());
            params.remove("port");
            EventSpec target = spec.withPort((int) ready.number("port"));
            try (PeerProcess publisher = PeerProcess.start(system.name() + " pub",
                    EventPeerMain.command(system, EventPeerMain.PUBLISH, target, params), log, line -> { })) {
                PeerLine sent = publisher.awaitResult(READY_TIMEOUT.plusSeconds(spec.seconds() + spec.warmupSeconds())
                        .plus(EXIT_SLACK));
                subscriber.closeStdin();
                PeerLine result = subscriber.awaitResult(EXIT_SLACK);
                return new EventResult(system.name(), spec.size(), sent.number("sent"), result.number("received"),
                        result.number("bytes"), result.number("elapsed_ns"), result.number("p50_ns"),
                        result.number("p99_ns"), result.number("p999_ns"), null);
            }
        }
    }

    private static EventResult baseline(List<EventResult> results) {
        return results.stream().filter(r -> r.system().equals(EventSystems.AERON) && r.ok()).findFirst()
                .orElse(null);
    }

    static String table(List<EventResult> results) {
        EventResult baseline = baseline(results);
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-16s %6s %12s %9s %8s %10s %10s %10s %9s %9s%n", "system", "size",
                "events/s", "MB/s", "loss", "p50 us", "p99 us", "p99.9 us", "ev vs ae", "MB vs ae"));
        for (EventResult r : results) {
            if (!r.ok()) {
                out.append(String.format(Locale.ROOT, "%-16s %4d B  failed: %s%n", r.system(), r.size(), r.error()));
                continue;
            }
            out.append(String.format(Locale.ROOT, "%-16s %4d B %12s %9.1f %7.2f%% %10.1f %10.1f %10.1f %9s %9s%n",
                    r.system(), r.size(), ResultFormat.rate(r.eventsPerSecond()), r.megabytesPerSecond(),
                    r.loss() * 100, r.p50Nanos() / 1e3, r.p99Nanos() / 1e3, r.p999Nanos() / 1e3,
                    ratio(r.eventsPerSecond(), baseline == null ? Double.NaN : baseline.eventsPerSecond()),
                    ratio(r.megabytesPerSecond(), baseline == null ? Double.NaN : baseline.megabytesPerSecond())));
        }
        return out.toString();
    }

    private static String ratio(double value, double base) {
        return Double.isNaN(base) || base <= 0 ? "n/a" : String.format(Locale.ROOT, "%.2fx", value / base);
    }

    /** {@code {"size":N,"results":[{"system":..,"events_per_s":..,...}]}} on one line; undefined numbers are null. */
    static String json(int size, List<EventResult> results) {
        EventResult baseline = baseline(results);
        StringBuilder out = new StringBuilder(256).append("{\"size\":").append(size).append(",\"results\":[");
        for (int i = 0; i < results.size(); i++) {
            EventResult r = results.get(i);
            out.append(i == 0 ? "{" : ",{")
                    .append("\"system\":").append(ResultFormat.string(r.system()))
                    .append(",\"events_per_s\":").append(r.ok() ? ResultFormat.number(r.eventsPerSecond(), 1) : "null")
                    .append(",\"mb_per_s\":").append(r.ok() ? ResultFormat.number(r.megabytesPerSecond(), 3) : "null")
                    .append(",\"p50_us\":").append(r.ok() ? ResultFormat.number(r.p50Nanos() / 1e3, 1) : "null")
                    .append(",\"p99_us\":").append(r.ok() ? ResultFormat.number(r.p99Nanos() / 1e3, 1) : "null")
                    .append(",\"p999_us\":").append(r.ok() ? ResultFormat.number(r.p999Nanos() / 1e3, 1) : "null")
                    .append(",\"published\":").append(r.published())
                    .append(",\"received\":").append(r.received())
                    .append(",\"loss\":").append(ResultFormat.number(r.loss(), 6))
                    .append(",\"events_vs_aeron\":").append(baseline == null || !r.ok() ? "null"
                            : ResultFormat.number(r.eventsPerSecond() / baseline.eventsPerSecond(), 4))
                    .append(",\"bytes_vs_aeron\":").append(baseline == null || !r.ok() ? "null"
                            : ResultFormat.number(r.megabytesPerSecond() / baseline.megabytesPerSecond(), 4));
            if (r.error() != null) {
                out.append(",\"error\":").append(ResultFormat.string(r.error()));
            }
            out.append('}');
        }
        return out.append("]}").toString();
    }
}
