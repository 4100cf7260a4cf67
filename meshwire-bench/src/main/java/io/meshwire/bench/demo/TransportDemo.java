package io.meshwire.bench.demo;

import io.meshwire.transport.Backend;
import io.meshwire.transport.DatagramEndpoint;
import io.meshwire.transport.EndpointConfig;
import io.meshwire.transport.SendBatch;
import io.meshwire.transport.TransportStats;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The loopback transport demo behind {@code ./meshwire demo}: three phases (one datagram per syscall,
 * {@code sendmmsg} batches, GSO into a GRO receiver), each a sender thread flooding a receiver endpoint on
 * 127.0.0.1 for a bounded time, with a progress line per second and a final table. Every datagram carries a
 * sequence number; the receiver checks order and counts gaps, and the kernel's drop counter explains them.
 */
public final class TransportDemo {

    /** One phase's outcome. */
    public record PhaseResult(String name, int size, long sent, long received, long kernelDrops, long outOfOrder,
                              double seconds, double packetsPerReceiveSyscall, double packetsPerSendSyscall,
                              Backend backend, boolean gro) {
        double datagramsPerSecond() {
            return received / seconds;
        }

        double gbitPerSecond() {
            return received * (double) size * 8 / seconds / 1e9;
        }

        /**
         * Most datagrams the kernel's drop count can stand for: one per dropped buffer, or with GRO up to 64
         * (the kernel counts socket buffers, and a GRO buffer carries up to 64 coalesced datagrams).
         */
        long explainableDrops() {
            return gro ? kernelDrops * 64 : kernelDrops;
        }

        /** Datagrams neither received nor covered by the kernel's drop count: must be 0. */
        long unexplained() {
            return Math.max(0, sent - received - explainableDrops());
        }
    }

    private enum Mode { SINGLE, MMSG, GSO }

    private final PrintStream out;
    private final double secondsPerPhase;

    /**
     * @param out             where progress and the table go
     * @param secondsPerPhase how long each phase floods (bounded: 0.5 to 30 s)
     */
    public TransportDemo(PrintStream out, double secondsPerPhase) {
        if (secondsPerPhase < 0.5 || secondsPerPhase > 30) {
            throw new IllegalArgumentException("secondsPerPhase must be in [0.5, 30]: " + secondsPerPhase);
        }
        this.out = out;
        this.secondsPerPhase = secondsPerPhase;
    }

    /** Runs every phase and prints the table; returns the results. */
    public List<PhaseResult> run() throws Exception {
        out.println("meshwire transport demo: sender and receiver endpoints on 127.0.0.1, "
                + secondsPerPhase + " s per phase");
        List<PhaseResult> results = new ArrayList<>();
        results.add(phase("sendto 64 B", Mode.SINGLE, 64));
        results.add(phase("sendmmsg 1200 B", Mode.MMSG, 1200));
        results.add(phase("GSO->GRO 1200 B", Mode.GSO, 1200));
        printTable(results);
        return results;
    }

