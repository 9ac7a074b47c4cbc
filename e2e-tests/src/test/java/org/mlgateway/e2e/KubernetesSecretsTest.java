package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mlgateway.e2e.KubernetesManifests.id;
import static org.mlgateway.e2e.KubernetesManifests.map;
import static org.mlgateway.e2e.KubernetesManifests.ofKind;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * No Secret value is in the repository: the rendered Secrets hold exactly what `make k8s-secrets`
 * generated (into the test's own copy), the folders it writes are git-ignored, and nothing git tracks
 * under kubernetes/ looks like a key, a certificate or a password hash. The production overlays take
 * only a certificate a client can trust, unless told otherwise.
 */
class KubernetesSecretsTest {

    static final List<String> OVERLAYS = KubernetesManifests.OVERLAYS;
    private static final Path ROOT = StackEnv.projectRoot();
    private static final String SECRETS = "kubernetes/base/gateway/secrets";
    private static final String PRODUCTION_TLS = "kubernetes/components/production/tls";
    private static final Pattern SECRET_LOOKING = Pattern.compile(
            "-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----|\\{SSHA}|\\$apr1\\$|\\$2[aby]\\$|\\$[56]\\$|^\\s*(data|stringData):\\s*$",
            Pattern.MULTILINE);

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theSecretsHoldOnlyWhatMakeK8sSecretsGenerated(String overlay) throws IOException {
        Path generated = KubernetesManifests.WORK.resolve(SECRETS);
        Path tls = overlay.startsWith("production") ? KubernetesManifests.WORK.resolve(PRODUCTION_TLS) : generated;
        List<Map<String, Object>> secrets = ofKind(overlay, "Secret");
        assertEquals(3, secrets.size(), overlay + ": the gateway's TLS, htpasswd and token Secrets");
        Map<String, Path> files = Map.of(
                "tls.crt",
                tls.resolve("tls.crt"),
                "tls.key",
                tls.resolve("tls.key"),
                "htpasswd",
                generated.resolve("htpasswd"),
                "gateway_token",
                generated.resolve("gateway-token"));
        assertTrue(
                Files.readString(generated.resolve("gateway-token")).matches("[0-9a-f]{32}"),
                "make k8s-secrets generates a 128-bit gateway token");
        for (Map<String, Object> secret : secrets) {
            assertFalse(map(secret, "metadata").containsKey("annotations"), id(secret) + " carries annotations");
            Map<String, Object> data = map(secret, "data");
            assertFalse(data.isEmpty(), id(secret) + " is empty");
            for (Map.Entry<String, Object> entry : data.entrySet()) {
                Path file = files.get(entry.getKey());
                assertTrue(file != null, id(secret) + " key " + entry.getKey() + " comes from no generated file");
                assertEquals(
                        Files.readString(file),
                        new String(Base64.getMimeDecoder().decode(String.valueOf(entry.getValue()))),
                        id(secret) + " key " + entry.getKey() + " is not the file make k8s-secrets wrote");
            }
        }
    }

    @Test
    void theGeneratedFilesAreIgnoredAndNothingTrackedLooksLikeASecret() throws IOException {
        for (String file : List.of(
                SECRETS + "/tls.crt",
                SECRETS + "/tls.key",
                SECRETS + "/htpasswd",
                SECRETS + "/password",
                SECRETS + "/gateway-token",
                PRODUCTION_TLS + "/tls.crt",
                PRODUCTION_TLS + "/tls.key")) {
            String ignoredBy = KubernetesManifests.run(ROOT, 30, "git", "check-ignore", "-v", "--no-index", file);
            assertFalse(ignoredBy.isBlank(), file + " is not git-ignored");
        }
        String tracked = KubernetesManifests.run(
                ROOT, 30, "git", "ls-files", "--cached", "--others", "--exclude-standard", "kubernetes");
        List<String> suspicious = new ArrayList<>();
        for (String file : tracked.lines().toList()) {
            Path path = ROOT.resolve(file);
            if (file.startsWith(SECRETS + "/") || file.startsWith(PRODUCTION_TLS + "/")) {
                suspicious.add(file + " (in the secrets folder)");
            } else if (Files.isRegularFile(path)
                    && SECRET_LOOKING.matcher(Files.readString(path)).find()) {
                suspicious.add(file);
            }
        }
        assertTrue(suspicious.isEmpty(), "files git would commit that hold secret-looking content: " + suspicious);
    }

    /** A certificate and its key, made by openssl in DIR: self-signed, or signed by the CA in DIR. */
    private static Path[] certificate(Path dir, String name, String host, boolean selfSigned) throws IOException {
        Path key = dir.resolve(name + ".key");
        Path crt = dir.resolve(name + ".crt");
        String san = "subjectAltName=DNS:" + host;
        if (selfSigned) {
            KubernetesManifests.run(
                    dir,
                    60,
                    "openssl",
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=" + host,
                    "-addext",
                    san,
                    "-keyout",
                    key.toString(),
                    "-out",
                    crt.toString());
        } else {
            if (!Files.exists(dir.resolve("ca.crt"))) {
                KubernetesManifests.run(
                        dir,
                        60,
                        "openssl",
                        "req",
                        "-x509",
                        "-newkey",
                        "rsa:2048",
                        "-nodes",
                        "-days",
                        "2",
                        "-subj",
                        "/CN=Test CA",
                        "-keyout",
                        "ca.key",
                        "-out",
                        "ca.crt");
            }
            KubernetesManifests.run(
                    dir,
                    60,
                    "openssl",
                    "req",
                    "-new",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-subj",
                    "/CN=" + host,
                    "-keyout",
                    key.toString(),
                    "-out",
                    name + ".csr");
            Files.writeString(dir.resolve(name + ".ext"), san + "\n");
            KubernetesManifests.run(
                    dir,
                    60,
                    "openssl",
                    "x509",
                    "-req",
                    "-in",
                    name + ".csr",
                    "-CA",
                    "ca.crt",
                    "-CAkey",
                    "ca.key",
                    "-CAcreateserial",
                    "-days",
                    "2",
                    "-extfile",
                    name + ".ext",
                    "-out",
                    crt.toString());
        }
        return new Path[] {crt, key};
    }

    /** make k8s-secrets on COPY with the given variables. */
    private static Command.Result secrets(Path copy, String... variables) {
        List<String> command =
                new ArrayList<>(List.of("make", "-s", "k8s-secrets", "K8S_DIR=" + copy.resolve("kubernetes")));
        command.addAll(List.of(variables));
        return Command.of(command).in(ROOT).timeout(Duration.ofSeconds(120)).run();
    }

    /**
     * The production overlays do not render with the self-signed localhost certificate unless asked:
     * without a certificate they do not render at all; a self-signed one, or one for localhost only,
     * or a key that is not the certificate's, is refused by make k8s-secrets; a CA-signed certificate
     * for a host is taken and is what the gateway's Secret holds; K8S_SELF_SIGNED=true takes the
     * self-signed one.
     */
    @Test
    void theProductionOverlaysRefuseTheSelfSignedLocalhostCertificateUnlessAsked() throws Exception {
        Path copy = KubernetesManifests.cleanCopy();
        Path certs = Files.createTempDirectory("k8s-certs");
        KubernetesManifests.run(
                ROOT,
                300,
                "make",
                "-s",
                "k8s-rules",
                "k8s-analysis",
                "K8S_DIR=" + copy.resolve("kubernetes"),
                "K8S_RULES=" + copy.resolve("prometheus/rules"),
                "CANARY_ANALYSIS=" + copy.resolve("delivery/canary.yaml"));
        Command.Result plain = secrets(copy);
        assertEquals(0, plain.exitCode(), plain.output());
        assertTrue(plain.output().contains("production overlays: no certificate yet"), plain.output());
        KubernetesManifests.render(copy, "dev");
        AssertionError refused = org.junit.jupiter.api.Assertions.assertThrows(
                AssertionError.class,
                () -> KubernetesManifests.render(copy, "production"),
                "production renders without a certificate");
        assertTrue(
                refused.getMessage().contains("tls.crt"),
                "the failure names the missing certificate: " + refused.getMessage());

        Path base = copy.resolve(SECRETS);
        Path[] selfSignedHost = certificate(certs, "self", "api.example.com", true);
        Path[] localhost = certificate(certs, "local", "localhost", false);
        Path[] good = certificate(certs, "good", "api.example.com", false);
        Map<String, String[]> refusals = new java.util.LinkedHashMap<>();
        refusals.put("it is self-signed", new String[] {
            base.resolve("tls.crt").toString(), base.resolve("tls.key").toString()
        });
        refusals.put(
                "it is self-signed, so no client trusts it",
                new String[] {selfSignedHost[0].toString(), selfSignedHost[1].toString()});
        refusals.put("it names no host but localhost", new String[] {localhost[0].toString(), localhost[1].toString()});
        refusals.put("is not the certificate's key", new String[] {good[0].toString(), localhost[1].toString()});
        for (Map.Entry<String, String[]> refusal : refusals.entrySet()) {
            Command.Result run =
                    secrets(copy, "K8S_TLS_CERT=" + refusal.getValue()[0], "K8S_TLS_KEY=" + refusal.getValue()[1]);
            assertEquals(2, run.exitCode(), "refused (make exits 2 when the script fails): " + run.output());
            assertTrue(
                    run.output().contains("refusing") && run.output().contains(refusal.getKey()),
                    refusal.getKey() + ":\n" + run.output());
            assertFalse(
                    Files.exists(copy.resolve(PRODUCTION_TLS).resolve("tls.crt")),
                    "nothing was copied: " + run.output());
        }

        Command.Result taken = secrets(copy, "K8S_TLS_CERT=" + good[0], "K8S_TLS_KEY=" + good[1]);
        assertEquals(0, taken.exitCode(), taken.output());
        assertEquals(
                Files.readString(good[0]),
                tlsSecretCertificate(KubernetesManifests.render(copy, "production")),
                "the production gateway gets the given certificate");

        Files.delete(copy.resolve(PRODUCTION_TLS).resolve("tls.crt"));
        Command.Result asked = secrets(copy, "K8S_SELF_SIGNED=true");
        assertEquals(0, asked.exitCode(), asked.output());
        assertEquals(
                Files.readString(base.resolve("tls.crt")),
                tlsSecretCertificate(KubernetesManifests.render(copy, "production")),
                "asked for, the self-signed certificate is taken");
    }

    private static String tlsSecretCertificate(List<Map<String, Object>> objects) {
        Map<String, Object> secret = objects.stream()
                .filter(o -> "Secret".equals(o.get("kind"))
                        && KubernetesManifests.name(o).startsWith("gateway-tls"))
                .findFirst()
                .orElseThrow();
        return new String(Base64.getMimeDecoder()
                .decode(String.valueOf(map(secret, "data").get("tls.crt"))));
    }
}
