package io.meshwire.epics.interop;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Ports free for both TCP and UDP on every address, for peers that bind both (CA servers do). */
final class Ports {
    private Ports() {
    }

    static int freeTcpAndUdp() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port;
            try (ServerSocket tcp = new ServerSocket()) {
                tcp.bind(new InetSocketAddress("0.0.0.0", 0));
                port = tcp.getLocalPort();
            }
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress("0.0.0.0", port))) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no port free for both TCP and UDP after 50 attempts");
    }
}
