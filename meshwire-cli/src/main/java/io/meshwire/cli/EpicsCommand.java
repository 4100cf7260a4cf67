package io.meshwire.cli;

import io.meshwire.epics.BeaconListener;
import io.meshwire.epics.BeaconReport;
import io.meshwire.epics.BeaconServer;
import io.meshwire.epics.BeaconTracker;
import io.meshwire.epics.EndpointTransport;
import io.meshwire.epics.EpicsDropCounters;
import io.meshwire.epics.EpicsNetworkConfig;
import io.meshwire.epics.EpicsProtocol;
import io.meshwire.epics.EpicsSearch;
import io.meshwire.epics.EpicsTransport;
import io.meshwire.epics.NameDirectoryFile;
import io.meshwire.epics.NameServer;
import io.meshwire.epics.NameServerConfig;
import io.meshwire.epics.SearchClientConfig;
import io.meshwire.epics.SearchReport;
import io.meshwire.epics.SearchResponderConfig;
import io.meshwire.epics.SearchResponderStats;
import io.meshwire.epics.SearchTargets;
import io.meshwire.nic.InterfaceEnumerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code meshwire epics}: EPICS name search tools; the logic lives in meshwire-epics. */
@Command(name = "epics", mixinStandardHelpOptions = true,
        description = "EPICS Channel Access and PVAccess name search: client, name server, beacon monitor. "
                + "Settings come from EPICS_CA_ADDR_LIST, EPICS_CA_AUTO_ADDR_LIST, EPICS_CA_SERVER_PORT, "
                + "EPICS_CA_REPEATER_PORT, EPICS_PVA_ADDR_LIST, EPICS_PVA_AUTO_ADDR_LIST and "
                + "EPICS_PVA_BROADCAST_PORT; options override them.",
        subcommands = {EpicsCommand.Search.class, EpicsCommand.Nameserver.class, EpicsCommand.Beacons.class})
final class EpicsCommand implements Runnable {
    /** The environment the commands read; tests replace it. */
    static Map<String, String> environment = System.getenv();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options shared by the subcommands: overrides of the EPICS environment variables. */
    static final class Network {
        @Option(names = "--ca-addr-list", paramLabel = "LIST",
                description = "Overrides EPICS_CA_ADDR_LIST (blank-separated host[:port]).")
        String caAddrList;

        @Option(names = "--pva-addr-list", paramLabel = "LIST",
                description = "Overrides EPICS_PVA_ADDR_LIST (blank-separated host[:port][,ttl][@iface]).")
        String pvaAddrList;

        @Option(names = "--auto-addr-list", paramLabel = "YES|NO",
                description = "Overrides EPICS_CA_AUTO_ADDR_LIST and EPICS_PVA_AUTO_ADDR_LIST.")
        String autoAddrList;

        @Option(names = "--ca-port", paramLabel = "PORT", description = "Overrides EPICS_CA_SERVER_PORT.")
        Integer caPort;

        @Option(names = "--pva-port", paramLabel = "PORT", description = "Overrides EPICS_PVA_BROADCAST_PORT.")
        Integer pvaPort;

        @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "0.0.0.0",
                description = "Local address to bind (default ${DEFAULT-VALUE}).")
        String bind;

        EpicsNetworkConfig config() {
            EpicsNetworkConfig.Builder b = EpicsNetworkConfig.builder().environment(environment);
            if (caAddrList != null) {
                b.caAddrList(caAddrList);
            }
            if (pvaAddrList != null) {
                b.pvaAddrList(pvaAddrList);
            }
            if (autoAddrList != null) {
                b.caAutoAddrList(autoAddrList).pvaAutoAddrList(autoAddrList);
            }
            if (caPort != null) {
                b.caServerPort(caPort);
            }
            if (pvaPort != null) {
                b.pvaBroadcastPort(pvaPort);
            }
            return b.build();
        }

