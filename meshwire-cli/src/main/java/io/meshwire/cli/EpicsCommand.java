package io.meshwire.cli;

import io.meshwire.epics.AddressListEntry;
import io.meshwire.epics.BeaconListener;
import io.meshwire.epics.BeaconSenderConfig;
import io.meshwire.epics.BeaconReport;
import io.meshwire.epics.BeaconServer;
import io.meshwire.epics.BeaconTracker;
import io.meshwire.epics.EpicsDropCounters;
import io.meshwire.epics.EpicsNetworkConfig;
import io.meshwire.epics.EpicsProtocol;
import io.meshwire.epics.EpicsSearch;
import io.meshwire.epics.EpicsTransport;
import io.meshwire.epics.NameDirectoryFile;
import io.meshwire.epics.NameServer;
import io.meshwire.epics.NameServerConfig;
import io.meshwire.epics.NicSetTransport;
import io.meshwire.epics.SearchClientConfig;
import io.meshwire.epics.SearchReport;
import io.meshwire.epics.SearchResponderConfig;
import io.meshwire.epics.SearchResponderStats;
import io.meshwire.epics.SearchTargets;
import io.meshwire.nic.InterfaceEnumerator;
import io.meshwire.nic.NicSocket;
import io.meshwire.nic.NicSocketStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
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

    /** Options every subcommand shares: the protocols, and overrides of the EPICS environment variables. */
    static final class Common {
        @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
        CommandLine.Model.CommandSpec command;

        @Option(names = "--protocol", defaultValue = "both", paramLabel = "ca|pva|both",
                description = "Protocols to use (default ${DEFAULT-VALUE}).")
        String protocol;

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
                description = "0.0.0.0 (the default): every NIC, with its subnet broadcast address and, on a fixed "
                        + "port, the wildcard address; an address: only the NIC holding it.")
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

        /**
         * Checks what every subcommand needs first: {@code --protocol}, the network settings and the command's time
         * option; a wrong one is reported as the command's usage error.
         *
         * @return the checked options, or null once the usage error is reported
         */
        Setup setup(String timeOption, double seconds, boolean zeroAllowed) {
            try {
                return new Setup(protocols(protocol), config(),
                        EpicsCommand.seconds(timeOption, seconds, zeroAllowed));
            } catch (IllegalArgumentException e) {
                Cli.usage(command, e.getMessage());
                return null;
            }
        }
    }

    /** A subcommand's checked options: protocols, network settings, and its timeout or duration. */
    record Setup(Set<EpicsProtocol> protocols, EpicsNetworkConfig config, Duration time) {
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
                    + "answer came in on. With --protocol both, a name counts as found when either answers. Exit code 0 "
                    + "only if every name was found.")
    static final class Search implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "NAME", description = "Names to search.")
        List<String> names;

        @Option(names = "--timeout", defaultValue = "3", paramLabel = "S",
                description = "Give up after S seconds (default ${DEFAULT-VALUE}).")
        double timeout;

        @Option(names = "--json", description = "Print one JSON object instead of the table.")
        boolean json;

        @CommandLine.Mixin
        Common common = new Common();

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Setup setup = common.setup("--timeout", timeout, false);
            if (setup == null) {
                return Cli.USAGE;
            }
            var targets = SearchTargets.resolve(setup.config(), setup.protocols(),
                    InterfaceEnumerator.system().enumerate());
            try (NicSetTransport transport = NicSetTransport.open(common.bindAddress(), 0)) {
                SearchReport r;
                try {
                    r = EpicsSearch.run(transport, SearchClientConfig.builder().build(), names, setup.protocols(),
                            targets, setup.time());
                } catch (IllegalArgumentException e) {
                    return Cli.usage(spec, e.getMessage());
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
                    + "answered; each source is rate-limited. With --beacons it announces itself as CA and PVA servers "
                    + "do (EPICS_CAS_BEACON_PERIOD, EPICS_PVAS_BEACON_PERIOD, EPICS_CAS_BEACON_ADDR_LIST, "
                    + "EPICS_CAS_AUTO_BEACON_ADDR_LIST, EPICS_PVAS_BEACON_ADDR_LIST, EPICS_PVAS_AUTO_BEACON_ADDR_LIST, "
                    + "EPICS_CAS_BEACON_PORT).")
    static final class Nameserver implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--directory", required = true, paramLabel = "FILE", description = "The name directory.")
        Path directory;

        @Option(names = "--rate", defaultValue = "200", paramLabel = "N",
                description = "Reply datagrams per second per source (default ${DEFAULT-VALUE}).")
        double rate;

        @Option(names = "--burst", defaultValue = "400", paramLabel = "N",
                description = "Reply burst per source (default ${DEFAULT-VALUE}).")
        int burst;

        @Option(names = "--duration", defaultValue = "0", paramLabel = "S",
                description = "Stop after S seconds (default 0: run until interrupted).")
        double duration;

        @Option(names = "--beacons",
                description = "Send beacons: CA RSRV_IS_UP to the CA repeater port (EPICS_CAS_BEACON_PORT, else "
                        + "EPICS_CA_REPEATER_PORT, 5065) and PVA CMD_BEACON to the PVA broadcast port, each to "
                        + "255.255.255.255 through every NIC (unless EPICS_CAS_AUTO_BEACON_ADDR_LIST / "
                        + "EPICS_PVAS_AUTO_BEACON_ADDR_LIST is NO) and to EPICS_CAS_BEACON_ADDR_LIST / "
                        + "EPICS_PVAS_BEACON_ADDR_LIST; the first at once, then at intervals doubling from 20 ms "
                        + "up to the period.")
        boolean beacons;

        @Option(names = "--beacon-period", paramLabel = "S",
                description = "Longest interval between beacons, 0.02..3600 (default EPICS_CAS_BEACON_PERIOD and "
                        + "EPICS_PVAS_BEACON_PERIOD, else 15); needs --beacons.")
        Double beaconPeriod;

        @CommandLine.Mixin
        Common common = new Common();

        BeaconSenderConfig beaconConfig() {
            BeaconSenderConfig.Builder b = BeaconSenderConfig.builder().environment(environment).enabled(beacons);
            if (common.pvaPort != null) {
                b.pvaPort(common.pvaPort); // the PVA port searched on is the one its beacons go to
            }
            if (beaconPeriod != null) {
                if (!beacons) {
                    throw new IllegalArgumentException("--beacon-period needs --beacons");
                }
                if (!(beaconPeriod >= 0.02 && beaconPeriod <= 3600)) {
                    throw new IllegalArgumentException("--beacon-period must be 0.02..3600 seconds: " + beaconPeriod);
                }
                b.period(Duration.ofNanos(Math.round(beaconPeriod * 1e9)));
            }
            return b.build();
        }

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Setup setup = common.setup("--duration", duration, true);
            if (setup == null) {
                return Cli.USAGE;
            }
            NameServerConfig nsConfig;
            try {
                nsConfig = NameServerConfig.builder().responder(SearchResponderConfig.builder()
                        .answerCa(setup.protocols().contains(EpicsProtocol.CA))
                        .answerPva(setup.protocols().contains(EpicsProtocol.PVA))
                        .repliesPerSecond(rate).replyBurst(burst).build()).beacons(beaconConfig()).build();
            } catch (IllegalArgumentException e) {
                return Cli.usage(spec, e.getMessage());
            }
            NameDirectoryFile file;
            try {
                file = NameDirectoryFile.load(directory);
            } catch (NoSuchFileException e) {
                return Cli.usage(spec, "no such directory file: " + directory);
            } catch (IOException e) {
                return Cli.usage(spec, e.getMessage());
            }
            Map<EpicsProtocol, EpicsTransport> byProtocol = new EnumMap<>(EpicsProtocol.class);
            List<String> where = new ArrayList<>();
            InetAddress bind = common.bindAddress();
            try {
                for (EpicsProtocol proto : setup.protocols()) {
                    NicSetTransport t = NicSetTransport.open(bind, setup.config().searchPort(proto));
                    byProtocol.put(proto, t);
                    where.add(proto.label() + " on udp port " + t.localPort() + " (" + sockets(t) + ")");
                }
            } catch (IOException e) {
                byProtocol.values().forEach(EpicsTransport::close);
                return Cli.usage(spec, e.getMessage());
            }
            Duration d = setup.time();
            List<EpicsTransport> transports = new ArrayList<>(byProtocol.values());
            CountDownLatch stop = new CountDownLatch(1);
            CountDownLatch reported = new CountDownLatch(1);
            try (NameServer ns = NameServer.start(byProtocol, file, nsConfig)) {
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
                if (!ns.beaconProtocols().isEmpty()) {
                    out.printf("beacons: %s%n", beaconPlan(nsConfig.beacons(), ns.beaconProtocols(), byProtocol));
                }
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
                out.printf("%s sent per NIC: %s%n", ns.beaconProtocols().isEmpty() ? "replies" : "replies and beacons",
                        sentPerNic(transports));
                if (!ns.beaconProtocols().isEmpty()) {
                    out.printf("beacons sent: ca %d, pva %d; beacon send errors %d%n",
                            ns.beaconsSent(EpicsProtocol.CA), ns.beaconsSent(EpicsProtocol.PVA),
                            ns.beaconSendErrors());
                }
                out.flush();
            } finally {
                reported.countDown();
            }
            return 0;
        }
    }

    /**
     * Where and how often each protocol's beacons go, e.g. {@code ca (port 5064) to 255.255.255.255:5065 on every
     * NIC, 10.0.0.9:5065 every 0.02..15 s}.
     */
    static String beaconPlan(BeaconSenderConfig c, List<EpicsProtocol> protocols,
            Map<EpicsProtocol, EpicsTransport> byProtocol) {
        List<String> out = new ArrayList<>();
        for (EpicsProtocol p : protocols) {
            List<String> to = new ArrayList<>();
            if (c.autoAddrList(p)) {
                to.add("255.255.255.255:" + c.port(p) + " on every NIC");
            }
            for (AddressListEntry e : c.addrList(p)) {
                to.add(e.address().getHostAddress() + ":" + e.port());
            }
            out.add(String.format(java.util.Locale.ROOT, "%s (port %d) to %s every 0.02..%s s", p.label(),
                    byProtocol.get(p).localPort(), String.join(", ", to), c.period(p).toMillis() / 1000.0));
        }
        return String.join("; ", out);
    }

    /** The sockets of a set, e.g. {@code eth0 10.0.0.5, eth0 brd 10.0.0.255, * 0.0.0.0}. */
    static String sockets(NicSetTransport t) {
        List<String> out = new ArrayList<>();
        for (NicSocket s : t.socketSet().sockets()) {
            String a = s.localAddress().getAddress().getHostAddress();
            out.add(switch (s.role()) {
                case UNICAST -> s.nic().name() + " " + a;
                case BROADCAST_RX -> s.nic().name() + " brd " + a;
                case WILDCARD_RX -> "* " + a;
            });
        }
        return String.join(", ", out);
    }

    /** Datagrams sent by each NIC socket, e.g. {@code ca eth0 10.0.0.5 3, pva eth1 10.0.1.5 1}; "none" if 0. */
    static String sentPerNic(List<EpicsTransport> transports) {
        List<String> out = new ArrayList<>();
        for (EpicsTransport t : transports) {
            if (t instanceof NicSetTransport n) {
                String proto = n.localPort() == 0 ? "" : "port " + n.localPort() + " ";
                for (NicSocketStats s : n.socketSet().stats().sockets()) {
                    if (s.sent() > 0) {
                        out.add(proto + s.socket().nic().name() + " "
                                + s.socket().localAddress().getAddress().getHostAddress() + " " + s.sent());
                    }
                }
            }
        }
        return out.isEmpty() ? "none" : String.join(", ", out);
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

        @Option(names = "--json", description = "End with one JSON object instead of the table.")
        boolean json;

        @CommandLine.Mixin
        Common common = new Common();

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Setup setup = common.setup("--duration", duration, true);
            if (setup == null) {
                return Cli.USAGE;
            }
            Set<EpicsProtocol> p = setup.protocols();
            EpicsNetworkConfig config = setup.config();
            Duration d = setup.time();
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
            try (BeaconListener l = BeaconListener.open(common.bindAddress(), caPort, pvaPort, tracker)) {
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
                return Cli.usage(spec, e.getMessage());
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
}
