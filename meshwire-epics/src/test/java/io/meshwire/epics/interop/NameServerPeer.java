package io.meshwire.epics.interop;

import io.meshwire.epics.BeaconSenderConfig;
import io.meshwire.epics.EpicsProtocol;
import io.meshwire.epics.EpicsTransport;
import io.meshwire.epics.NameDirectoryFile;
import io.meshwire.epics.NameServer;
import io.meshwire.epics.NameServerConfig;
import io.meshwire.epics.NicSetTransport;
import io.meshwire.epics.SearchResponderConfig;
import io.meshwire.nic.NicSocketStats;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * meshwire's name server on every NIC in a child JVM (run inside a namespace): {@code NameServerPeer CA_PORT PVA_PORT
 * DIRECTORY [BEACON_PERIOD_S]}. Opens a {@link NicSetTransport} per port as {@code meshwire epics nameserver} does,
 * prints {@code SOCKET PORT ROLE NIC ADDRESS} per socket, {@code GUID HEX} and {@code READY}; on the line
 * {@code stats} prints {@code SOCK PORT ROLE NIC ADDRESS RECEIVED SENT} per socket, then {@code FOUND N},
 * {@code BEACONS SENT ERRORS} and {@code END}; exits when stdin closes. With BEACON_PERIOD_S it sends beacons with that
 * period to the default beacon ports, 255.255.255.255 through every NIC.
 */
public final class NameServerPeer {
    private NameServerPeer() {
    }

    public static void main(String[] args) throws Exception {
        InetAddress any = InetAddress.getByName("0.0.0.0");
        NicSetTransport ca = NicSetTransport.open(any, Integer.parseInt(args[0]));
        NicSetTransport pva = NicSetTransport.open(any, Integer.parseInt(args[1]));
        List<NicSetTransport> sets = List.of(ca, pva);
        Map<EpicsProtocol, EpicsTransport> byProtocol = new EnumMap<>(Map.of(EpicsProtocol.CA, ca,
                EpicsProtocol.PVA, pva));
        NameServerConfig.Builder config = NameServerConfig.builder();
        SearchResponderConfig responder = SearchResponderConfig.builder().build();
        config.responder(responder);
        if (args.length > 3) {
            config.beacons(BeaconSenderConfig.builder().enabled(true)
                    .period(Duration.ofNanos((long) (Double.parseDouble(args[3]) * 1e9))).build());
        }
        try (NameServer ns = NameServer.start(byProtocol, NameDirectoryFile.load(Path.of(args[2])),
                config.build())) {
            for (NicSetTransport t : sets) {
                for (NicSocketStats s : t.socketSet().stats().sockets()) {
                    System.out.println("SOCKET " + t.localPort() + " " + describe(s));
                }
            }
            System.out.println("GUID " + HexFormat.of().formatHex(responder.guid()));
            System.out.println("READY");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.strip().equals("stats")) {
                    for (NicSetTransport t : sets) {
                        for (NicSocketStats s : t.socketSet().stats().sockets()) {
                            System.out.println("SOCK " + t.localPort() + " " + describe(s) + " " + s.received() + " "
                                    + s.sent());
                        }
                    }
                    System.out.println("FOUND " + ns.stats().found());
                    System.out.println("BEACONS " + ns.beaconsSent() + " " + ns.beaconSendErrors());
                    System.out.println("END");
                    System.out.flush();
                }
            }
        }
        System.exit(0);
    }

    private static String describe(NicSocketStats s) {
        return s.socket().role() + " " + s.socket().nic().name() + " "
                + s.socket().localAddress().getAddress().getHostAddress();
    }
}
