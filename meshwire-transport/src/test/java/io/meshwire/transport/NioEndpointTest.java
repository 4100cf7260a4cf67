package io.meshwire.transport;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The conformance suite on the portable NIO backend in inline receive mode, plus channel wrapping;
 * {@link NioDedicatedThreadEndpointTest} runs it all again with a receive thread.
 */
class NioEndpointTest extends AbstractEndpointConformanceTest {

    @Override
    EndpointConfig.BackendPreference backend() {
        return EndpointConfig.BackendPreference.NIO;
    }

    @Override
    EndpointConfig.ReceiveMode receiveMode() {
        return EndpointConfig.ReceiveMode.INLINE;
    }

    @Test
    void shouldReceiveThroughWrappedChannelWhenChannelIsBound() throws Exception {
        DatagramChannel ch = DatagramChannel.open();
        ch.bind(LOOPBACK_V4);
        try (DatagramEndpoint a = DatagramEndpoint.wrap(ch, config().build())) {
            DatagramEndpoint b = open(config());
            b.send(text("wrapped"), (InetSocketAddress) ch.getLocalAddress());
            try (Datagram d = a.receive(5, TimeUnit.SECONDS)) {
                assertThat(text(d)).isEqualTo("wrapped");
            }
            assertThat(a.backend()).isEqualTo(Backend.NIO);
        }
        assertThat(ch.isOpen()).isFalse();
    }
}
