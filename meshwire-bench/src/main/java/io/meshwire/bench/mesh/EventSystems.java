package io.meshwire.bench.mesh;

import io.aeron.driver.ThreadingMode;
import io.meshwire.crypto.AeadBackend;

import java.util.List;

/** The systems of the event benchmark, in run order; the first is the baseline of every ratio. */
public final class EventSystems {

    /** The baseline's name. */
    public static final String AERON = "aeron";
    /** meshwire's mesh node: encryption on, one reliable stream. */
    public static final String MESHWIRE = "meshwire";
    /** The reliable stream's credit window in the benchmark. */
    static final String WINDOW_PROPERTY = "meshwire.bench.window";
    static final int WINDOW_BYTES = Integer.getInteger(WINDOW_PROPERTY, 64 * 1024);

    private EventSystems() {
    }

    /** Every system, baseline first. */
    public static List<EventSystem> all() {
        return List.of(
                new AeronSystem(AERON, ThreadingMode.SHARED),
                new AeronSystem("aeron-dedicated", ThreadingMode.DEDICATED),
                new MeshwireEventSystem(MESHWIRE, AeadBackend.DEFAULT, WINDOW_BYTES));
    }

    /** The system called {@code name}. */
    static EventSystem find(String name) {
        return all().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no event system called " + name + "; known: "
                        + all().stream().map(EventSystem::name).toList()));
    }
}
