package io.meshwire.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.meshwire.transport.NativeSupport;

/** The precondition of every test of the FFM backend, in one place. */
public final class NativeAssumptions {
    private NativeAssumptions() {
    }

    /**
     * Skips the calling test class, saying why, when the FFM backend cannot load; fails instead under CI
     * ({@code CI=true}), where nothing may skip.
     */
    public static void requireNativeBackend() {
        if ("true".equals(System.getenv("CI"))) {
            assertThat(NativeSupport.isAvailable()).as(NativeSupport.reason()).isTrue();
        }
        assumeThat(NativeSupport.isAvailable()).as("native backend unavailable: " + NativeSupport.reason()).isTrue();
    }
}