    private PhaseResult phase(String name, Mode mode, int size) throws Exception {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        EndpointConfig.Builder rxConfig = EndpointConfig.builder().bindAddress(loopback).instrumentation(true);
        if (mode == Mode.GSO) {
            rxConfig.gro(true);
        }
        try (DatagramEndpoint rx = DatagramEndpoint.open(rxConfig.build());
             DatagramEndpoint tx = DatagramEndpoint.open(EndpointConfig.builder().bindAddress(loopback)
                     .sendOnly(true).gso(mode == Mode.GSO).build())) {
            InetSocketAddress dest = rx.localAddress();
            AtomicLong received = new AtomicLong();
            AtomicLong outOfOrder = new AtomicLong();
            long[] expected = {0};
            Thread consumer = Thread.ofPlatform().name("demo-consumer").start(() -> {
                try {
                    while (!rx.isClosed()) {
                        rx.receiveBatch(d -> {
                            long seq = d.memory().get(ValueLayout.JAVA_LONG_UNALIGNED, d.offset());
                            if (seq != expected[0]) {
                                outOfOrder.incrementAndGet();
                            }
                            expected[0] = seq + 1;
                            received.lazySet(received.get() + 1);
                        }, 1024);
                    }
                } catch (IOException | IllegalStateException closed) {
                    // endpoint closed at the end of the phase
                }
            });
            long sent = 0;
            long start = System.nanoTime();
            long end = start + (long) (secondsPerPhase * 1e9);
            long nextReport = start + 1_000_000_000L;
            long lastReceived = 0;
            long lastReportAt = start;
            int perBatch = mode == Mode.SINGLE ? 1 : mode == Mode.MMSG ? 64 : 54 * 4;
            try (SendBatch batch = SendBatch.allocate(perBatch, perBatch * size)) {
                ByteBuffer single = ByteBuffer.allocateDirect(size);
                while (true) {
                    long now = System.nanoTime();
                    if (now >= end) {
                        break;
                    }
                    if (now >= nextReport) {
                        long r = received.get();
                        double secs = (now - lastReportAt) / 1e9;
                        TransportStats s = rx.stats();
                        out.printf(Locale.ROOT, "  %-16s %6.1f s  %,12.0f dgrams/s  %6.2f Gbit/s  %5.1f pkts/recv-syscall"
                                        + "  kernel drops %,d%n", name, (now - start) / 1e9, (r - lastReceived) / secs,
                                (r - lastReceived) * (double) size * 8 / secs / 1e9, s.packetsPerReceiveSyscall(),
                                s.kernelDrops());
                        lastReceived = r;
                        lastReportAt = now;
                        nextReport += 1_000_000_000L;
                    }
                    if (mode == Mode.SINGLE) {
                        single.clear().putLong(0, sent);
                        tx.send(single, dest);
                        sent++;
                    } else {
                        batch.clear();
                        for (int i = 0; i < perBatch; i++) {
                            int off = batch.claim(size);
                            batch.memory().set(ValueLayout.JAVA_LONG_UNALIGNED, off, sent + i);
                        }
                        sent += tx.sendBatch(batch, dest);
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            // let the receiver drain what is in flight, bounded
            long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            long last = -1;
            while (System.nanoTime() < drainUntil) {
                long r = received.get();
                if (r + rx.stats().kernelDrops() >= sent || r == last) {
                    if (r == last) {
                        break;
                    }
                }
                last = r;
                Thread.sleep(50);
            }
            TransportStats rs = rx.stats();
            TransportStats ts = tx.stats();
            rx.close();
            consumer.join(2_000);
            return new PhaseResult(name, size, sent, received.get(), rs.kernelDrops(), outOfOrder.get(), seconds,
                    rs.packetsPerReceiveSyscall(), ts.packetsPerSendSyscall(), rx.backend(),
                    rx.socketInfo().groEnabled());
        }
    }

    private void printTable(List<PhaseResult> results) {
        out.println();
        out.printf(Locale.ROOT, "%-16s %6s %8s %14s %8s %10s %10s %10s %8s%n", "phase", "size", "backend",
                "dgrams/s", "Gbit/s", "pkt/rx-sc", "pkt/tx-sc", "k-drops", "lost?");
        for (PhaseResult r : results) {
            out.printf(Locale.ROOT, "%-16s %6d %8s %,14.0f %8.2f %10.1f %10.1f %,10d %8s%n", r.name(), r.size(),
                    r.backend(), r.datagramsPerSecond(), r.gbitPerSecond(), r.packetsPerReceiveSyscall(),
                    r.packetsPerSendSyscall(), r.kernelDrops(), r.unexplained() == 0 ? "none" : r.unexplained());
        }
        out.println("k-drops: receive buffers the kernel dropped for lack of room (SO_MEMINFO; with GRO one buffer "
                + "holds up to 64 datagrams); lost?: datagrams neither received nor covered by that count.");
    }

    /** True when every phase accounted for every datagram and kept order. */
    public static boolean allAccountedFor(List<PhaseResult> results) {
        return results.stream().allMatch(r -> r.unexplained() == 0 && r.outOfOrder() <= r.explainableDrops());
    }
}
