package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * docker/nginx/gateway-secrets.sh, run as the gateway container runs it (POSIX sh, openssl, htpasswd) on a
 * scratch folder: it refuses to start without the password secret; it makes a self-signed
 * certificate for localhost and 127.0.0.1 once, with a key only its user reads; and it writes the
 * htpasswd file from the secret file, never from a GATEWAY_PASSWORD in the environment.
 */
class GatewaySecretsScriptTest {

    private static final Path SCRIPT = StackEnv.projectRoot().resolve("docker/nginx/gateway-secrets.sh");

    private static Command.Result run(Path dir, Path passwordFile) {
        return Command.of("sh", SCRIPT.toString())
                .env("GATEWAY_SECRETS_DIR", dir.toString())
                .env("GATEWAY_PASSWORD_FILE", passwordFile.toString())
                .env("GATEWAY_USER", "alice")
                .env("GATEWAY_PASSWORD", "from-the-environment")
                .timeout(Duration.ofSeconds(120))
                .run();
    }

    @Test
    void makesTheCertificateOnceAndTheHtpasswdFromTheSecretFile() throws Exception {
        Path scratch = Files.createTempDirectory("gateway-secrets");
        Path dir = scratch.resolve("secrets");
        Path password = scratch.resolve("gateway_password");

        Command.Result refused = run(dir, password);
        assertNotEquals(0, refused.exitCode(), "no password secret, no start: " + refused.output());
        assertTrue(refused.output().contains("no password in " + password), refused.output());

        Files.writeString(password, "from-the-secret");
        Command.Result first = run(dir, password);
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
        assertHtpasswdVerifies(dir.resolve("htpasswd"), "alice", "from-the-secret");

        byte[] crt = Files.readAllBytes(dir.resolve("gateway.crt"));
        String htpasswd = Files.readString(dir.resolve("htpasswd"));
        Files.writeString(password, "changed");
        Command.Result second = run(dir, password);
        assertEquals(0, second.exitCode(), second.output());
        assertArrayEquals(crt, Files.readAllBytes(dir.resolve("gateway.crt")), "the certificate is kept across starts");
        assertNotEquals(htpasswd, Files.readString(dir.resolve("htpasswd")), "the htpasswd file follows the password");
        assertHtpasswdVerifies(dir.resolve("htpasswd"), "alice", "changed");
    }

    /**
     * One line, user:$6$rounds=1000$..., the SHA-512 crypt the native stack and make k8s-secrets
     * write; apache2-utils' htpasswd verifies it with the password (on its standard input) and
     * refuses another one.
     */
    private static void assertHtpasswdVerifies(Path file, String user, String password) throws Exception {
        List<String> lines = Files.readAllLines(file);
        assertEquals(1, lines.size(), String.valueOf(lines));
        assertTrue(lines.get(0).startsWith(user + ":$6$rounds=1000$"), lines.get(0));
        assertEquals(0, htpasswdVerify(file, user, password), "htpasswd -v with the password");
        assertNotEquals(0, htpasswdVerify(file, user, password + "x"), "htpasswd -v with another password");
    }

    private static int htpasswdVerify(Path file, String user, String password) {
        return Command.of("htpasswd", "-v", "-i", file.toString(), user)
                .input(password)
                .run()
                .exitCode();
    }
}
