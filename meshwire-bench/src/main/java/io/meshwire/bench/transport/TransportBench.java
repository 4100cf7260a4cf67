package io.meshwire.bench.transport;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The end-to-end loopback UDP benchmark: for each system and size it starts a receiver process, then a sender
 * process (or, in capacity mode, K C mmsg senders at once), lets them run, and reports datagrams/s received,
 * Gbit/s of payload, loss (1 - received/sent), datagrams per receive call, the receive batch histogram, and the CPU
 * time each side spent per datagram (which, unlike the rates, hardly moves when other work shares the machine).
 *
 * <pre>
 * TransportBench [--size 64,1200] [--seconds 5] [--systems c-mmsg,jdk-nio] [--capacity[=K]] [--json]
 *                [--host 127.0.0.1] [--grace-ms 1000] [--warmup 1] [--rounds 1] [--pin]
 * </pre>
 * A live line per second relays the receiver's rate; a table per size follows, with ratios to {@code c-mmsg}, which
 * always runs. With {@code --rounds R} every system runs R times per size, in the listed order in odd rounds and
 * reversed in even ones (so neither side always goes first); each round prints its table, and a last table gives
 * the medians of the per-round figures and ratios. With {@code --json} each table is followed by one JSON line, so
 * the last line printed is the JSON object of the last size (its medians with several rounds). Systems are listed
 * in {@link TransportSystems}.
 */
public final class TransportBench {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration EXIT_SLACK = Duration.ofSeconds(30);

    private TransportBench() {
    }

    /** Runs the benchmark from command-line arguments; exits 1 when a system failed, 2 on bad arguments. */
    public static void main(String[] args) {
        BenchConfig config;
        try {
            config = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("TransportBench: " + e.getMessage());
            System.err.println("usage: TransportBench [--size 64,1200] [--seconds 5] [--systems a,b] [--capacity[=K]]"
                    + " [--json] [--host 127.0.0.1] [--grace-ms 1000] [--warmup 1] [--rounds 1] [--pin]");
            System.exit(2);
            return;
        }
        List<BenchResult> results = run(config, TransportSystems.all(), System.out, System.err);
        System.out.flush();
        System.exit(results.stream().allMatch(BenchResult::ok) ? 0 : 1);
    }

    /** Parses the command-line options into a validated configuration. */
    public static BenchConfig parse(String[] args) {
        BenchConfig.Builder builder = BenchConfig.builder();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            switch (arg) {
                case "--json" -> builder.json(true);
                case "--pin" -> {
                    if (value != null) {
                        throw new IllegalArgumentException("--pin takes no value (got --pin=" + value + ")");
                    }
                    builder.pin(true);
                }
                case "--capacity" -> builder.capacitySenders(value == null
                        ? BenchConfig.defaultCapacitySenders() : integer(arg, value));
                case "--size", "--sizes" -> builder.sizes(Arrays.stream(required(args, ++i, arg, value).split(","))
                        .map(s -> integer("--size", s.strip())).toList());
                case "--seconds" -> builder.seconds(integer(arg, required(args, ++i, arg, value)));
                case "--systems" -> builder.systems(Arrays.stream(required(args, ++i, arg, value).split(","))
                        .map(String::strip).filter(s -> !s.isEmpty()).toList());
                case "--host" -> builder.host(required(args, ++i, arg, value));
                case "--grace-ms" -> builder.graceMillis(integer(arg, required(args, ++i, arg, value)));
                case "--warmup" -> builder.warmupSeconds(integer(arg, required(args, ++i, arg, value)));
                case "--rounds" -> builder.rounds(integer(arg, required(args, ++i, arg, value)));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
            if (value != null && !arg.equals("--capacity") && !arg.equals("--json")) {
                i--; // the value came with '=', not as the next argument
            }
        }
        BenchConfig config = builder.build();
        if (config.pin()) {
            try {
                CpuPinning.probe();
            } catch (IllegalStateException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
        return config;
    }

    private static String required(String[] args, int index, String option, String inline) {
        if (inline != null) {
            return inline;
        }
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static int integer(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " " + value + " is not a whole number");
        }
    }

    /**
     * Runs every selected system of {@code systems} (the baseline {@code c-mmsg} first) at every size of
     * {@code config}; progress lines, tables and JSON go to {@code out}, peer diagnostics to {@code log}.
     *
     * @return every result, failures included (see {@link BenchResult#ok()})
     */
    public static List<BenchResult> run(BenchConfig config, List<TransportSystem> systems, PrintStream out,
            PrintStream log) {
        List<TransportSystem> selected = select(config, systems);
        List<BenchResult> all = new ArrayList<>();
        out.printf(Locale.ROOT, "machine: %d cpus, %s %s %s, java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch"),
                System.getProperty("java.runtime.version"));
        CpuPinning pinning = config.pin() ? CpuPinning.probe() : null;
        if (pinning != null) {
            out.println("pinned with taskset: " + pinning);
        }
        for (int size : config.sizes()) {
            List<List<BenchResult>> rounds = new ArrayList<>();
            for (int round = 1; round <= config.rounds(); round++) {
                List<TransportSystem> order = round % 2 == 1 ? selected : selected.reversed();
                out.printf(Locale.ROOT, "== %d B datagrams, %d s per system, %s, %s%s ==%n", size, config.seconds(),
                        config.capacityMode() ? "receiver capacity vs " + config.capacitySenders() + " C senders"
                                : config.pin() ? "pinned sender -> receiver pairs" : "sender -> receiver pairs",
                        config.host(),
                        config.rounds() == 1 ? "" : ", round " + round + " of " + config.rounds());
                List<BenchResult> results = new ArrayList<>();
                for (TransportSystem system : order) {
                    BenchResult result = runSystem(system, size, config, pinning, out, log);
                    if (result != null) {
                        results.add(result);
                    }
                }
                out.println();
                out.print(ResultFormat.table(results, config.capacityMode(), config.warmupSeconds()));
                if (config.json()) {
                    out.println(ResultFormat.json(size, config.mode(), config.seconds(),
                            config.warmupSeconds(), results));
                }
                out.flush();
                rounds.add(results);
                all.addAll(results);
            }
            if (config.rounds() > 1) {
                out.println();
                out.print(ResultFormat.roundsTable(size, config.mode(), rounds));
                if (config.json()) {
                    out.println(ResultFormat.roundsJson(size, config.mode(), config.seconds(),
                            config.warmupSeconds(), rounds));
                }
                out.flush();
            }
        }
        return all;
    }

