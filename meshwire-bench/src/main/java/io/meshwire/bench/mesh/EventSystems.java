package io.meshwire.bench.mesh;

import io.aeron.driver.ThreadingMode;

import java.util.List;

/** The systems of the event benchmark, in run order; the first is the baseline of every ratio. */
public final class EventSystems {

    /** The baseline's name. */
    public static final String AERON = "aeron";

    private EventSystems() {
    }

    /** Every system, baseline first. */
    public static List<EventSystem> all() {
        return List.of(
                new AeronSystem(AERON, ThreadingMode.SHARED),
                new AeronSystem("aeron-dedicated", ThreadingMode.DEDICATED));
    }

    /** The system called {@code name}. */
    static EventSystem find(String name) {
        return all().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no event system called " + name + "; known: "
                        + all().stream().map(EventSystem::name).toList()));
    }
}
