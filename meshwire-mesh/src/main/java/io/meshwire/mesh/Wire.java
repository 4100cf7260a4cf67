package io.meshwire.mesh;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Subprotocol ids, reserved stream ids and the fixed-size control messages the node speaks (spec §4.6, §4.8;
 * net-mesh {@code subprotocol/stream_window.rs}, {@code channel/membership.rs}). Control messages travel as the
 * single event frame of an encrypted packet. All integers little-endian.
 */
final class Wire {
    static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle SHORT_LE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    /** Plain event data. */
    static final int SUBPROTOCOL_EVENTS = 0x0000;
    /** Channel membership: subscribe, unsubscribe, ack. */
    static final int SUBPROTOCOL_CHANNEL_MEMBERSHIP = 0x0A00;
    /** Receiver → sender credit grant: stream_id, total_consumed, ack_seq. */
    static final int SUBPROTOCOL_STREAM_WINDOW = 0x0B00;
    /** Receiver → sender NACK: stream_id, next_expected, missing_bitmap. */
    static final int SUBPROTOCOL_STREAM_NACK = 0x0B01;
    /** Sender → receiver reset: stream_id. */
    static final int SUBPROTOCOL_STREAM_RESET = 0x0B02;

    /** Stream id of grants, NACKs and resets ({@code CONTROL_STREAM_ID = u64::MAX}), with its own sequence. */
    static final long CONTROL_STREAM_ID = -1L;
    /** Stream id of membership messages: the subprotocol id as u64 ({@code send_subprotocol}). */
    static final long MEMBERSHIP_STREAM_ID = SUBPROTOCOL_CHANNEL_MEMBERSHIP;

    static final int WINDOW_LENGTH = 24;
    static final int NACK_LENGTH = 24;
    static final int RESET_LENGTH = 8;

    static final int MEMBERSHIP_SUBSCRIBE = 0;
    static final int MEMBERSHIP_UNSUBSCRIBE = 1;
    static final int MEMBERSHIP_ACK = 2;
    static final int ACK_OK = 0;
    static final int ACK_UNAUTHORIZED = 1;
    static final int ACK_UNKNOWN_CHANNEL = 2;
    static final int ACK_TOO_MANY_CHANNELS = 4;

    private Wire() {
    }

    static long getLong(byte[] b, int off) {
        return (long) LONG_LE.get(b, off);
    }

    static void putLong(byte[] b, int off, long v) {
        LONG_LE.set(b, off, v);
    }

    static int put3Longs(byte[] b, int off, long a, long c, long d) {
        putLong(b, off, a);
        putLong(b, off + 8, c);
        putLong(b, off + 16, d);
        return 24;
    }

    /** Subscribe / Unsubscribe: type u8, nonce u64, name length u8, name; Subscribe adds token length u16 = 0. */
    static int putMembershipRequest(byte[] b, int off, int type, long nonce, ChannelName channel) {
        byte[] name = channel.name().getBytes(StandardCharsets.US_ASCII);
        int p = off;
        b[p++] = (byte) type;
        putLong(b, p, nonce);
        p += 8;
        b[p++] = (byte) name.length;
        System.arraycopy(name, 0, b, p, name.length);
        p += name.length;
        if (type == MEMBERSHIP_SUBSCRIBE) {
            SHORT_LE.set(b, p, (short) 0);
            p += 2;
        }
        return p - off;
    }

    /** Ack: type u8 = 2, nonce u64, accepted u8 (0/1), reason u8. */
    static int putMembershipAck(byte[] b, int off, long nonce, boolean accepted, int reason) {
        b[off] = MEMBERSHIP_ACK;
        putLong(b, off + 1, nonce);
        b[off + 9] = (byte) (accepted ? 1 : 0);
        b[off + 10] = (byte) reason;
        return 11;
    }

    /** A decoded membership message; one instance reused by the node thread. */
    static final class Membership {
        int type;
        long nonce;
        String channel;
        boolean accepted;
        int reason;

        /** @return whether {@code b[off, off+len)} is a well-formed membership message (fields then set) */
        boolean decode(byte[] b, int off, int len) {
            if (len < 1) {
                return false;
            }
            type = b[off] & 0xFF;
            int end = off + len;
            int p = off + 1;
            if (type == MEMBERSHIP_ACK) {
                if (len != 11) {
                    return false;
                }
                nonce = getLong(b, p);
                int a = b[p + 8] & 0xFF;
                if (a > 1) {
                    return false;
                }
                accepted = a == 1;
                reason = b[p + 9] & 0xFF;
                channel = null;
                return true;
            }
            if (type != MEMBERSHIP_SUBSCRIBE && type != MEMBERSHIP_UNSUBSCRIBE) {
                return false;
            }
            if (end - p < 9) {
                return false;
            }
            nonce = getLong(b, p);
            p += 8;
            int nameLength = b[p++] & 0xFF;
            if (nameLength == 0 || nameLength > end - p) {
                return false;
            }
            String name = new String(b, p, nameLength, StandardCharsets.US_ASCII);
            if (ChannelName.problem(name) != null) {
                return false;
            }
            p += nameLength;
            if (type == MEMBERSHIP_SUBSCRIBE) {
                // Token: u16 length + bytes; absent entirely from older senders. We do not check tokens.
                if (end - p == 1) {
                    return false;
                }
                if (end - p >= 2) {
                    int tokenLength = Short.toUnsignedInt((short) SHORT_LE.get(b, p));
                    p += 2;
                    if (tokenLength > end - p) {
                        return false;
                    }
                    p += tokenLength;
                }
                // A queue group (u8 length + name) asks for work distribution, which this node does not do.
                if (end - p >= 1 && (b[p] & 0xFF) != 0) {
                    return false;
                }
                if (end - p == 1) {
                    p++;
                }
            }
            if (p != end) {
                return false;
            }
            channel = name;
            return true;
        }
    }
}
