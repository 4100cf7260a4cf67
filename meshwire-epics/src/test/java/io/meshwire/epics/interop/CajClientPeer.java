package io.meshwire.epics.interop;

import gov.aps.jca.Channel;
import gov.aps.jca.Context;
import gov.aps.jca.JCALibrary;

/**
 * The real CAJ client in a child JVM: {@code CajClientPeer ADDR_LIST REPEATER_PORT TIMEOUT_S NAME}. Searches only
 * ADDR_LIST (auto list off), connects NAME, prints {@code CONNECTED NAME HOST} or {@code FAILED NAME STATE}, then
 * waits for stdin to close (so the harness can see the CA repeater CAJ spawned) and exits.
 */
public final class CajClientPeer {
    private CajClientPeer() {
    }

    public static void main(String[] args) throws Exception {
        String p = "com.cosylab.epics.caj.CAJContext.";
        System.setProperty(p + "addr_list", args[0]);
        System.setProperty(p + "auto_addr_list", "false");
        System.setProperty(p + "repeater_port", args[1]);
        double timeout = Double.parseDouble(args[2]);
        String name = args[3];
        Context context = JCALibrary.getInstance().createContext(JCALibrary.CHANNEL_ACCESS_JAVA);
        Channel channel = context.createChannel(name);
        try {
            context.pendIO(timeout);
        } catch (Exception e) {
            System.out.println("PEND " + e);
        }
        if (channel.getConnectionState() == Channel.ConnectionState.CONNECTED) {
            System.out.println("CONNECTED " + name + " " + channel.getHostName());
        } else {
            System.out.println("FAILED " + name + " " + channel.getConnectionState());
        }
        System.out.flush();
        Peers.awaitStdinClosed();
        context.destroy();
        System.exit(0);
    }
}
