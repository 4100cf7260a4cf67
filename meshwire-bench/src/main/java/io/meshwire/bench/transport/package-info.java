/**
 * End-to-end loopback UDP benchmark with peer systems, each side in its own process.
 *
 * <p>{@link io.meshwire.bench.transport.TransportBench} runs, per datagram size, every system of
 * {@link io.meshwire.bench.transport.TransportSystems}: a receiver process, then a sender process (or K C senders in
 * receiver-capacity mode), and reports received datagrams/s, Gbit/s, loss, datagrams per receive call, the
 * receive batch histogram and the CPU time each side spent per datagram, with ratios to the C
 * {@code sendmmsg}/{@code recvmmsg} baseline of the same run:
 * <pre>
 * ./mvnw -q -B -pl meshwire-bench -am compile dependency:build-classpath -Dmdep.outputFile=/tmp/bench.cp
 * java --enable-native-access=ALL-UNNAMED -cp meshwire-bench/target/classes:$(cat /tmp/bench.cp) \
 *     io.meshwire.bench.transport.TransportBench --size 64,1200 --seconds 5 [--systems jdk-nio] [--capacity] [--json]
 * </pre>
 *
 * <p>To add a system, write one class and list an instance in {@link io.meshwire.bench.transport.TransportSystems}:
 * either a {@link io.meshwire.bench.transport.TransportSystem} that returns the two command lines of any program
 * speaking the line protocol documented there, or, for Java code, a
 * {@link io.meshwire.bench.transport.JavaPeerSystem} that implements just the receive and send loops; the harness
 * runs those in child JVMs through {@link io.meshwire.bench.transport.PeerMain}.
 */
package io.meshwire.bench.transport;
