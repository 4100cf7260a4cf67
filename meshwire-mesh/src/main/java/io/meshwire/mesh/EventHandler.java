package io.meshwire.mesh;

/**
 * Receives inbound events, from the node's own thread ({@link MeshNode#start(MeshConfig, EventHandler)}) or from
 * the polling thread ({@link MeshNode#poll}). Events of one stream arrive in order. The event is valid only during
 * the call.
 */
@FunctionalInterface
public interface EventHandler {
    /**
     * @param event the event; copy what you keep
     */
    void onEvent(MeshEvent event);
}
