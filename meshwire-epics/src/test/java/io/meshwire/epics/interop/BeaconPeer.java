package io.meshwire.epics.interop;

import io.meshwire.epics.BeaconListener;
import io.meshwire.epics.BeaconReport;
import io.meshwire.epics.BeaconServer;
import io.meshwire.epics.BeaconTracker;
import io.meshwire.epics.EpicsDropCounters;
import java.net.InetAddress;
import java.util.List;

/**
 * meshwire's beacon listener on every NIC in a child JVM (run inside a namespace), as {@code meshwire epics beacons}:
 * {@code BeaconPeer CA_BEACON_PORT SERVERS MAX_S [PVA_BEACON_PORT [LINGER_S]]}. Listens until SERVERS servers were
 * each seen at least twice or MAX_S seconds passed, and then LINGER_S more (for beacons that should not come), then
 * prints {@code SERVER <event line>} and {@code COUNT PROTOCOL NIC BEACONS RESTARTS} per server
 * ({@link BeaconReport#event}) and {@code DONE}. PVA beacons are
 * listened for only with a PVA_BEACON_PORT other than 0.
 */
public final class BeaconPeer {
    private BeaconPeer() {
    }

    public static void main(String[] args) throws Exception {
        int servers = Integer.parseInt(args[1]);
        long deadline = System.nanoTime() + (long) (Double.parseDouble(args[2]) * 1e9);
        int pvaPort = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        long lingerNanos = args.length > 4 ? (long) (Double.parseDouble(args[4]) * 1e9) : 0;
        BeaconTracker tracker = new BeaconTracker(64, new BeaconTracker.Listener() { }, new EpicsDropCounters());
        try (BeaconListener l = BeaconListener.open(InetAddress.getByName("0.0.0.0"), Integer.parseInt(args[0]),
                pvaPort, tracker)) {
            System.out.println("LISTENING " + (l.viaRepeater() ? "via repeater" : "direct"));
            System.out.flush();
            while (System.nanoTime() < deadline) {
                List<BeaconServer> seen = tracker.servers(System.nanoTime());
                if (seen.size() >= servers && seen.stream().allMatch(s -> s.beacons() >= 2)) {
                    break;
                }
                Thread.sleep(50);
            }
            Thread.sleep(lingerNanos / 1_000_000);
        }
        for (BeaconServer s : tracker.servers(System.nanoTime())) {
            System.out.println("SERVER " + BeaconReport.event("seen", s));
            System.out.println("COUNT " + s.protocol().label() + " " + s.nic() + " " + s.beacons() + " "
                    + s.restarts());
        }
        System.out.println("DONE");
        System.out.flush();
        System.exit(0);
    }
}
