package io.meshwire.transport;

import java.io.IOException;

/**
 * Thrown by receive and send calls once an endpoint is closed, or once its receive thread ended on an
 * unrecoverable socket error (EBADF, ENOTSOCK) and everything it had queued was handed out. The cause, when
 * present, is that error.
 */
public final class TransportClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param message what closed, and why */
    public TransportClosedException(String message) {
        super(message);
    }

    /** @param message what closed, and why; @param cause the error that ended the receive thread */
    public TransportClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