        InetAddress bindAddress() throws IOException {
            return InetAddress.getByName(bind);
        }
    }

    static Set<EpicsProtocol> protocols(String choice) {
        return switch (choice.toLowerCase(java.util.Locale.ROOT)) {
            case "ca" -> EnumSet.of(EpicsProtocol.CA);
            case "pva" -> EnumSet.of(EpicsProtocol.PVA);
            case "both" -> EnumSet.allOf(EpicsProtocol.class);
            default -> throw new IllegalArgumentException("--protocol must be ca, pva or both: " + choice);
        };
    }

    static Duration seconds(String option, double s, boolean zeroAllowed) {
        if (Double.isNaN(s) || s < 0 || (!zeroAllowed && s == 0) || s > 86_400) {
            throw new IllegalArgumentException(option + " must be " + (zeroAllowed ? "0" : "above 0")
                    + "..86400 seconds: " + s);
        }
        return Duration.ofNanos((long) (s * 1e9));
    }

    /** {@code meshwire epics search}. */
    @Command(name = "search", mixinStandardHelpOptions = true,
            description = "Search names the way libca and pvxs do (address lists, retries with backoff) and print, "
                    + "per name and protocol: found or not, server address and port, who replied, the NIC the "
                    + "answer came in on. Exit code 0 only if every name was found.")
    static final class Search implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "NAME", description = "Names to search.")
        List<String> names;

        @Option(names = "--protocol", defaultValue = "both", paramLabel = "ca|pva|both",
                description = "Protocols to search (default ${DEFAULT-VALUE}); with both, a name counts as found "
                        + "when either answers.")
        String protocol;

        @Option(names = "--timeout", defaultValue = "3", paramLabel = "S",
                description = "Give up after S seconds (default ${DEFAULT-VALUE}).")
        double timeout;

        @Option(names = "--json", description = "Print one JSON object instead of the table.")
        boolean json;

        @CommandLine.Mixin
        Network network = new Network();

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Set<EpicsProtocol> p;
            EpicsNetworkConfig config;
            Duration t;
            try {
                p = protocols(protocol);
                t = seconds("--timeout", timeout, false);
                config = network.config();
            } catch (IllegalArgumentException e) {
                err.println("meshwire epics search: " + e.getMessage());
                return 2;
            }
            var targets = SearchTargets.resolve(config, p, InterfaceEnumerator.system().enumerate());
            try (EndpointTransport transport = EndpointTransport.open(
                    new InetSocketAddress(network.bindAddress(), 0))) {
                SearchReport r;
                try {
                    r = EpicsSearch.run(transport, SearchClientConfig.builder().build(), names, p, targets, t);
                } catch (IllegalArgumentException e) {
                    err.println("meshwire epics search: " + e.getMessage());
                    return 2;
                }
                out.print(json ? r.toJson() + System.lineSeparator() : r.toText());
                out.flush();
                return r.allFound() ? 0 : 1;
            }
        }
    }

    /** {@code meshwire epics nameserver}. */
    @Command(name = "nameserver", mixinStandardHelpOptions = true,
            description = "Answer CA and PVA searches for the names in FILE (one 'NAME-OR-GLOB HOST:PORT [ca|pva|both]' "
                    + "per line, blank lines and # comments allowed; HOST 0.0.0.0 = this host's address). FILE is "
                    + "reloaded when it changes; a bad edit keeps the last good one. Malformed searches are never "
                    + "answered; each source is rate-limited.")
    static final class Nameserver implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--directory", required = true, paramLabel = "FILE", description = "The name directory.")
        Path directory;

        @Option(names = "--protocol", defaultValue = "both", paramLabel = "ca|pva|both",
                description = "Protocols to answer (default ${DEFAULT-VALUE}).")
        String protocol;

        @Option(names = "--rate", defaultValue = "200", paramLabel = "N",
                description = "Reply datagrams per second per source (default ${DEFAULT-VALUE}).")
        double rate;

        @Option(names = "--burst", defaultValue = "400", paramLabel = "N",
                description = "Reply burst per source (default ${DEFAULT-VALUE}).")
        int burst;

        @Option(names = "--duration", defaultValue = "0", paramLabel = "S",
                description = "Stop after S seconds (default 0: run until interrupted).")
        double duration;

        @CommandLine.Mixin
        Network network = new Network();

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Set<EpicsProtocol> p;
            EpicsNetworkConfig config;
            NameServerConfig nsConfig;
            Duration d;
            try {
                p = protocols(protocol);
                config = network.config();
                d = seconds("--duration", duration, true);
                nsConfig = NameServerConfig.builder().responder(SearchResponderConfig.builder()
                        .answerCa(p.contains(EpicsProtocol.CA)).answerPva(p.contains(EpicsProtocol.PVA))
                        .repliesPerSecond(rate).replyBurst(burst).build()).build();
            } catch (IllegalArgumentException e) {
                err.println("meshwire epics nameserver: " + e.getMessage());
                return 2;
            }
            NameDirectoryFile file;
            try {
                file = NameDirectoryFile.load(directory);
            } catch (NoSuchFileException e) {
                err.println("meshwire epics nameserver: no such directory file: " + directory);
                return 2;
            } catch (IOException e) {
                err.println("meshwire epics nameserver: " + e.getMessage());
                return 2;
            }
            List<EpicsTransport> transports = new ArrayList<>();
            List<String> where = new ArrayList<>();
            InetAddress bind = network.bindAddress();
            try {
                for (EpicsProtocol proto : p) {
                    EndpointTransport t = EndpointTransport.open(new InetSocketAddress(bind, config.searchPort(proto)));
                    transports.add(t);
                    where.add(proto.label() + " on udp " + SearchReportAddress.of(t.localAddress()));
                }
            } catch (IOException e) {
                transports.forEach(EpicsTransport::close);
                err.println("meshwire epics nameserver: " + e.getMessage());
                return 2;
            }
            CountDownLatch stop = new CountDownLatch(1);
            CountDownLatch reported = new CountDownLatch(1);
            try (NameServer ns = NameServer.start(transports, file, nsConfig)) {
                // on Ctrl-C: let the main thread print the totals and close the sockets before the JVM halts
                Thread hook = new Thread(() -> {
                    stop.countDown();
                    try {
                        reported.await(5, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                Runtime.getRuntime().addShutdownHook(hook);
                out.printf("meshwire epics nameserver: %d entries from %s; answering %s%n", file.current().size(),
                        directory, String.join(", ", where));
                out.flush();
                if (d.isZero()) {
                    stop.await();
                } else {
                    stop.await(d.toNanos(), TimeUnit.NANOSECONDS);
                    Runtime.getRuntime().removeShutdownHook(hook);
                }
                SearchResponderStats s = ns.stats();
                out.printf("names searched: ca %d, pva %d; found %d; replies %d; rate-limited %d; malformed %d %s; "
                                + "send errors %d; directory reloads %d%n", s.caNames(), s.pvaNames(), s.found(),
                        s.replies(), s.rateLimited(), s.dropped(), ns.drops().snapshot(), ns.sendErrors(),
                        file.reloads());
                out.flush();
            } finally {
                reported.countDown();
            }
            return 0;
        }
    }

    /** {@code meshwire epics beacons}. */
    @Command(name = "beacons", mixinStandardHelpOptions = true,
            description = "Watch CA and PVA beacons: servers seen, beacon intervals, restarts (beacon id resets, "
                    + "GUID changes), per NIC. CA beacons come through the CA repeater when one holds the port.")
    static final class Beacons implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--duration", defaultValue = "0", paramLabel = "S",
                description = "Stop after S seconds and print the table (default 0: until interrupted).")
        double duration;

        @Option(names = "--repeater-port", paramLabel = "PORT",
                description = "Overrides EPICS_CA_REPEATER_PORT (the CA beacon port).")
        Integer repeaterPort;

        @Option(names = "--protocol", defaultValue = "both", paramLabel = "ca|pva|both",
                description = "Protocols to watch (default ${DEFAULT-VALUE}).")
        String protocol;

        @Option(names = "--json", description = "End with one JSON object instead of the table.")
        boolean json;

        @CommandLine.Mixin
        Network network = new Network();

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Set<EpicsProtocol> p;
            EpicsNetworkConfig config;
            Duration d;
            try {
                p = protocols(protocol);
                config = network.config();
                d = seconds("--duration", duration, true);
            } catch (IllegalArgumentException e) {
                err.println("meshwire epics beacons: " + e.getMessage());
                return 2;
            }
            int caPort = !p.contains(EpicsProtocol.CA) ? 0
                    : repeaterPort != null ? repeaterPort : config.caRepeaterPort();
            int pvaPort = p.contains(EpicsProtocol.PVA) ? config.pvaBroadcastPort() : 0;
            BeaconTracker tracker = new BeaconTracker(4096, new BeaconTracker.Listener() {
                @Override
                public void onNewServer(BeaconServer s) {
                    if (!json) {
                        out.println(BeaconReport.event("new", s));
                        out.flush();
                    }
                }

                @Override
                public void onRestart(BeaconServer s) {
                    if (!json) {
                        out.println(BeaconReport.event("restart", s));
                        out.flush();
                    }
                }
            }, new EpicsDropCounters());
            CountDownLatch stop = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                stop.countDown();
                print(out, tracker);
            });
            try (BeaconListener l = BeaconListener.open(network.bindAddress(), caPort, pvaPort, tracker)) {
                if (!json) {
                    out.printf("meshwire epics beacons: ca on udp port %s%s, pva on udp port %s%n",
                            caPort == 0 ? "-" : caPort, l.viaRepeater() ? " (through the CA repeater)" : "",
                            pvaPort == 0 ? "-" : pvaPort);
                    out.flush();
                }
                if (d.isZero()) {
                    Runtime.getRuntime().addShutdownHook(hook);
                    stop.await();
                    return 0;
                }
                stop.await(d.toNanos(), TimeUnit.NANOSECONDS);
            } catch (IOException e) {
                err.println("meshwire epics beacons: " + e.getMessage());
                return 2;
            }
            print(out, tracker);
            return 0;
        }

        private void print(PrintWriter out, BeaconTracker tracker) {
            List<BeaconServer> servers = tracker.servers(System.nanoTime());
            out.print(json ? BeaconReport.toJson(servers) + System.lineSeparator() : BeaconReport.toText(servers));
            out.flush();
        }
    }

    /** Address text without the host-name lookup {@link InetSocketAddress#toString()} may show. */
    static final class SearchReportAddress {
        private SearchReportAddress() {
        }

        static String of(InetSocketAddress a) {
            return a.getAddress().getHostAddress() + ":" + a.getPort();
        }
    }
}
