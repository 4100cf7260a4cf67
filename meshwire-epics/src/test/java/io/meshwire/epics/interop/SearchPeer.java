package io.meshwire.epics.interop;

import io.meshwire.epics.EpicsNetworkConfig;
import io.meshwire.epics.EpicsProtocol;
import io.meshwire.epics.EpicsSearch;
import io.meshwire.epics.NicSetTransport;
import io.meshwire.epics.SearchClientConfig;
import io.meshwire.epics.SearchReport;
import io.meshwire.epics.SearchResult;
import io.meshwire.epics.SearchTarget;
import io.meshwire.epics.SearchTargets;
import io.meshwire.nic.InterfaceEnumerator;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;

/**
 * meshwire's search client on every NIC in a child JVM (run inside a namespace), as {@code meshwire epics search}
 * with automatic address lists or an explicit one (then the automatic lists are off): {@code SearchPeer CA_PORT
 * PVA_PORT TIMEOUT_S auto|ADDR_LIST NAME...}. Prints {@code TARGET ...} per
 * destination, {@code RESULT NAME PROTOCOL FOUND SERVER REPLIED_BY NIC} per name and protocol, then {@code DONE}.
 */
public final class SearchPeer {
    private SearchPeer() {
    }

    public static void main(String[] args) throws Exception {
        boolean auto = args[3].equals("auto");
        EpicsNetworkConfig.Builder b = EpicsNetworkConfig.builder().environment(java.util.Map.of())
                .caAutoAddrList(auto).pvaAutoAddrList(auto).caServerPort(Integer.parseInt(args[0]))
                .pvaBroadcastPort(Integer.parseInt(args[1]));
        if (!auto) {
            b.caAddrList(args[3]).pvaAddrList(args[3]);
        }
        EpicsNetworkConfig config = b.build();
        EnumSet<EpicsProtocol> both = EnumSet.allOf(EpicsProtocol.class);
        List<SearchTarget> targets = SearchTargets.resolve(config, both, InterfaceEnumerator.system().enumerate());
        targets.forEach(t -> System.out.println("TARGET " + t));
        List<String> names = Arrays.asList(args).subList(4, args.length);
        try (NicSetTransport t = NicSetTransport.open(InetAddress.getByName("0.0.0.0"), 0)) {
            SearchReport r = EpicsSearch.run(t, SearchClientConfig.builder().build(), names, both, targets,
                    Duration.ofMillis((long) (Double.parseDouble(args[2]) * 1000)));
            for (SearchResult x : r.results()) {
                System.out.println("RESULT " + x.name() + " " + x.protocol().label() + " " + x.found() + " "
                        + SearchResult.text(x.server()) + " " + SearchResult.text(x.repliedBy()) + " " + x.nic());
            }
        }
        System.out.println("DONE");
        System.out.flush();
        System.exit(0);
    }
}
