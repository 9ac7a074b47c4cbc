package org.mlgateway.e2e;

import static org.mlgateway.e2e.KubernetesManifests.id;
import static org.mlgateway.e2e.KubernetesManifests.map;
import static org.mlgateway.e2e.KubernetesManifests.ofKind;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * generated (into the test's own copy), the folder it writes is git-ignored, and nothing git tracks
 * under kubernetes/ looks like a key, a certificate or a password hash.
 */
class KubernetesSecretsTest {

    static final List<String> OVERLAYS = KubernetesManifests.OVERLAYS;
    private static final Path ROOT = StackEnv.projectRoot();
    private static final String SECRETS = "kubernetes/base/gateway/secrets";
    private static final Pattern SECRET_LOOKING = Pattern.compile(
            "-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----|\\{SSHA}|\\$apr1\\$|\\$2[aby]\\$|\\$[56]\\$|^\\s*(data|stringData):\\s*$",
            Pattern.MULTILINE);

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theSecretsHoldOnlyWhatMakeK8sSecretsGenerated(String overlay) throws IOException {
        Path generated = KubernetesManifests.WORK.resolve(SECRETS);
        List<Map<String, Object>> secrets = ofKind(overlay, "Secret");
        assertEquals(2, secrets.size(), overlay + ": the gateway's TLS and htpasswd Secrets");
        Map<String, String> files = Map.of("tls.crt", "tls.crt", "tls.key", "tls.key", "htpasswd", "htpasswd");
        for (Map<String, Object> secret : secrets) {
            assertFalse(map(secret, "metadata").containsKey("annotations"), id(secret) + " carries annotations");
            Map<String, Object> data = map(secret, "data");
            assertFalse(data.isEmpty(), id(secret) + " is empty");
            for (Map.Entry<String, Object> entry : data.entrySet()) {
                String file = files.get(entry.getKey());
                assertTrue(file != null, id(secret) + " key " + entry.getKey() + " comes from no generated file");
                assertEquals(Files.readString(generated.resolve(file)),
                        new String(Base64.getMimeDecoder().decode(String.valueOf(entry.getValue()))),
                        id(secret) + " key " + entry.getKey() + " is not the file make k8s-secrets wrote");
            }
        }
    }

    @Test
    void theGeneratedFilesAreIgnoredAndNothingTrackedLooksLikeASecret() throws IOException {
        for (String file : List.of("tls.crt", "tls.key", "htpasswd", "password")) {
            String ignoredBy = KubernetesManifests.run(ROOT, 30, "git", "check-ignore", "-v", "--no-index", SECRETS + "/" + file);
            assertFalse(ignoredBy.isBlank(), SECRETS + "/" + file + " is not git-ignored");
        }
        String tracked = KubernetesManifests.run(ROOT, 30, "git", "ls-files", "--cached", "--others", "--exclude-standard", "kubernetes");
        List<String> suspicious = new ArrayList<>();
        for (String file : tracked.lines().toList()) {
            Path path = ROOT.resolve(file);
            if (file.startsWith(SECRETS + "/")) {
                suspicious.add(file + " (in the secrets folder)");
            } else if (Files.isRegularFile(path) && SECRET_LOOKING.matcher(Files.readString(path)).find()) {
                suspicious.add(file);
            }
        }
        assertTrue(suspicious.isEmpty(), "files git would commit that hold secret-looking content: " + suspicious);
    }
}
