package io.meshwire.transport;

import io.meshwire.transport.linux.LinuxSockets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Probes once whether the native backend can run, and keeps the reason either way.
 *
 * <p>Native access is checked before the bindings class is touched: initialising it calls restricted FFM
 * methods, which would print a JDK warning when access was not granted.
 */
public final class NativeSupport {
    private static final Logger LOG = LoggerFactory.getLogger(NativeSupport.class);
    private static final AtomicBoolean LOGGED = new AtomicBoolean();
    private static final boolean AVAILABLE;
    private static final String REASON;

    static {
        boolean available = false;
        String reason;
        if ("false".equalsIgnoreCase(System.getProperty("meshwire.native"))) {
            reason = "native backend disabled by -Dmeshwire.native=false";
        } else if (!NativeSupport.class.getModule().isNativeAccessEnabled()) {
            reason = "native access not granted: run java with --enable-native-access=ALL-UNNAMED "
                    + "(the ./meshwire launcher does)";
        } else if (!LinuxSockets.isSupported()) {
            Throwable cause = LinuxSockets.unavailableCause();
            reason = "native bindings unavailable: " + cause.getMessage();
        } else {
            available = true;
            reason = "Linux FFM fast path (recvmmsg/sendmmsg)";
        }
        AVAILABLE = available;
        REASON = reason;
    }

    private NativeSupport() {
    }

    /** True when the native backend can be used. */
    public static boolean isAvailable() {
        return AVAILABLE;
    }

    /** Why the native backend is, or is not, available. */
    public static String reason() {
        return REASON;
    }

    /** Logs the probe result once per JVM: INFO when falling back, DEBUG otherwise. */
    static void logOnce() {
        if (LOGGED.compareAndSet(false, true)) {
            if (AVAILABLE) {
                LOG.debug("meshwire transport: {}", REASON);
            } else {
                LOG.info("meshwire transport: using the NIO backend; {}", REASON);
            }
        }
    }
}
