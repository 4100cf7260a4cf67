package io.meshwire.bench.transport;

/**
 * Counters of one sender, written by the single thread that sends and read by {@link PeerMain} once that thread is
 * done (or its event loop has terminated).
 */
public final class SendStats {

    private long sent;
    private long bytes;
    private long calls;
    private long errors;
    private long firstNanos;
    private long lastNanos;
    private long firstCpuNanos;

    /** One send call that handed {@code count} datagrams of {@code byteCount} bytes in all to the kernel. */
    public void onSent(int count, long byteCount) {
        long now = System.nanoTime();
        if (calls++ == 0) {
            firstNanos = now;
            firstCpuNanos = ProcessCpu.nanos();
        }
        lastNanos = now;
        sent += count;
        bytes += byteCount;
    }

    /** One send that failed and was skipped (e.g. ICMP port unreachable, ENOBUFS). */
    public void onError() {
        errors++;
    }

    /** One datagram counted by {@link #onSent} that the kernel then refused; it moves from sent to errors. */
    public void onSendFailed(long byteCount) {
        sent--;
        bytes -= byteCount;
        errors++;
    }

    long sent() {
        return sent;
    }

    String resultLine() {
        return "SENT sent=" + sent + " bytes=" + bytes + " calls=" + calls + " errors=" + errors
                + " elapsed_ns=" + (lastNanos - firstNanos)
                + " cpu_ns=" + (calls == 0 ? 0 : ProcessCpu.nanos() - firstCpuNanos);
    }
}
