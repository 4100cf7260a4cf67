package io.meshwire.mesh;

/**
 * <b>Test only.</b> Drops datagrams on purpose, with a seeded generator, to exercise recovery (Aeron's
 * {@code LossGenerator}). Applies to data, control and heartbeat packets; handshakes and beacons are exempt, so a
 * test's sessions form reliably and the stream layer is what gets tested. Drops are counted as
 * {@link io.meshwire.wire.DropReason#INJECTED_LOSS}. The draw order depends on thread timing, so a seed gives
 * reproducible rates, not identical runs.
 *
 * @param seed generator seed
 * @param receiveDropProbability chance a received datagram is discarded before parsing, in [0, 1)
 * @param sendDropProbability chance a datagram is not sent, in [0, 1)
 */
public record LossInjection(long seed, double receiveDropProbability, double sendDropProbability) {
    /** No loss injected. */
    public static final LossInjection NONE = new LossInjection(0, 0, 0);

    /** Validates. */
    public LossInjection {
        if (!(receiveDropProbability >= 0 && receiveDropProbability < 1)
                || !(sendDropProbability >= 0 && sendDropProbability < 1)) {
            throw new IllegalArgumentException("drop probabilities must be in [0, 1): receive "
                    + receiveDropProbability + ", send " + sendDropProbability);
        }
    }

    /**
     * @param seed generator seed
     * @param probability chance a received datagram is discarded
     * @return loss on receive only
     */
    public static LossInjection onReceive(long seed, double probability) {
        return new LossInjection(seed, probability, 0);
    }

    /** @return whether anything is dropped */
    public boolean enabled() {
        return receiveDropProbability > 0 || sendDropProbability > 0;
    }
}
