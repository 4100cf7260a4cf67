package io.meshwire.bench.mesh;

import java.util.List;

/**
 * One system in the event benchmark. Both roles run in child JVMs through {@link EventPeerMain}; a system supplies
 * the two loops and is found again in the child by its {@link #name()} in {@link EventSystems#all()}.
 *
 * <p>Every event starts with the publisher's {@link System#nanoTime()} as 8 little-endian bytes
 * ({@link EventPeer#stamp}); the subscriber hands each delivered event to {@link EventStats#onEvent}, which records
 * the latency. Both processes run on one host, where {@code nanoTime} reads the same monotonic clock.
 */
public interface EventSystem {

    /** The name used in tables, JSON and {@code --systems}, e.g. {@code "aeron"}. */
    String name();

    /** JVM options of both child JVMs on top of the common ones; none by default. */
    default List<String> jvmOptions() {
        return List.of();
    }

    /**
     * Binds {@link EventPeer#address()}, calls {@link EventPeer#ready} with the bound port, whatever the publisher
     * needs to reach it, and a stopper, then delivers events into {@code stats} until the stopper is closed.
     */
    void subscribe(EventPeer peer, EventStats stats) throws Exception;

    /**
     * Publishes {@code peer.spec().size()}-byte events, each stamped with {@link EventPeer#stamp}, to the subscriber
     * at {@link EventPeer#address()} (with {@link EventPeer#params()} from its READY line) as fast as the system
     * lets it, until {@link EventPeer#sendDeadlineNanos()}; counts each accepted event into {@code stats}.
     */
    void publish(EventPeer peer, EventStats.Published stats) throws Exception;
}
