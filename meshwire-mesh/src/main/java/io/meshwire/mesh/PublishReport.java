package io.meshwire.mesh;

import java.util.List;

/**
 * What one {@code publish} did: one unicast per subscriber (net-mesh {@code PublishReport}).
 *
 * @param attempted subscribers at the time of the call
 * @param delivered subscribers whose stream accepted every event
 * @param backpressured subscribers whose stream was out of credit (some events not sent to them)
 * @param failed subscribers whose session or stream was gone
 * @param notDelivered node ids of the backpressured and failed subscribers
 */
public record PublishReport(int attempted, int delivered, int backpressured, int failed, List<Long> notDelivered) {
    /** Copies. */
    public PublishReport {
        notDelivered = List.copyOf(notDelivered);
    }

    /** @return whether every subscriber got every event */
    public boolean complete() {
        return delivered == attempted;
    }
}
