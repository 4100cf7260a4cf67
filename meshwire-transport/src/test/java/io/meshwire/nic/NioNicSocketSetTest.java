package io.meshwire.nic;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwire.transport.Backend;
import io.meshwire.transport.EndpointConfig.BackendPreference;
import io.meshwire.transport.EndpointConfig.ReceiveMode;
import java.nio.channels.DatagramChannel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The socket-set contract on the NIO Selector fallback. */
class NioNicSocketSetTest extends AbstractNicSocketSetTest {

  @Override
  BackendPreference backend() {
    return BackendPreference.NIO;
  }

  @ParameterizedTest
  @EnumSource(ReceiveMode.class)
  void shouldReportTheSocketsOwnAddressAndNicWhenNoPacketInfoIsAvailable(ReceiveMode mode) throws Exception {
    NicSocketSet set = open(config(FAKE1).receiveMode(mode));
    DatagramChannel sender = peer("127.0.0.1");

    assertThat(set.backend()).isEqualTo(Backend.NIO);
    sender.send(text("n"), socketOf(set, "fake1").localAddress());

    assertThat(receive(set, 1)).singleElement().satisfies(s -> {
      assertThat(s.packetInfo()).isFalse();
      assertThat(s.destination()).isEqualTo(FAKE1.address());
      assertThat(s.ifindex()).isEqualTo(FAKE1.index());
      assertThat(s.drops()).isZero();
    });
  }
}
