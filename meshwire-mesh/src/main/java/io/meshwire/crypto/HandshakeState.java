package io.meshwire.crypto;

import io.meshwire.crypto.HandshakePattern.Token;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * A Noise HandshakeState (§5.3), driven by a {@link HandshakePattern} held as data. Reading never throws on
 * hostile input: {@link #readMessage} returns {@code null} and the handshake is then failed for good (§5.3: the
 * caller must start a new one). Not thread-safe.
 */
public final class HandshakeState {
    /** Noise messages are at most 65535 bytes (§3). */
    public static final int MAX_MESSAGE_LENGTH = 65535;
    private final NoiseProtocol protocol;
    private final boolean initiator;
    private final SymmetricState symmetric;
    private final SecureRandom random;
    private final Deque<byte[]> psks;
    private final boolean psk;
    private NoiseKeyPair s;
    private NoiseKeyPair e;
    private byte[] rs;
    private byte[] re;
    private int messageIndex;
    private boolean failed;

    private HandshakeState(Builder b) {
        this.protocol = b.protocol;
        this.initiator = b.initiator;
        this.random = b.random == null ? new SecureRandom() : b.random;
        this.psks = new ArrayDeque<>();
        b.psks.forEach(key -> psks.add(key.clone()));
        this.s = b.s;
        this.e = b.e;
        this.rs = b.rs == null ? null : b.rs.clone();
        this.re = b.re == null ? null : b.re.clone();
        HandshakePattern pattern = protocol.pattern();
        this.psk = pattern.isPsk();
        long pskTokens = pattern.messages().stream().flatMap(List::stream).filter(t -> t == Token.PSK).count();
        if (psks.size() != pskTokens) {
            throw new IllegalArgumentException(protocol.name() + " needs " + pskTokens + " PSK(s), got " + psks.size());
        }
        for (byte[] key : psks) {
            if (key.length != 32) {
                throw new IllegalArgumentException("a Noise PSK is 32 bytes, got " + key.length);
            }
        }
        symmetric = new SymmetricState(protocol);
        symmetric.mixHash(b.prologue == null ? new byte[0] : b.prologue);
        // Pre-messages (§7.1): the initiator's keys first, then the responder's.
        mixPreMessage(pattern.initiatorPreMessage(), initiator);
        mixPreMessage(pattern.responderPreMessage(), !initiator);
    }

    /**
     * Starts building a handshake.
     *
     * @param protocol the Noise protocol
     * @param initiator whether this side sends the first message
     * @return a builder
     */
    public static Builder builder(NoiseProtocol protocol, boolean initiator) {
        return new Builder(Objects.requireNonNull(protocol), initiator);
    }

    private void mixPreMessage(List<Token> tokens, boolean local) {
        for (Token token : tokens) {
            byte[] key = switch (token) {
                case E -> local ? required(e, "local ephemeral").publicKey() : requiredRemote(re, "remote ephemeral");
                case S -> local ? required(s, "local static").publicKey() : requiredRemote(rs, "remote static");
                default -> throw new IllegalStateException("bad pre-message token " + token);
            };
            symmetric.mixHash(key);
            if (psk && token == Token.E) {
                symmetric.mixKey(key);
            }
        }
    }

    private static NoiseKeyPair required(NoiseKeyPair pair, String what) {
        if (pair == null) {
            throw new IllegalArgumentException("this pattern needs the " + what + " key pair");
        }
        return pair;
    }

    private static byte[] requiredRemote(byte[] key, String what) {
        if (key == null) {
            throw new IllegalArgumentException("this pattern needs the " + what + " public key");
        }
        return key;
    }

    /** @return whether it is this side's turn to write */
    public boolean isMyTurn() {
        return !isComplete() && (messageIndex % 2 == 0) == initiator;
    }

    /** @return whether all handshake messages have been processed */
    public boolean isComplete() {
        return messageIndex >= protocol.pattern().messages().size();
    }

    /** @return whether a read failed, which ends this handshake */
    public boolean isFailed() {
        return failed;
    }

    /**
     * WriteMessage (§5.3).
     *
     * @param payload payload to encrypt into the message (may be empty)
     * @return the message
     * @throws IllegalStateException if it is not this side's turn, or the handshake is complete or failed
     */
    public byte[] writeMessage(byte[] payload) {
        if (failed || !isMyTurn()) {
            throw new IllegalStateException("not this side's turn to write (message " + messageIndex + ", failed=" + failed + ")");
        }
        MessageBuffer out = new MessageBuffer();
        for (Token token : protocol.pattern().messages().get(messageIndex)) {
            switch (token) {
                case E -> {
                    if (e == null) {
                        e = protocol.dh().generate(random);
                    }
                    out.append(e.publicKey());
                    symmetric.mixHash(e.publicKey());
                    if (psk) {
                        symmetric.mixKey(e.publicKey());
                    }
                }
                case S -> out.append(symmetric.encryptAndHash(required(s, "local static").publicKey()));
                case PSK -> symmetric.mixKeyAndHash(psks.removeFirst());
                default -> {
                    if (!mixDh(token)) {
                        failed = true;
                        throw new IllegalStateException("DH with the remote key failed (invalid public key)");
                    }
                }
            }
        }
        out.append(symmetric.encryptAndHash(payload));
        if (out.length > MAX_MESSAGE_LENGTH) {
            failed = true;
            throw new IllegalArgumentException("Noise message of " + out.length + " bytes exceeds 65535 (Noise §3)");
        }
        messageIndex++;
        return out.toArray();
    }

