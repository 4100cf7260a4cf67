package io.meshwire.transport;

/** Everything {@link NioEndpointTest} checks, with a dedicated receive thread and its bounded batch queue. */
class NioDedicatedThreadEndpointTest extends NioEndpointTest {

    @Override
    EndpointConfig.ReceiveMode receiveMode() {
        return EndpointConfig.ReceiveMode.DEDICATED_THREAD;
    }
}
