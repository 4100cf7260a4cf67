package io.meshwire.epics;

import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Interface names by index for the transports' {@link EpicsTransport#interfaceName}: those the transport knows
 * from its own sockets, else looked up once and kept ({@code if#N} when the index names no interface). For
 * reports, not the hot path. Thread-safe.
 */
final class InterfaceNames {
    private final Map<Integer, String> names = new ConcurrentHashMap<>();

    /** Records the name of {@code index} (a transport's own NIC). */
    void put(int index, String name) {
        names.put(index, name);
    }

    /** The name of {@code index}, or null when it is 0 or negative. */
    String name(int index) {
        if (index <= 0) {
            return null;
        }
        return names.computeIfAbsent(index, i -> {
            try {
                NetworkInterface nic = NetworkInterface.getByIndex(i);
                return nic == null ? "if#" + i : nic.getName();
            } catch (SocketException e) {
                return "if#" + i;
            }
        });
    }
}