    /**
     * ReadMessage (§5.3). Never throws on bad input.
     *
     * @param message the received message
     * @return the decrypted payload, or {@code null} if the message is malformed, fails authentication, carries
     *     an invalid key, or arrives out of turn; the handshake is then failed
     */
    public byte[] readMessage(byte[] message) {
        if (failed || isComplete() || isMyTurn() || message == null || message.length > MAX_MESSAGE_LENGTH) {
            failed = true;
            return null;
        }
        int dhLength = protocol.dhLength();
        int position = 0;
        for (Token token : protocol.pattern().messages().get(messageIndex)) {
            switch (token) {
                case E -> {
                    if (message.length - position < dhLength) {
                        return fail();
                    }
                    re = Arrays.copyOfRange(message, position, position + dhLength);
                    position += dhLength;
                    symmetric.mixHash(re);
                    if (psk) {
                        symmetric.mixKey(re);
                    }
                }
                case S -> {
                    int length = dhLength + (symmetric.hasKey() ? CipherState.TAG_LENGTH : 0);
                    if (message.length - position < length) {
                        return fail();
                    }
                    byte[] key = symmetric.decryptAndHash(Arrays.copyOfRange(message, position, position + length));
                    if (key == null) {
                        return fail();
                    }
                    rs = key;
                    position += length;
                }
                case PSK -> symmetric.mixKeyAndHash(psks.removeFirst());
                default -> {
                    if (!mixDh(token)) {
                        return fail();
                    }
                }
            }
        }
        if (symmetric.hasKey() && message.length - position < CipherState.TAG_LENGTH) {
            return fail();
        }
        byte[] payload = symmetric.decryptAndHash(Arrays.copyOfRange(message, position, message.length));
        if (payload == null) {
            return fail();
        }
        messageIndex++;
        return payload;
    }

    private byte[] fail() {
        failed = true;
        return null;
    }

    private boolean mixDh(Token token) {
        NoiseKeyPair local;
        byte[] remote;
        switch (token) {
            case EE -> { local = e; remote = re; }
            case SS -> { local = s; remote = rs; }
            // §7.1: "es" is DH(initiator e, responder s); "se" is DH(initiator s, responder e).
            case ES -> { local = initiator ? e : s; remote = initiator ? rs : re; }
            case SE -> { local = initiator ? s : e; remote = initiator ? re : rs; }
            default -> throw new IllegalStateException("not a DH token: " + token);
        }
        if (local == null || remote == null) {
            return false;
        }
        byte[] shared = new byte[protocol.dhLength()];
        if (!protocol.dh().dh(local.privateKey(), remote, shared)) {
            return false;
        }
        symmetric.mixKey(shared);
        return true;
    }

    /** @return the handshake hash h, e.g. for channel binding; final once {@link #isComplete()} */
    public byte[] handshakeHash() {
        return symmetric.handshakeHash();
    }

    /** @return the remote static public key, once learned, or {@code null} */
    public byte[] remoteStaticPublicKey() {
        return rs == null ? null : rs.clone();
    }

    /** @return the remote ephemeral public key, once learned, or {@code null} */
    public byte[] remoteEphemeralPublicKey() {
        return re == null ? null : re.clone();
    }

    /**
     * Split (§5.2) into the transport CipherStates.
     *
     * @return {initiator-to-responder, responder-to-initiator}
     * @throws IllegalStateException if the handshake is not complete
     */
    public CipherState[] split() {
        if (!isComplete() || failed) {
            throw new IllegalStateException("handshake not complete");
        }
        return symmetric.split();
    }

    private static final class MessageBuffer {
        private byte[] bytes = new byte[128];
        private int length;

        void append(byte[] data) {
            if (length + data.length > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + data.length));
            }
            System.arraycopy(data, 0, bytes, length, data.length);
            length += data.length;
        }

        byte[] toArray() {
            return Arrays.copyOf(bytes, length);
        }
    }

    /** Collects the keys and PSKs of one handshake. */
    public static final class Builder {
        private final NoiseProtocol protocol;
        private final boolean initiator;
        private byte[] prologue;
        private NoiseKeyPair s;
        private NoiseKeyPair e;
        private byte[] rs;
        private byte[] re;
        private final List<byte[]> psks = new java.util.ArrayList<>();
        private SecureRandom random;

        private Builder(NoiseProtocol protocol, boolean initiator) {
            this.protocol = protocol;
            this.initiator = initiator;
        }

        /** @param prologue data both sides mix in (§6); never sent @return this */
        public Builder prologue(byte[] prologue) {
            this.prologue = prologue.clone();
            return this;
        }

        /** @param s the local static key pair @return this */
        public Builder localStatic(NoiseKeyPair s) {
            this.s = s;
            return this;
        }

        /** @param e a fixed local ephemeral key pair, for test vectors only @return this */
        public Builder localEphemeral(NoiseKeyPair e) {
            this.e = e;
            return this;
        }

        /** @param rs the remote static public key known in advance @return this */
        public Builder remoteStatic(byte[] rs) {
            this.rs = rs.clone();
            return this;
        }

        /** @param re the remote ephemeral public key known in advance @return this */
        public Builder remoteEphemeral(byte[] re) {
            this.re = re.clone();
            return this;
        }

        /** @param psk the next 32-byte pre-shared key, in the order the psk tokens use them @return this */
        public Builder psk(byte[] psk) {
            this.psks.add(psk.clone());
            return this;
        }

        /** @param random source of ephemeral keys @return this */
        public Builder random(SecureRandom random) {
            this.random = random;
            return this;
        }

        /**
         * @return the initialized HandshakeState
         * @throws IllegalArgumentException if a key or PSK the pattern needs is missing or malformed
         */
        public HandshakeState build() {
            return new HandshakeState(this);
        }
    }
}
