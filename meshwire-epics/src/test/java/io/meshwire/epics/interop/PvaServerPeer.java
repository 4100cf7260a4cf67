package io.meshwire.epics.interop;

import org.epics.pva.data.PVADouble;
import org.epics.pva.data.PVAStructure;
import org.epics.pva.server.PVAServer;

/**
 * The real phoebus PVAServer in a child JVM, settings from its EPICS_PVA* environment (bound to 127.0.0.1 only):
 * {@code PvaServerPeer NAME...}. Prints {@code READY TCP_PORT}; exits when stdin closes.
 */
public final class PvaServerPeer {
    private PvaServerPeer() {
    }

    public static void main(String[] args) throws Exception {
        try (PVAServer server = new PVAServer()) {
            for (String name : args) {
                server.createPV(name, new PVAStructure("", "epics:nt/NTScalar:1.0", new PVADouble("value", 42.0)));
            }
            System.out.println("READY " + server.getTCPAddress(false).getPort());
            System.out.flush();
            Peers.awaitStdinClosed();
        }
        System.exit(0);
    }
}
