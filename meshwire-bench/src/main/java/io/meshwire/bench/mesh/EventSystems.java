package io.meshwire.bench.mesh;

import io.aeron.driver.ThreadingMode;
import io.meshwire.crypto.AeadBackend;

import java.util.List;

/** The systems of the event benchmark, in run order; the first is the baseline of every ratio. */
public final class EventSystems {

    /** The baseline's name. */
    public static final String AERON = "aeron";
    /** meshwire's mesh node: encryption on (the JDK's ChaCha20-Poly1305), one reliable stream. */
    public static final String MESHWIRE = "meshwire";
    /**
     * The reliable stream's credit window in the benchmark: 1 MiB, sized for loopback's bandwidth-delay product at a
     * few hundred MB/s and millisecond round trips on a busy host (net-mesh's default 64 KiB turns over too often:
     * more grants, more idle waits). Override with {@code -Dmeshwire.bench.window=BYTES}.
     */
    static final String WINDOW_PROPERTY = "meshwire.bench.window";
    static final int WINDOW_BYTES = Integer.getInteger(WINDOW_PROPERTY, 1024 * 1024);

    private EventSystems() {
    }

    /** Every system, baseline first. */
    public static List<EventSystem> all() {
        return List.of(
                new AeronSystem(AERON, ThreadingMode.SHARED),
                new AeronSystem("aeron-dedicated", ThreadingMode.DEDICATED),
                new MeshwireEventSystem(MESHWIRE, AeadBackend.JDK, WINDOW_BYTES),
                new MeshwireEventSystem(MESHWIRE + "-java-aead", AeadBackend.JAVA, WINDOW_BYTES));
    }

    /** The system called {@code name}. */
    static EventSystem find(String name) {
        return all().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no event system called " + name + "; known: "
                        + all().stream().map(EventSystem::name).toList()));
    }
}
