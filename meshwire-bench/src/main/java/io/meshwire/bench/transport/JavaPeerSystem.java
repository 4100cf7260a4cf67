package io.meshwire.bench.transport;

import java.util.ArrayList;
import java.util.List;

/**
 * Base of a system whose peers are Java code: both roles run in a child JVM through {@link PeerMain}, which handles
 * the line protocol, the per-second progress, stdin and the deadlines. A subclass supplies only the two loops, and
 * is found again in the child by its {@link #name()} in {@link TransportSystems#all()}.
 */
public abstract class JavaPeerSystem implements TransportSystem {

    private final String name;

    /** A system called {@code name}. */
    protected JavaPeerSystem(String name) {
        this.name = name;
    }

    @Override
    public final String name() {
        return name;
    }

    /** Any size up to the UDP maximum unless overridden. */
    @Override
    public boolean supportsSize(int size) {
        return size >= 1 && size <= PeerSpec.MAX_SIZE;
    }

    @Override
    public final List<String> receiverCommand(PeerSpec spec) {
        return PeerMain.command(this, PeerMain.RECEIVE, spec);
    }

    @Override
    public final List<String> senderCommand(PeerSpec spec) {
        return PeerMain.command(this, PeerMain.SEND, spec);
    }

    /** JVM options of the child JVM on top of the common ones (native access, heap); none by default. */
    protected List<String> jvmOptions() {
        return new ArrayList<>();
    }

    /**
     * Binds {@link PeerContext#address()}, calls {@link PeerContext#ready} with the bound port and a stopper, then
     * counts every datagram into {@code stats} until the stopper is closed, and returns.
     */
    protected abstract void receive(PeerContext context, ReceiveStats stats) throws Exception;

    /**
     * Sends {@code context.spec().size()}-byte datagrams to {@link PeerContext#address()} as fast as it can until
     * {@link PeerContext#sendDeadlineNanos()}, counting each accepted send into {@code stats}, and returns.
     */
    protected abstract void send(PeerContext context, SendStats stats) throws Exception;
}
