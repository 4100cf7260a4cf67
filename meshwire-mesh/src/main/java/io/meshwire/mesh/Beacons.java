package io.meshwire.mesh;

import io.meshwire.crypto.NetMeshHandshake;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.digests.Blake2sDigest;

/**
 * The discovery beacon, a meshwire extension (net-mesh has none): one 88-byte datagram, little-endian.
 *
 * <pre>
 * off len field
 *   0   2 magic 0x424D (wire bytes 4D 42, "MB"); neither Net (0x4E45) nor routing (0x5452) magic
 *   2   1 version 1
 *   3   1 flags 0
 *   4   2 port the node receives on (0: use the beacon's source port)
 *   6   2 reserved 0
 *   8   8 node id
 *  16   8 boot id (random per start)
 *  24   8 sequence (per boot, increasing)
 *  32   8 sender's wall clock, ms since the epoch
 *  40  32 X25519 static public key
 *  72  16 tag = BLAKE2s-256(key = K, bytes 0..72)[0..16], K = BLAKE2s-256(key = PSK, "meshwire-beacon-v1")
 * </pre>
 * The tag is a MAC (keyed BLAKE2s is a PRF): only holders of the mesh PSK can make a beacon, and no nonce is
 * needed, so every node may use the same K. 88 bytes is neither a pingwave (72) nor a NAT keep-alive (14).
 * A receiver keeps, per node id, the newest (boot, sequence) and drops older ones as replays; a new boot id is
 * accepted when its clock is not older than the one stored.
 */
final class Beacons {
    static final int MAGIC = 0x424D;
    static final int VERSION = 1;
    static final int LENGTH = 88;
    static final int TAG_OFFSET = 72;
    static final int TAG_LENGTH = 16;
    static final int PORT_OFFSET = 4;
    static final int NODE_ID_OFFSET = 8;
    static final int BOOT_ID_OFFSET = 16;
    static final int SEQUENCE_OFFSET = 24;
    static final int TIME_OFFSET = 32;
    static final int KEY_OFFSET = 40;

    private static final VarHandle SHORT_LE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final byte[] LABEL = "meshwire-beacon-v1".getBytes(StandardCharsets.US_ASCII);

    private final Blake2sDigest mac;
    private final byte[] digest = new byte[32];

    /** @param psk the mesh PSK */
    Beacons(byte[] psk) {
        this.mac = new Blake2sDigest(NetMeshHandshake.keyedBlake2s256(psk, LABEL), 32, null, null);
    }

    /** Writes a beacon into {@code b[0, 88)}. @return 88 */
    int encode(byte[] b, int port, long nodeId, long bootId, long sequence, long timeMillis, byte[] staticPublicKey) {
        SHORT_LE.set(b, 0, (short) MAGIC);
        b[2] = VERSION;
        b[3] = 0;
        SHORT_LE.set(b, PORT_OFFSET, (short) port);
        SHORT_LE.set(b, 6, (short) 0);
        Wire.putLong(b, NODE_ID_OFFSET, nodeId);
        Wire.putLong(b, BOOT_ID_OFFSET, bootId);
        Wire.putLong(b, SEQUENCE_OFFSET, sequence);
        Wire.putLong(b, TIME_OFFSET, timeMillis);
        System.arraycopy(staticPublicKey, 0, b, KEY_OFFSET, 32);
        tag(b, 0);
        System.arraycopy(digest, 0, b, TAG_OFFSET, TAG_LENGTH);
        return LENGTH;
    }

    /** @return whether {@code b[off, off+88)} has the right magic, version and tag (constant-time compare) */
    boolean verify(byte[] b, int off) {
        if (Short.toUnsignedInt((short) SHORT_LE.get(b, off)) != MAGIC || b[off + 2] != VERSION) {
            return false;
        }
        tag(b, off);
        int diff = 0;
        for (int i = 0; i < TAG_LENGTH; i++) {
            diff |= digest[i] ^ b[off + TAG_OFFSET + i];
        }
        return diff == 0;
    }

    static int port(byte[] b, int off) {
        return Short.toUnsignedInt((short) SHORT_LE.get(b, off + PORT_OFFSET));
    }

    private void tag(byte[] b, int off) {
        mac.reset();
        mac.update(b, off, TAG_OFFSET);
        mac.doFinal(digest, 0);
    }
}
