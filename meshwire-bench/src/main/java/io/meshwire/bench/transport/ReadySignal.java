package io.meshwire.bench.transport;

import java.util.concurrent.CompletableFuture;

/**
 * How a receiving peer tells {@link PeerMain#supervise} that it is bound: the fields of its READY line and the
 * stopper that ends its receive loop.
 */
public final class ReadySignal {

    final CompletableFuture<String> fields = new CompletableFuture<>();
    private volatile AutoCloseable stopper;

    /**
     * Reports the receiver ready. {@code readyFields} is the rest of the READY line ({@code port=P ...});
     * closing {@code stopper} must make the receive loop return soon, e.g. by closing what it blocks on.
     */
    public void ready(String readyFields, AutoCloseable stopper) {
        this.stopper = stopper;
        fields.complete(readyFields);
    }

    void fail(Throwable failure) {
        fields.completeExceptionally(failure);
    }

    AutoCloseable stopper() {
        return stopper;
    }
}
