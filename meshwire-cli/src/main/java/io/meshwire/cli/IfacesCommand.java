package io.meshwire.cli;

import io.meshwire.nic.InterfaceEnumerator;
import io.meshwire.nic.InterfaceMap;
import io.meshwire.nic.NetworkInterfaceInfo;
import io.meshwire.nic.Nic;
import io.meshwire.nic.Route;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code meshwire ifaces}: the interface map, and which NIC {@code pickNic} chooses for each destination. */
@Command(name = "ifaces", mixinStandardHelpOptions = true,
        description = {"List this host's interfaces as the NIC socket set sees them (index, name, addresses with "
                + "prefix, broadcast, flags) and, for each DEST, the NIC that pickNic chooses and the rule that chose "
                + "it.", "DEST must be an IP literal (names are not resolved); an IPv6 link-local DEST needs a scope "
                + "id (fe80::1%2)."})
final class IfacesCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "DEST", description = "Destination IP addresses to route.")
    List<String> destinations = new ArrayList<>();

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    @Spec
    CommandSpec spec;

    private final InterfaceEnumerator enumerator;

    IfacesCommand() {
        this(InterfaceEnumerator.system());
    }

    IfacesCommand(InterfaceEnumerator enumerator) {
        this.enumerator = enumerator;
    }

    /** One DEST and what routing said: a route, no route, or why it could not be routed. */
    private record Answer(String dest, Optional<Route<NetworkInterfaceInfo>> route, String error) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<InetAddress> dests = new ArrayList<>();
        for (String d : destinations) {
            try {
                dests.add(InetAddress.ofLiteral(d));
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("meshwire ifaces: DEST '" + d
                        + "' is not an IP literal (names are not resolved; give an address such as 10.0.0.1)");
                return 2;
            }
        }
        List<Answer> answers = new ArrayList<>();
        List<Nic> nics;
        try (InterfaceMap map = InterfaceMap.create(enumerator)) {
            nics = map.nics();
            for (int i = 0; i < dests.size(); i++) {
                try {
                    answers.add(new Answer(destinations.get(i), map.route(dests.get(i)), null));
                } catch (IllegalArgumentException e) {
                    answers.add(new Answer(destinations.get(i), Optional.empty(), e.getMessage()));
                }
            }
        }
        if (json) {
            out.println(json(nics, answers));
        } else {
            table(out, nics, answers);
        }
        out.flush();
        return answers.stream().anyMatch(a -> a.error() != null) ? 1 : 0;
    }

    private static String flags(Nic nic) {
        NetworkInterfaceInfo e = nic.entries().getFirst();
        List<String> f = new ArrayList<>();
        f.add(nic.entries().stream().anyMatch(NetworkInterfaceInfo::up) ? "UP" : "DOWN");
        if (e.loopback()) {
            f.add("LOOPBACK");
        }
        if (e.multicast()) {
            f.add("MULTICAST");
        }
        return String.join(",", f);
    }

    private static void table(PrintWriter out, List<Nic> nics, List<Answer> answers) {
        out.printf("%-5s %-16s %-44s %-16s %s%n", "INDEX", "NAME", "ADDRESS/PREFIX", "BROADCAST", "FLAGS");
        for (Nic nic : nics) {
            boolean first = true;
            for (NetworkInterfaceInfo e : nic.entries()) {
                out.printf("%-5s %-16s %-44s %-16s %s%n", first ? nic.index() : "", first ? nic.name() : "", e.cidr(),
                        e.broadcast().map(InetAddress::getHostAddress).orElse("-"), first ? flags(nic) : "");
                first = false;
            }
        }
        if (!answers.isEmpty()) {
            out.println();
            for (Answer a : answers) {
                if (a.error() != null) {
                    out.println(a.dest() + " -> error: " + a.error());
                } else if (a.route().isEmpty()) {
                    out.println(a.dest() + " -> none: no up interface of that address family");
                } else {
                    Route<NetworkInterfaceInfo> r = a.route().get();
                    out.println(a.dest() + " -> " + r.nic().name() + "#" + r.nic().index() + " " + r.nic().cidr()
                            + " (" + r.reason() + ": " + r.reason().description() + ")");
                }
            }
        }
    }

    private static String json(List<Nic> nics, List<Answer> answers) {
        StringBuilder sb = new StringBuilder("{\"interfaces\":[");
        for (int i = 0; i < nics.size(); i++) {
            Nic nic = nics.get(i);
            NetworkInterfaceInfo e0 = nic.entries().getFirst();
            sb.append(i == 0 ? "" : ",").append("{\"index\":").append(nic.index()).append(",\"name\":")
                    .append(str(nic.name())).append(",\"up\":")
                    .append(nic.entries().stream().anyMatch(NetworkInterfaceInfo::up))
                    .append(",\"loopback\":").append(e0.loopback()).append(",\"multicast\":").append(e0.multicast())
                    .append(",\"addresses\":[");
            for (int j = 0; j < nic.entries().size(); j++) {
                NetworkInterfaceInfo e = nic.entries().get(j);
                sb.append(j == 0 ? "" : ",").append("{\"address\":").append(str(e.address().getHostAddress()))
                        .append(",\"prefix\":").append(e.prefixLength()).append(",\"broadcast\":")
                        .append(e.broadcast().map(b -> str(b.getHostAddress())).orElse("null"))
                        .append(",\"up\":").append(e.up()).append('}');
            }
            sb.append("]}");
        }
        sb.append("],\"routes\":[");
        for (int i = 0; i < answers.size(); i++) {
            Answer a = answers.get(i);
            sb.append(i == 0 ? "" : ",").append("{\"dest\":").append(str(a.dest()));
            if (a.error() != null) {
                sb.append(",\"error\":").append(str(a.error()));
            } else if (a.route().isEmpty()) {
                sb.append(",\"nic\":null");
            } else {
                Route<NetworkInterfaceInfo> r = a.route().get();
                sb.append(",\"nic\":").append(str(r.nic().name())).append(",\"index\":").append(r.nic().index())
                        .append(",\"address\":").append(str(r.nic().address().getHostAddress()))
                        .append(",\"reason\":").append(str(r.reason().name()))
                        .append(",\"description\":").append(str(r.reason().description()));
            }
            sb.append('}');
        }
        return sb.append("]}").toString();
    }

    private static String str(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
