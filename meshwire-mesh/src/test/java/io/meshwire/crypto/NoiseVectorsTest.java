package io.meshwire.crypto;

import io.meshwire.testing.MiniJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every Noise test vector (cacophony / snow format) in {@code <repo>/../shared/vectors/noise/*.json} and in
 * every file listed in {@code MESHWIRE_NOISE_VECTORS} (colon-separated). Vectors of unsupported protocols are
 * skipped and counted; any mismatch fails. Under {@code CI=true} a missing shared directory fails the build.
 */
class NoiseVectorsTest {
    private static final HexFormat HEX = HexFormat.of();

    @TestFactory
    Stream<DynamicTest> shouldMatchEveryVectorWhenRunningAllVectorFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        Path shared = sharedVectorsDirectory();
        if (Files.isDirectory(shared)) {
            try (Stream<Path> listing = Files.list(shared)) {
                listing.filter(p -> p.toString().endsWith(".json")).sorted().forEach(files::add);
            }
        } else if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("shared Noise vectors directory is missing: " + shared
                    + " (the repo must be cloned with shared/ beside it)");
        }
        String extra = System.getenv("MESHWIRE_NOISE_VECTORS");
        if (extra != null && !extra.isBlank()) {
            for (String file : extra.split(":")) {
                if (!file.isBlank()) {
                    files.add(Path.of(file.trim()));
                }
            }
        }
        Assumptions.assumeFalse(files.isEmpty(), "no Noise vectors: " + shared + " is missing and MESHWIRE_NOISE_VECTORS is unset");
        return files.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> runFile(file)));
    }

    static Path sharedVectorsDirectory() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve(".mvn"))) {
            dir = dir.getParent();
        }
        Path repo = dir == null ? Path.of("").toAbsolutePath().getParent() : dir;
        return repo.resolveSibling("shared").resolve("vectors").resolve("noise");
    }

    @SuppressWarnings("unchecked")
    private static void runFile(Path file) throws IOException {
        assertThat(file).as("Noise vector file").isRegularFile();
        Map<String, Object> root = (Map<String, Object>) MiniJson.parse(Files.readString(file));
        List<Map<String, Object>> vectors = (List<Map<String, Object>>) root.get("vectors");
        int passed = 0;
        int skipped = 0;
        List<String> failures = new ArrayList<>();
        for (Map<String, Object> vector : vectors) {
            String name = (String) vector.getOrDefault("protocol_name", vector.get("name"));
            NoiseProtocol protocol;
            try {
                protocol = NoiseProtocol.parse(name);
            } catch (IllegalArgumentException unsupported) {
                skipped++;
                continue;
            }
            if (vector.containsKey("fail") && Boolean.TRUE.equals(vector.get("fail"))) {
                skipped++;
                continue;
            }
            try {
                runVector(protocol, vector);
                passed++;
            } catch (AssertionError | RuntimeException e) {
                failures.add(name + ": " + e.getMessage());
            }
        }
        System.out.printf("Noise vectors %s: %d passed, %d failed, %d skipped%n", file, passed, failures.size(), skipped);
        failures.forEach(f -> System.out.println("  FAILED " + f));
        assertThat(failures).as("Noise vector mismatches in " + file).isEmpty();
        assertThat(passed).as("vectors passed in " + file).isPositive();
    }

    @SuppressWarnings("unchecked")
    static void runVector(NoiseProtocol protocol, Map<String, Object> v) {
        HandshakeState initiator = side(protocol, true, v, "init_");
        HandshakeState responder = side(protocol, false, v, "resp_");
        List<Map<String, Object>> messages = (List<Map<String, Object>>) v.get("messages");
        int handshakeMessages = protocol.pattern().messages().size();
        CipherState[] initiatorCiphers = null;
        CipherState[] responderCiphers = null;
        for (int i = 0; i < messages.size(); i++) {
            byte[] payload = hex(messages.get(i).get("payload"));
            byte[] expected = hex(messages.get(i).get("ciphertext"));
            byte[] ciphertext;
            byte[] decrypted;
            if (i < handshakeMessages) {
                HandshakeState sender = i % 2 == 0 ? initiator : responder;
                HandshakeState receiver = i % 2 == 0 ? responder : initiator;
                ciphertext = sender.writeMessage(payload);
                decrypted = receiver.readMessage(ciphertext);
                if (i == handshakeMessages - 1) {
                    if (v.get("handshake_hash") != null) {
                        assertThat(HEX.formatHex(initiator.handshakeHash())).as("initiator handshake hash")
                                .isEqualTo(v.get("handshake_hash"));
                        assertThat(HEX.formatHex(responder.handshakeHash())).as("responder handshake hash")
                                .isEqualTo(v.get("handshake_hash"));
                    }
                    initiatorCiphers = initiator.split();
                    responderCiphers = responder.split();
                }
            } else {
                // One-way patterns only ever send from the initiator; interactive ones keep alternating.
                boolean fromInitiator = protocol.pattern().isOneWay() || i % 2 == 0;
                CipherState send = fromInitiator ? initiatorCiphers[0] : responderCiphers[1];
                CipherState receive = fromInitiator ? responderCiphers[0] : initiatorCiphers[1];
                ciphertext = send.encryptWithAd(new byte[0], payload);
                decrypted = receive.decryptWithAd(new byte[0], ciphertext);
            }
            assertThat(HEX.formatHex(ciphertext)).as("message %d ciphertext", i).isEqualTo(HEX.formatHex(expected));
            assertThat(decrypted).as("message %d decrypted payload", i).isNotNull();
            assertThat(Arrays.equals(decrypted, payload)).as("message %d payload round trip", i).isTrue();
        }
    }

    @SuppressWarnings("unchecked")
    private static HandshakeState side(NoiseProtocol protocol, boolean initiator, Map<String, Object> v, String p) {
        HandshakeState.Builder b = HandshakeState.builder(protocol, initiator).prologue(hex(v.get(p + "prologue")));
        if (v.get(p + "static") != null) {
            b.localStatic(protocol.dh().fromPrivate(hex(v.get(p + "static"))));
        }
        if (v.get(p + "ephemeral") != null) {
            b.localEphemeral(protocol.dh().fromPrivate(hex(v.get(p + "ephemeral"))));
        }
        if (v.get(p + "remote_static") != null) {
            b.remoteStatic(hex(v.get(p + "remote_static")));
        }
        if (v.get(p + "remote_ephemeral") != null) {
            b.remoteEphemeral(hex(v.get(p + "remote_ephemeral")));
        }
        if (v.get(p + "psks") != null) {
            for (Object psk : (List<Object>) v.get(p + "psks")) {
                b.psk(hex(psk));
            }
        }
        return b.build();
    }

    private static byte[] hex(Object value) {
        return value == null ? new byte[0] : HEX.parseHex((String) value);
    }
}
