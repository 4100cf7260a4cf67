package io.meshwire.epics.interop;

import com.cosylab.epics.caj.cas.util.DefaultServerImpl;
import gov.aps.jca.JCALibrary;
import gov.aps.jca.cas.ServerContext;
import gov.aps.jca.dbr.DBRType;

/**
 * The real jca CAS server in a child JVM: {@code CasPeer SERVER_PORT BEACON_PORT NAME...}. Serves each NAME as a
 * double on SERVER_PORT (TCP and UDP), sends beacons only to 127.0.0.1:BEACON_PORT. Prints READY; exits when stdin
 * closes.
 */
public final class CasPeer {
    private CasPeer() {
    }

    public static void main(String[] args) throws Exception {
        String p = "com.cosylab.epics.caj.cas.CAJServerContext.";
        System.setProperty(p + "server_port", args[0]);
        System.setProperty(p + "beacon_port", args[1]);
        System.setProperty(p + "beacon_addr_list", "127.0.0.1");
        System.setProperty(p + "auto_beacon_addr_list", "false");
        System.setProperty(p + "beacon_period", "1.0");
        DefaultServerImpl server = new DefaultServerImpl();
        for (int i = 2; i < args.length; i++) {
            server.createMemoryProcessVariable(args[i], DBRType.DOUBLE, new double[] {42.0});
        }
        ServerContext context = JCALibrary.getInstance()
                .createServerContext(JCALibrary.CHANNEL_ACCESS_SERVER_JAVA, server);
        Thread runner = new Thread(() -> {
            try {
                context.run(0);
            } catch (Exception e) {
                System.out.println("FAILED " + e);
            }
        });
        runner.setDaemon(true);
        runner.start();
        System.out.println("READY");
        System.out.flush();
        Peers.awaitStdinClosed();
        context.destroy();
        System.exit(0);
    }
}
