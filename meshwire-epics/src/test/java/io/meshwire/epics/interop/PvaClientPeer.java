package io.meshwire.epics.interop;

import java.util.concurrent.TimeUnit;
import org.epics.pva.client.PVAChannel;
import org.epics.pva.client.PVAClient;

/**
 * The real phoebus PVAClient in a child JVM, settings from its EPICS_PVA* environment: {@code PvaClientPeer
 * TIMEOUT_S NAME}. Prints {@code CONNECTED NAME SERVER} or {@code FAILED NAME STATE}; exits when stdin closes.
 */
public final class PvaClientPeer {
    private PvaClientPeer() {
    }

    public static void main(String[] args) throws Exception {
        double timeout = Double.parseDouble(args[0]);
        String name = args[1];
        try (PVAClient client = new PVAClient()) {
            PVAChannel channel = client.getChannel(name);
            try {
                channel.connect().get((long) (timeout * 1000), TimeUnit.MILLISECONDS);
                System.out.println("CONNECTED " + name + " " + channel.getRemoteAddress());
            } catch (Exception e) {
                System.out.println("FAILED " + name + " " + channel.getState() + " " + e);
            }
            System.out.flush();
            Peers.awaitStdinClosed();
        }
        System.exit(0);
    }
}
