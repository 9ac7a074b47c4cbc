package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * docker/nginx/gateway-secrets.sh, run as the gateway container runs it (POSIX sh, openssl) on a
 * scratch folder: it refuses to start without the password secret; it makes a self-signed
 * certificate for localhost and 127.0.0.1 once, with a key only its user reads; and it writes the
 * htpasswd file from the secret file, never from a GATEWAY_PASSWORD in the environment.
 */
class GatewaySecretsScriptTest {

    private static final Path SCRIPT = StackEnv.projectRoot().resolve("docker/nginx/gateway-secrets.sh");

    private static Containers.Result run(Path dir, Path passwordFile) {
        return Containers.run(
                120,
                List.of(
                        "env",
                        "GATEWAY_SECRETS_DIR=" + dir,
                        "GATEWAY_PASSWORD_FILE=" + passwordFile,
                        "GATEWAY_USER=alice",
                        "GATEWAY_PASSWORD=from-the-environment",
                        "sh",
                        SCRIPT.toString()));
    }

    @Test
    void makesTheCertificateOnceAndTheHtpasswdFromTheSecretFile() throws Exception {
        Path scratch = Files.createTempDirectory("gateway-secrets");
        Path dir = scratch.resolve("secrets");
        Path password = scratch.resolve("gateway_password");

        Containers.Result refused = run(dir, password);
        assertNotEquals(0, refused.exitCode(), "no password secret, no start: " + refused.output());
        assertTrue(refused.output().contains("no password in " + password), refused.output());

        Files.writeString(password, "from-the-secret");
        Containers.Result first = run(dir, password);
        assertEquals(0, first.exitCode(), first.output());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals(
                "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("gateway.key"))));
        assertEquals(
                "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("htpasswd"))));
        X509Certificate certificate;
        try (InputStream in = Files.newInputStream(dir.resolve("gateway.crt"))) {
            certificate =
                    (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        Set<String> names = new TreeSet<>();
        certificate.getSubjectAlternativeNames().forEach(san -> names.add(String.valueOf(san.get(1))));
        assertEquals(Set.of("localhost", "127.0.0.1"), names, "the certificate's subject alternative names");
        assertSsha("alice", "from-the-secret", Files.readString(dir.resolve("htpasswd")));

        byte[] crt = Files.readAllBytes(dir.resolve("gateway.crt"));
        String htpasswd = Files.readString(dir.resolve("htpasswd"));
        Files.writeString(password, "changed");
        Containers.Result second = run(dir, password);
        assertEquals(0, second.exitCode(), second.output());
        assertArrayEquals(crt, Files.readAllBytes(dir.resolve("gateway.crt")), "the certificate is kept across starts");
        assertNotEquals(htpasswd, Files.readString(dir.resolve("htpasswd")), "the htpasswd file follows the password");
        assertSsha("alice", "changed", Files.readString(dir.resolve("htpasswd")));
    }

    /** user:{SSHA}base64(sha1(password + salt) + salt), the line nginx checks. */
    private static void assertSsha(String user, String password, String htpasswd) throws Exception {
        String line = htpasswd.strip();
        assertTrue(line.startsWith(user + ":{SSHA}"), line);
        byte[] decoded = Base64.getDecoder().decode(line.substring((user + ":{SSHA}").length()));
        byte[] digest = Arrays.copyOf(decoded, 20);
        byte[] salt = Arrays.copyOfRange(decoded, 20, decoded.length);
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        sha1.update(password.getBytes(StandardCharsets.UTF_8));
        sha1.update(salt);
        assertArrayEquals(sha1.digest(), digest, "the htpasswd line verifies the password " + Map.of("user", user));
    }
}
