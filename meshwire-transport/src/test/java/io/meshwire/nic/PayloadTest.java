package io.meshwire.nic;

import static io.meshwire.nic.FakeInterfaces.loV4;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwire.transport.Datagram;
import io.meshwire.transport.DatagramEndpoint;
import io.meshwire.transport.EndpointConfig;
import io.meshwire.transport.Payload;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link Payload} reads (byte access, copy, array) are the same code for an endpoint's {@link Datagram} and a
 * set's {@link NicDatagram}: both checked on real loopback datagrams, including the bad-argument paths.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PayloadTest {
  private static final byte[] TEXT = "payload under test".getBytes(StandardCharsets.US_ASCII);

  @Test
  void shouldReadTheSameBytesWhenAnEndpointReceivedThem() throws Exception {
    InetSocketAddress lo = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    try (DatagramEndpoint rx = DatagramEndpoint.open(EndpointConfig.builder().bindAddress(lo).build());
        DatagramChannel tx = DatagramChannel.open()) {
      tx.send(ByteBuffer.wrap(TEXT), rx.localAddress());
      Datagram d = rx.receive(5, TimeUnit.SECONDS);

      assertThat(d).isNotNull();
      checkPayload(d);
      d.release();
    }
  }

  @Test
  void shouldReadTheSameBytesWhenASetReceivedThem() throws Exception {
    try (NicSocketSet set = NicSocketSet.open(NicSetConfig.builder().interfaces(List.of(loV4())).build());
        DatagramChannel tx = DatagramChannel.open()) {
      tx.send(ByteBuffer.wrap(TEXT), set.sockets().getFirst().localAddress());
      AtomicReference<Throwable> failure = new AtomicReference<>();
      int n = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (n == 0 && System.nanoTime() < deadline) {
        n = set.receive(d -> {
          try {
            checkPayload(d);
          } catch (Throwable t) {
            failure.set(t);
          }
        }, 1, Duration.ofMillis(100));
      }

      assertThat(n).isEqualTo(1);
      assertThat(failure.get()).isNull();
    }
  }

  private static void checkPayload(Payload p) {
    assertThat(p.length()).isEqualTo(TEXT.length);
    assertThat(p.toByteArray()).isEqualTo(TEXT);
    assertThat(p.getByte(0)).isEqualTo(TEXT[0]);
    assertThat(p.getByte(TEXT.length - 1)).isEqualTo(TEXT[TEXT.length - 1]);
    assertThatThrownBy(() -> p.getByte(TEXT.length)).isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("index " + TEXT.length + " outside datagram of " + TEXT.length + " bytes");
    assertThatThrownBy(() -> p.getByte(-1)).isInstanceOf(IndexOutOfBoundsException.class);

    ByteBuffer dst = ByteBuffer.allocate(TEXT.length + 4).put((byte) 'x');
    p.copyTo(dst);
    assertThat(dst.position()).as("advanced past the copy").isEqualTo(1 + TEXT.length);
    assertThat(dst.flip().get(1)).isEqualTo(TEXT[0]);
    ByteBuffer small = ByteBuffer.allocate(TEXT.length - 1);
    assertThatThrownBy(() -> p.copyTo(small)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dst has " + (TEXT.length - 1) + " bytes left, datagram needs " + TEXT.length);
    assertThat(small.position()).as("nothing copied").isZero();
  }
}
