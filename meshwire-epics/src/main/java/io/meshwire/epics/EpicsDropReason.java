package io.meshwire.epics;

/**
 * Why a received EPICS datagram (or one message in it) was dropped. Parsers never throw on bad input: they count
 * one of these in {@link EpicsDropCounters} and return a failure status, and the tools never answer such input.
 */
public enum EpicsDropReason {
    /** Fewer bytes than a header, or a payload size that runs past the end of the datagram. */
    TRUNCATED,
    /** A CA message in the extended (large payload) header form, which UDP never carries. */
    CA_EXTENDED_HEADER,
    /** A CA datagram with searches that does not start with CA_PROTO_VERSION (the protocol requires it). */
    CA_MISSING_VERSION,
    /** A CA search whose payload has no NUL terminator, or an empty name. */
    CA_BAD_NAME,
    /** A CA search reply whose payload is not the 8-byte version block. */
    CA_BAD_REPLY,
    /** PVA header magic is not 0xCA. */
    PVA_BAD_MAGIC,
    /** PVA header version 0 (incompatible). */
    PVA_BAD_VERSION,
    /** A PVA control or segmented message, which UDP never carries. */
    PVA_CONTROL_OR_SEGMENTED,
    /** A PVA size or string field that is negative, null where a value is needed, or runs past its message. */
    PVA_BAD_FIELD,
    /** A PVA address that is neither unspecified nor IPv4-mapped (only IPv4 is supported). */
    PVA_UNSUPPORTED_ADDRESS,
    /** A source that cannot be answered: port 0, or not IPv4. */
    BAD_SOURCE,
    /** A reply that matches no search in flight (unknown id, or a protocol not searched). */
    UNMATCHED_REPLY,
    /** A datagram of a command the receiver does not handle in its role (e.g. a search sent to a client). */
    UNEXPECTED_COMMAND
}
