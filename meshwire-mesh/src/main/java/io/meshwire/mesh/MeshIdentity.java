package io.meshwire.mesh;

import io.meshwire.crypto.NetMeshHandshake;
import io.meshwire.crypto.NoiseKeyPair;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * Who a node is: an Ed25519 entity public key, from which net-mesh derives the node id and the header's
 * origin_hash (spec §1.2, §2.2 step 5), and an X25519 static key pair, the Noise responder key that peers need to
 * connect (spec §2.1). Immutable.
 */
public final class MeshIdentity {
    private static final byte[] NODE_ID_KEY = "net-node-id-v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ORIGIN_KEY = "net-origin-v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STATIC_LABEL = "meshwire-static-x25519-v1".getBytes(StandardCharsets.US_ASCII);

    private final byte[] entityPublicKey;
    private final NoiseKeyPair staticKeyPair;
    private final long nodeId;
    private final long originHash;

    private MeshIdentity(byte[] entityPublicKey, NoiseKeyPair staticKeyPair) {
        if (entityPublicKey == null || entityPublicKey.length != 32) {
            throw new IllegalArgumentException("the entity public key must be a 32-byte Ed25519 public key");
        }
        Objects.requireNonNull(staticKeyPair, "staticKeyPair must not be null");
        if (staticKeyPair.publicKey().length != 32 || staticKeyPair.privateKey().length != 32) {
            throw new IllegalArgumentException("the static key pair must be X25519 (32-byte keys)");
        }
        this.entityPublicKey = entityPublicKey.clone();
        this.staticKeyPair = staticKeyPair;
        this.nodeId = first8(NetMeshHandshake.keyedBlake2s256(NODE_ID_KEY, entityPublicKey));
        this.originHash = first8(NetMeshHandshake.keyedBlake2s256(ORIGIN_KEY, entityPublicKey));
    }

    /**
     * @param entityPublicKey the 32-byte Ed25519 public key
     * @param staticKeyPair the X25519 static key pair
     * @return the identity
     */
    public static MeshIdentity of(byte[] entityPublicKey, NoiseKeyPair staticKeyPair) {
        return new MeshIdentity(entityPublicKey, staticKeyPair);
    }

    /**
     * A new random identity, as net-mesh makes one per process.
     *
     * @param random the randomness
     * @return the identity
     */
    public static MeshIdentity generate(SecureRandom random) {
        byte[] seed = new byte[32];
        random.nextBytes(seed);
        return fromSeed(seed);
    }

    /**
     * A reproducible identity from a 32-byte secret seed (for a node that keeps its id across restarts): the seed
     * is the Ed25519 private key, and the X25519 private key is BLAKE2s-keyed(seed, "meshwire-static-x25519-v1").
     *
     * @param seed 32 secret bytes
     * @return the identity
     */
    public static MeshIdentity fromSeed(byte[] seed) {
        if (seed == null || seed.length != 32) {
            throw new IllegalArgumentException("the identity seed must be 32 bytes");
        }
        byte[] entity = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
        NoiseKeyPair keyPair = NetMeshHandshake.staticKeyPairFromPrivate(NetMeshHandshake.keyedBlake2s256(seed, STATIC_LABEL));
        return new MeshIdentity(entity, keyPair);
    }

    /** @return net-mesh's node id: u64 LE of BLAKE2s-keyed(key="net-node-id-v1", entity public key)[0..8] */
    public long nodeId() {
        return nodeId;
    }

    /** @return the header's origin_hash: u64 LE of BLAKE2s-keyed(key="net-origin-v1", entity public key)[0..8] */
    public long originHash() {
        return originHash;
    }

    /** @return a copy of the Ed25519 entity public key */
    public byte[] entityPublicKey() {
        return entityPublicKey.clone();
    }

    /** @return the X25519 static key pair (the responder key of the Noise handshake) */
    public NoiseKeyPair staticKeyPair() {
        return staticKeyPair;
    }

    /** @return a copy of the X25519 static public key, which peers pass to {@code connect} */
    public byte[] staticPublicKey() {
        return staticKeyPair.publicKey();
    }

    private static long first8(byte[] digest) {
        return ByteBuffer.wrap(digest, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Override
    public String toString() {
        return "MeshIdentity(nodeId=" + Long.toUnsignedString(nodeId, 16) + ", static="
                + HexFormat.of().formatHex(staticKeyPair.publicKey()) + ")";
    }
}
