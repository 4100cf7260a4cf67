package io.meshwire.bench.transport;

import java.util.List;
import java.util.stream.Collectors;

/** The registry of benchmarked systems, in the order they run; the first is the baseline of every ratio. */
public final class TransportSystems {

    private static final List<TransportSystem> ALL = List.of(
            CBaselineSystem.mmsg(),
            CBaselineSystem.gsoGro(),
            new JdkNioSystem(),
            new NettyEpollSystem(),
            MeshwireSystem.nativeBackend(),
            MeshwireSystem.receiveThread(),
            MeshwireSystem.moderated(),
            MeshwireSystem.nioBackend(),
            MeshwireSystem.gsoGro()
    );

    private TransportSystems() {
    }

    /** Every registered system, the C baseline ({@code c-mmsg}) first. */
    public static List<TransportSystem> all() {
        return ALL;
    }

    /** The registered system called {@code name}. */
    public static TransportSystem find(String name) {
        for (TransportSystem system : ALL) {
            if (system.name().equals(name)) {
                return system;
            }
        }
        throw new IllegalArgumentException("no system named " + name + "; known: "
                + ALL.stream().map(TransportSystem::name).collect(Collectors.joining(", ")));
    }
}
