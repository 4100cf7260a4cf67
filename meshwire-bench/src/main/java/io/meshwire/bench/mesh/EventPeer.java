package io.meshwire.bench.mesh;

import io.meshwire.bench.transport.ReadySignal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/** What an {@link EventSystem} peer is given: its spec, its address, the subscriber's parameters, a ready hook. */
public final class EventPeer {

    private static final ValueLayout.OfLong STAMP = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final EventSpec spec;
    private final Map<String, String> params;
    private final InetSocketAddress address;
    final ReadySignal signal = new ReadySignal();

    EventPeer(EventSpec spec, Map<String, String> params) {
        this.spec = spec;
        this.params = Map.copyOf(params);
        this.address = new InetSocketAddress(spec.host(), spec.port());
    }

    /** The run's parameters. */
    public EventSpec spec() {
        return spec;
    }

    /** For a subscriber the address to bind, for a publisher the subscriber's address. */
    public InetSocketAddress address() {
        return address;
    }

    /** For a publisher: the {@code key=value} fields the subscriber gave {@link #ready} (e.g. its public key). */
    public Map<String, String> params() {
        return params;
    }

    /**
     * Called by a subscriber once it can receive. {@code fields} (keys and values without spaces or '=') reach the
     * publisher as {@link #params()}; closing {@code stopper} must make {@link EventSystem#subscribe} return soon.
     */
    public void ready(int boundPort, Map<String, String> fields, AutoCloseable stopper) {
        StringBuilder line = new StringBuilder("port=").append(boundPort);
        fields.forEach((key, value) -> line.append(' ').append(key).append('=').append(value));
        signal.ready(line.toString(), stopper);
    }

    /** The {@link System#nanoTime()} at which a publisher that starts now must stop: warm-up plus measured time. */
    public long sendDeadlineNanos() {
        return System.nanoTime() + spec.warmupNanos() + spec.seconds() * 1_000_000_000L;
    }

    /** Writes the current {@link System#nanoTime()} into the first 8 bytes of the event at {@code offset}. */
    public static void stamp(ByteBuffer event, int offset) {
        event.order(ByteOrder.LITTLE_ENDIAN).putLong(offset, System.nanoTime());
    }

    /** The publish time written by {@link #stamp} into the event at {@code offset}. */
    public static long stampOf(ByteBuffer event, int offset) {
        return event.order(ByteOrder.LITTLE_ENDIAN).getLong(offset);
    }

    /** The publish time written by {@link #stamp} into the event at {@code offset} of {@code segment}. */
    public static long stampOf(MemorySegment segment, long offset) {
        return segment.get(STAMP, offset);
    }
}
