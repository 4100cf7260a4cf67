package io.meshwire.epics;

/** The two EPICS network protocols. */
public enum EpicsProtocol {
    /** Channel Access. */
    CA,
    /** PVAccess. */
    PVA;

    /** Lower-case name as the CLI and reports spell it ({@code ca}, {@code pva}). */
    public String label() {
        return this == CA ? "ca" : "pva";
    }

    int bit() {
        return 1 << ordinal();
    }
}
