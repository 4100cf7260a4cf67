package io.meshwire.epics.interop;

import java.io.IOException;

/** Helpers for the peer mains. */
final class Peers {
    private Peers() {
    }

    /** Blocks until the parent closes our stdin (or dies). */
    static void awaitStdinClosed() {
        try {
            while (System.in.read() >= 0) {
                // discard
            }
        } catch (IOException ignored) {
            // parent gone
        }
    }
}
