package io.meshwire.epics;

import java.net.InetSocketAddress;

/**
 * Socket addresses for (IPv4, port) pairs, direct-mapped in a fixed array, so that replies to a steady set of
 * peers reuse the same objects instead of allocating one per datagram.
 */
final class AddressCache {
    private final int mask;
    private final long[] keys;
    private final InetSocketAddress[] values;

    AddressCache(int size) {
        int n = Integer.highestOneBit(Math.max(2, size - 1)) << 1;
        mask = n - 1;
        keys = new long[n];
        values = new InetSocketAddress[n];
    }

    InetSocketAddress get(int ipv4, int port) {
        long key = ((long) ipv4 << 16) | port | (1L << 48);
        int h = (int) (key ^ (key >>> 29)) * 0x9E3779B9;
        int i = (h ^ (h >>> 16)) & mask;
        if (keys[i] == key) {
            return values[i];
        }
        InetSocketAddress a = new InetSocketAddress(Ipv4.toAddress(ipv4), port);
        keys[i] = key;
        values[i] = a;
        return a;
    }
}