    /** One system's run, or {@code null} when it does not run at this size. */
    private static BenchResult runSystem(TransportSystem system, int size, BenchConfig config, CpuPinning pinning,
            PrintStream out, PrintStream log) {
        if (!system.supportsSize(size)) {
            out.printf(Locale.ROOT, "   %s: skipped at %d B%n", system.name(), size);
            return null;
        }
        try {
            return runOne(system, size, config, pinning, out, log);
        } catch (RuntimeException e) {
            log.println("[" + system.name() + "] failed: " + e.getMessage());
            return BenchResult.failed(system.name(), size, senders(config), String.valueOf(e.getMessage()));
        }
    }

    private static List<TransportSystem> select(BenchConfig config, List<TransportSystem> systems) {
        List<TransportSystem> selected = new ArrayList<>();
        for (TransportSystem system : systems) {
            if (system.name().equals(CBaselineSystem.MMSG) || config.systems().isEmpty()
                    || config.systems().contains(system.name())) {
                selected.add(system);
            }
        }
        return selected;
    }

    private static int senders(BenchConfig config) {
        return config.capacityMode() ? config.capacitySenders() : 1;
    }

    /** One receiver and its senders ({@code pinning} null: unpinned), started, run, stopped and always killed. */
    static BenchResult runOne(TransportSystem system, int size, BenchConfig config, CpuPinning pinning,
            PrintStream out, PrintStream log) {
        PeerSpec spec = new PeerSpec(config.host(), 0, size, config.seconds(), config.graceMillis());
        List<PeerProcess> processes = new ArrayList<>();
        try {
            ProgressPrinter progress = new ProgressPrinter(out, system.name(), size, "dgrams/s",
                    config.warmupSeconds());
            List<String> receiverCommand = system.receiverCommand(spec);
            PeerProcess receiver = PeerProcess.start(system.name() + " recv",
                    pinning == null ? receiverCommand : pinning.receiver(receiverCommand), log, progress::onLine);
            processes.add(receiver);
            PeerSpec target = spec.withPort(receiver.awaitReady(READY_TIMEOUT));

            List<PeerProcess> senders = new ArrayList<>();
            for (int i = 0; i < senders(config); i++) {
                TransportSystem sender = config.capacityMode() ? TransportSystems.find(CBaselineSystem.MMSG) : system;
                String label = sender.name() + " send" + (config.capacityMode() ? " " + (i + 1) : "");
                List<String> senderCommand = sender.senderCommand(target);
                PeerProcess process = PeerProcess.start(label,
                        pinning == null ? senderCommand : pinning.sender(senderCommand), log, line -> { });
                processes.add(process);
                senders.add(process);
            }
            progress.watchCpu(receiver::cpuNanos, () -> {
                long total = 0;
                for (PeerProcess sender : senders) {
                    long cpu = sender.cpuNanos();
                    if (cpu < 0) {
                        return -1;
                    }
                    total += cpu;
                }
                return total;
            });
            Duration senderLimit = READY_TIMEOUT.plusSeconds(config.seconds()).plus(EXIT_SLACK);
            long sent = 0;
            long senderCpu = 0;
            for (PeerProcess sender : senders) {
                PeerLine line = sender.awaitResult(senderLimit);
                sent += line.number("sent");
                long cpu = line.number("cpu_ns", -1);
                senderCpu = senderCpu < 0 || cpu < 0 ? -1 : senderCpu + cpu;
            }
            receiver.closeStdin();
            PeerLine result = receiver.awaitResult(Duration.ofMillis(config.graceMillis()).plus(EXIT_SLACK));
            return new BenchResult(system.name(), size, senders.size(), sent, result.number("received"),
                    result.number("elapsed_ns"), result.number("syscalls", -1), result.histogram("hist"),
                    progress.steadyRate(), progress.steadySteal(), result.number("cpu_ns", -1), senderCpu,
                    progress.steadyCpuShare(), null);
        } finally {
            for (PeerProcess process : processes) {
                process.close();
            }
        }
    }
}
