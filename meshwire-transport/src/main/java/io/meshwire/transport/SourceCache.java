package io.meshwire.transport;

import io.meshwire.transport.linux.LinuxSockets;
import io.meshwire.transport.linux.SockAddr;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;

/**
 * Decoded source addresses, keyed by their raw {@code sockaddr} bytes: a small direct-mapped cache so that a
 * steady set of peers costs no {@link InetSocketAddress} allocation per datagram. Used by the consumer thread.
 */
final class SourceCache {
    private static final int SLOTS = 64;
    private final long[] k0 = new long[SLOTS];
    private final long[] k1 = new long[SLOTS];
    private final long[] k2 = new long[SLOTS];
    private final long[] k3 = new long[SLOTS];
    private final InetSocketAddress[] values = new InetSocketAddress[SLOTS];

    InetSocketAddress lookup(MemorySegment names, long offset) {
        // family(2) port(2) then either the IPv4 address (4) or flowinfo(4) + IPv6 address(16) + scope(4);
        // four longs cover sockaddr_in6's 28 bytes (the slot is 32 bytes, so reading 32 stays in bounds).
        long a = names.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
        boolean v6 = SockAddr.family(names, offset) == LinuxSockets.AF_INET6;
        long b = v6 ? names.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + 8) : 0;
        long c = v6 ? names.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + 16) : 0;
        long d = v6 ? names.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 24) : 0;
        // flowinfo (bytes 4-7 of a v6 address) varies per flow label, not per peer: mask it out of the key
        if (v6) {
            a &= 0x0000_0000_FFFF_FFFFL;
        }
        int slot = (int) (mix(a ^ b * 31 ^ c * 961 ^ d) & (SLOTS - 1));
        InetSocketAddress v = values[slot];
        if (v != null && k0[slot] == a && k1[slot] == b && k2[slot] == c && k3[slot] == d) {
            return v;
        }
        v = SockAddr.decode(names, offset);
        k0[slot] = a;
        k1[slot] = b;
        k2[slot] = c;
        k3[slot] = d;
        values[slot] = v;
        return v;
    }

    private static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        return x;
    }
}
