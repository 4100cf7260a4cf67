package io.meshwire.transport.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Decoded addresses keyed by their raw bytes, so that a steady set of peers and destinations costs no
 * allocation per datagram: source {@code sockaddr}s and PKTINFO destination addresses. Direct-mapped, 64 slots
 * each. Not thread-safe: one per consumer thread (endpoints and socket sets each own one).
 */
public final class AddressCache {
  private static final int SLOTS = 64;
  private final long[] s0 = new long[SLOTS];
  private final long[] s1 = new long[SLOTS];
  private final long[] s2 = new long[SLOTS];
  private final long[] s3 = new long[SLOTS];
  private final InetSocketAddress[] sources = new InetSocketAddress[SLOTS];
  private final long[] d0 = new long[SLOTS];
  private final long[] d1 = new long[SLOTS];
  private final InetAddress[] destinations = new InetAddress[SLOTS];

  /** The source {@code sockaddr_in}/{@code sockaddr_in6} at {@code offset} (a 32-byte slot). */
  public InetSocketAddress source(MemorySegment names, long offset) {
    // family(2) port(2) then the IPv4 address, or flowinfo(4) + IPv6 address(16) + scope(4): four longs cover
    // sockaddr_in6's 28 bytes and stay inside the 32-byte slot.
    long a = names.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
    boolean v6 = SockAddr.family(names, offset) == LinuxSockets.AF_INET6;
    long b = v6 ? names.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + 8) : 0;
    long c = v6 ? names.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + 16) : 0;
    long d = v6 ? names.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 24) : 0;
    if (v6) {
      a &= 0x0000_0000_FFFF_FFFFL; // flowinfo varies per flow label, not per peer
    }
    int slot = (int) (mix(a ^ b * 31 ^ c * 961 ^ d) & (SLOTS - 1));
    InetSocketAddress v = sources[slot];
    if (v != null && s0[slot] == a && s1[slot] == b && s2[slot] == c && s3[slot] == d) {
      return v;
    }
    v = SockAddr.decode(names, offset);
    s0[slot] = a;
    s1[slot] = b;
    s2[slot] = c;
    s3[slot] = d;
    sources[slot] = v;
    return v;
  }

  /** The raw IPv4 (4 bytes) or IPv6 (16 bytes) address at {@code offset}. */
  public InetAddress address(MemorySegment memory, long offset, boolean v6) {
    long a;
    long b;
    if (v6) {
      a = memory.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
      b = memory.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + 8);
    } else {
      a = Integer.toUnsignedLong(memory.get(ValueLayout.JAVA_INT_UNALIGNED, offset)) | 1L << 32;
      b = 0;
    }
    int slot = (int) (mix(a ^ b * 31) & (SLOTS - 1));
    InetAddress v = destinations[slot];
    if (v != null && d0[slot] == a && d1[slot] == b) {
      return v;
    }
    byte[] raw = new byte[v6 ? 16 : 4];
    MemorySegment.copy(memory, ValueLayout.JAVA_BYTE, offset, raw, 0, raw.length);
    try {
      v = InetAddress.getByAddress(raw);
    } catch (UnknownHostException e) {
      throw new AssertionError("4 or 16 bytes are always an address", e);
    }
    d0[slot] = a;
    d1[slot] = b;
    destinations[slot] = v;
    return v;
  }

  private static long mix(long x) {
    x ^= x >>> 33;
    x *= 0xff51afd7ed558ccdL;
    x ^= x >>> 33;
    return x;
  }
}
