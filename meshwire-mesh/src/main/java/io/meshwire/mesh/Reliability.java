package io.meshwire.mesh;

/** A stream's delivery mode (spec §4.6). */
public enum Reliability {
    /** No recovery: sequences stay monotonic and the receiver counts the gaps. */
    FIRE_AND_FORGET,
    /** Selective NACKs (0x0B01) and RTO retransmission (RFC 6298); after the retries, a reset (0x0B02). */
    RELIABLE
}
