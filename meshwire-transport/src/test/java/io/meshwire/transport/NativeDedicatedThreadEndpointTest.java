package io.meshwire.transport;

/** Everything {@link NativeEndpointTest} checks, with a dedicated receive thread and its bounded batch queue. */
class NativeDedicatedThreadEndpointTest extends NativeEndpointTest {

    @Override
    EndpointConfig.ReceiveMode receiveMode() {
        return EndpointConfig.ReceiveMode.DEDICATED_THREAD;
    }
}
