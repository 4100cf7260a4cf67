package io.meshwire.mesh;

import java.util.concurrent.atomic.AtomicLong;

/** Draws the test-only drops of a {@link LossInjection}: splitmix64 over one atomic state, allocation free. */
final class LossInjector {
    private final AtomicLong state;
    private final long receiveThreshold;
    private final long sendThreshold;

    LossInjector(LossInjection loss) {
        this.state = new AtomicLong(loss.seed());
        this.receiveThreshold = threshold(loss.receiveDropProbability());
        this.sendThreshold = threshold(loss.sendDropProbability());
    }

    private static long threshold(double p) {
        return p <= 0 ? -1 : (long) (p * (1L << 53));
    }

    boolean dropOnReceive() {
        return receiveThreshold >= 0 && next53() < receiveThreshold;
    }

    boolean dropOnSend() {
        return sendThreshold >= 0 && next53() < sendThreshold;
    }

    private long next53() {
        long z = state.addAndGet(0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) >>> 11;
    }
}
