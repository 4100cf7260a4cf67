package io.meshwire.bench.transport;

import java.net.InetSocketAddress;

/** What a {@link JavaPeerSystem} peer is given: its spec, its address, and a way to report that it is bound. */
public final class PeerContext {

    private final PeerSpec spec;
    private final InetSocketAddress address;
    final ReadySignal signal = new ReadySignal();

    PeerContext(PeerSpec spec) {
        this.spec = spec;
        this.address = new InetSocketAddress(spec.host(), spec.port());
    }

    /** The run's parameters. */
    public PeerSpec spec() {
        return spec;
    }

    /** For a receiver the address to bind (port 0: ephemeral), for a sender the receiver's address. */
    public InetSocketAddress address() {
        return address;
    }

    /**
     * Called by a receiver once bound, before it starts receiving. Closing {@code stopper} must make
     * {@link JavaPeerSystem#receive} return soon, e.g. by closing the channel a blocking receive waits on.
     */
    public void ready(int boundPort, AutoCloseable stopper) {
        signal.ready("port=" + boundPort, stopper);
    }

    /** The {@link System#nanoTime()} at which a sender that starts now must stop: call it just before sending. */
    public long sendDeadlineNanos() {
        return System.nanoTime() + spec.seconds() * 1_000_000_000L;
    }
}
