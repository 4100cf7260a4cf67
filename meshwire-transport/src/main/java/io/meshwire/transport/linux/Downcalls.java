package io.meshwire.transport.linux;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Looks up libc downcall handles that capture errno, for the static initialisers of the bindings in this package.
 * A failed lookup does not throw: it returns {@code null} and keeps the first cause, so a binding class assigns
 * each {@code static final MethodHandle} directly (the JIT folds those as constants) and reports the cause from
 * its {@code unavailableCause()}. Every handle from {@link #find} takes the call-state segment
 * ({@link #callStateLayout()}) as its first argument, into which the linker writes errno right after the call,
 * before the JVM can clobber it; {@link #findUncaptured} serves the few hot calls that must do without.
 */
final class Downcalls {
    private Linker linker;
    private SymbolLookup libc;
    private Linker.Option captureErrno;
    private StructLayout callStateLayout;
    private VarHandle errno;
    private Throwable cause;

    /** @param unsupported why this platform cannot have the bindings, or {@code null} */
    Downcalls(Throwable unsupported) {
        cause = unsupported;
        if (cause != null) {
            return;
        }
        try {
            linker = Linker.nativeLinker();
            libc = linker.defaultLookup();
            captureErrno = Linker.Option.captureCallState("errno");
            callStateLayout = Linker.Option.captureStateLayout();
            errno = callStateLayout.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        } catch (Throwable t) {
            cause = t;
        }
    }

    /** libc's {@code name} as an errno-capturing handle; {@code null} once any lookup failed. */
    MethodHandle find(String name, FunctionDescriptor descriptor) {
        return cause != null ? null : lookup(name, descriptor, captureErrno);
    }

    /**
     * libc's {@code name} as a handle that does not capture errno (no call-state argument), for the few calls
     * whose callers learn errno another way; {@code null} once any lookup failed.
     */
    MethodHandle findUncaptured(String name, FunctionDescriptor descriptor) {
        return cause != null ? null : lookup(name, descriptor);
    }

    private MethodHandle lookup(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        try {
            MemorySegment symbol = libc.find(name)
                    .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
            return linker.downcallHandle(symbol, descriptor, options);
        } catch (Throwable t) {
            cause = t;
            return null;
        }
    }

    /** The layout of the segment the handles write errno into; {@code null} when the linker is unavailable. */
    StructLayout callStateLayout() {
        return callStateLayout;
    }

    /** Reads errno from a call-state segment; {@code null} when the linker is unavailable. */
    VarHandle errno() {
        return errno;
    }

    /** Why the bindings are unavailable (the first failure), or {@code null} when every lookup succeeded. */
    Throwable cause() {
        return cause;
    }

    /** What a binding throws for a {@code Throwable} out of {@code invokeExact}: unchecked as it is, else wrapped. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed", t);
    }
}
