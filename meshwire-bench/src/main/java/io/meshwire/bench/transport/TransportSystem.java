package io.meshwire.bench.transport;

import java.util.List;

/**
 * One system in the end-to-end benchmark: how to start its receiver and its sender as separate processes.
 *
 * <p>Add a system by writing one class that implements this interface (or extends {@link JavaPeerSystem} for a
 * Java peer) and listing it in {@link TransportSystems#all()}.
 *
 * <p>The processes speak a line protocol on stdout, one {@code KEY key=value ...} line each, flushed at once;
 * other stdout lines and all of stderr are relayed to the harness's stderr:
 * <pre>
 * receiver  READY port=P                    once bound, before receiving (P is the bound port)
 *           PROGRESS t=S received=N          optional, every second after the first datagram, cumulative
 *           RESULT received=N bytes=B elapsed_ns=E [syscalls=C hist=h1,h2-3,h4-7,h8-15,h16-31,h32-63,h64] [cpu_ns=T]
 * sender    SENT sent=N [bytes=B calls=C errors=X elapsed_ns=E] [cpu_ns=T]
 * </pre>
 * {@code received} counts datagrams (a GRO buffer of k segments counts k); {@code elapsed_ns} runs from the first to
 * the last datagram received; {@code syscalls} and {@code hist} (receive calls by datagrams, or buffers, returned)
 * are given only when the receiver can observe them; {@code cpu_ns} is the process's CPU time (all threads) from its
 * first datagram (receiver) or first send (sender) to its end. The receiver must stop by itself {@link PeerSpec#seconds()}
 * plus {@link PeerSpec#graceMillis()} after its first datagram, and earlier once its stdin reaches end-of-file and
 * nothing arrived for about 100 ms: the harness closes that pipe when the senders are done. The sender sends as fast
 * as it can, without pacing, for {@link PeerSpec#seconds()} and exits.
 */
public interface TransportSystem {

    /** The name used in tables, JSON and the {@code --systems} filter, e.g. {@code "jdk-nio"}. */
    String name();

    /** Whether this system runs at datagram {@code size}; the harness skips it otherwise. */
    boolean supportsSize(int size);

    /** The command line of a receiver bound to {@code spec.host()} and {@code spec.port()} (0: ephemeral). */
    List<String> receiverCommand(PeerSpec spec);

    /** The command line of a sender sending to {@code spec.host()}:{@code spec.port()}. */
    List<String> senderCommand(PeerSpec spec);
}
