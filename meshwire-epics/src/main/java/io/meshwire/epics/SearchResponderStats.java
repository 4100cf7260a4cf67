package io.meshwire.epics;

/**
 * Counters of a {@link SearchResponder}.
 *
 * @param caNames     CA names searched (in well-formed datagrams)
 * @param pvaNames    PVA names searched
 * @param found       names found in the directory
 * @param replies     reply datagrams handed to the sink
 * @param rateLimited reply datagrams not sent because the source exceeded its rate
 * @param wildcardCopies datagrams not answered on the wildcard socket because a per-NIC socket got them too
 * @param dropped     malformed datagrams dropped (all reasons; see {@link EpicsDropCounters})
 */
public record SearchResponderStats(long caNames, long pvaNames, long found, long replies, long rateLimited,
        long wildcardCopies, long dropped) {
}
