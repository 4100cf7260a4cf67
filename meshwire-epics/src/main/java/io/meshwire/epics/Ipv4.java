package io.meshwire.epics;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IPv4 addresses as ints (network order packed big-endian into an int: 127.0.0.1 is {@code 0x7F000001}), as the
 * CA and PVA wire formats carry them, and the PVA 16-byte address field. {@link Inet4Address#hashCode()} is that
 * same int, which lets the receive path read a source address without allocating.
 */
public final class Ipv4 {
    /** {@link #fromPvaAddress} result: the unspecified address (all zeros, or {@code ::ffff:0.0.0.0}). */
    public static final long PVA_ANY = -1;
    /** {@link #fromPvaAddress} result: an IPv6 address that is not IPv4-mapped. */
    public static final long PVA_NOT_IPV4 = -2;

    private Ipv4() {
    }

    /** The address as an int; {@code address} must be IPv4. */
    public static int toInt(InetAddress address) {
        if (!(address instanceof Inet4Address v4)) {
            throw new IllegalArgumentException("not an IPv4 address: " + address);
        }
        // Inet4Address.hashCode() is the address itself, read without copying the byte array
        return v4.hashCode();
    }

    /** An {@link Inet4Address} for the int (allocates; for results and setup, not the receive path). */
    public static Inet4Address toAddress(int ipv4) {
        byte[] b = {(byte) (ipv4 >>> 24), (byte) (ipv4 >>> 16), (byte) (ipv4 >>> 8), (byte) ipv4};
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are always an address", e);
        }
    }

    /** Dotted quad text. */
    public static String toString(int ipv4) {
        return (ipv4 >>> 24) + "." + ((ipv4 >>> 16) & 0xFF) + "." + ((ipv4 >>> 8) & 0xFF) + "." + (ipv4 & 0xFF);
    }

    /** True for 127.0.0.0/8. */
    public static boolean isLoopback(int ipv4) {
        return (ipv4 >>> 24) == 127;
    }

    /**
     * Reads a PVA 16-byte address field.
     *
     * @return the IPv4 address as an unsigned value (0..2^32-1) when IPv4-mapped ({@code ::ffff:a.b.c.d}),
     *     {@link #PVA_ANY} when unspecified, {@link #PVA_NOT_IPV4} otherwise
     */
    public static long fromPvaAddress(MemorySegment m, long offset) {
        for (int i = 0; i < 10; i++) {
            if (m.get(ValueLayout.JAVA_BYTE, offset + i) != 0) {
                return PVA_NOT_IPV4;
            }
        }
        int b10 = Byte.toUnsignedInt(m.get(ValueLayout.JAVA_BYTE, offset + 10));
        int b11 = Byte.toUnsignedInt(m.get(ValueLayout.JAVA_BYTE, offset + 11));
        int ip = m.get(CaMessageFlyweight.U32, offset + 12);
        if (b10 == 0 && b11 == 0) {
            return ip == 0 ? PVA_ANY : PVA_NOT_IPV4; // ::a.b.c.d (deprecated IPv4-compatible) is not accepted
        }
        if (b10 != 0xFF || b11 != 0xFF) {
            return PVA_NOT_IPV4;
        }
        return ip == 0 ? PVA_ANY : Integer.toUnsignedLong(ip);
    }

    /**
     * Writes a PVA address field: {@code ::ffff:a.b.c.d} for the IPv4 address, or {@code ::ffff:0.0.0.0} (what
     * phoebus sends for "use my source address") when {@code ipv4} is 0. Returns the offset past it.
     */
    public static long writePvaAddress(MemorySegment m, long offset, int ipv4) {
        SegmentZeros.write(m, offset, 10);
        m.set(ValueLayout.JAVA_BYTE, offset + 10, (byte) 0xFF);
        m.set(ValueLayout.JAVA_BYTE, offset + 11, (byte) 0xFF);
        m.set(CaMessageFlyweight.U32, offset + 12, ipv4);
        return offset + PvaProtocol.ADDRESS_LENGTH;
    }
}
