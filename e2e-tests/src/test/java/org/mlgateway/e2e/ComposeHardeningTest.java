package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The container deployment is safe by default: each container drops every capability and adds
 * back only what it needs, cannot gain privileges, runs on a read-only root file system where the
 * image allows it, and gets its passwords as Compose secrets; the gateway is published on loopback
 * unless scripts/compose.sh saw a non-default password, and Grafana on loopback with no default
 * password at all.
 */
class ComposeHardeningTest {

    private final ComposeProject compose = new ComposeProject();

    /** What each service may add back after cap_drop: [ALL]; docs/compose.md and docker-compose.yml say why. */
    private static final Map<String, Set<String>> CAPABILITIES = Map.of(
            "nginx", Set.of("NET_BIND_SERVICE", "CHOWN", "SETUID", "SETGID"));
    /** The Open Liberty image writes configuration and output at start in folders it also ships. */
    private static final Set<String> WRITABLE_ROOT = Set.of("api-v1", "api-v2");

    @Test
    void everyServiceDropsAllCapabilitiesAndAddsBackOnlyWhatItNeeds() {
        compose.services().forEach((name, service) -> {
            assertEquals(List.of("ALL"), ComposeProject.list(service, "cap_drop"), name + " drops every capability");
            Set<String> added = new TreeSet<>();
            ComposeProject.list(service, "cap_add").forEach(c -> added.add(String.valueOf(c)));
            assertEquals(new TreeSet<>(CAPABILITIES.getOrDefault(name, Set.of())), added, name + " adds back only these capabilities");
        });
    }

    @Test
    void noServiceCanGainPrivileges() {
        compose.services().forEach((name, service) -> assertTrue(
                ComposeProject.list(service, "security_opt").contains("no-new-privileges:true"), name + " has no-new-privileges:true"));
    }

    @Test
    void rootFileSystemsAreReadOnlyWhereTheImageAllowsIt() {
        compose.services().forEach((name, service) -> {
            boolean readOnly = Boolean.TRUE.equals(service.get("read_only"));
            assertEquals(!WRITABLE_ROOT.contains(name), readOnly, name + " read_only");
        });
        List<Object> nginxTmpfs = ComposeProject.list(compose.service("nginx"), "tmpfs");
        for (String path : List.of("/etc/nginx/conf.d", "/var/cache/nginx", "/run", "/tmp")) {
            assertTrue(nginxTmpfs.contains(path), "nginx writes " + path + ": a tmpfs there, got " + nginxTmpfs);
        }
    }

    @Test
    void theGatewayPasswordIsASecretNotAnEnvironmentVariableOfTheScript() throws IOException {
        assertTrue(ComposeProject.list(compose.service("nginx"), "secrets").contains("gateway_password"), "nginx gets the gateway_password secret");
        Map<String, Object> secret = ComposeProject.map(ComposeProject.map(compose.file, "secrets"), "gateway_password");
        assertTrue(String.valueOf(secret.get("file")).endsWith("/gateway_password"), "the secret is a file: " + secret);
        String script = Files.readString(compose.root.resolve("docker/nginx/gateway-secrets.sh"));
        assertTrue(script.contains("/run/secrets/gateway_password"), "gateway-secrets.sh reads the secret");
        assertFalse(java.util.regex.Pattern.compile("\\$\\{?GATEWAY_PASSWORD(?![A-Za-z0-9_])").matcher(script).find(),
                "gateway-secrets.sh never reads the password from the environment");
        assertTrue(script.lines().anyMatch(l -> l.strip().equals("umask 077")), "gateway-secrets.sh sets umask 077 before writing secrets");
        assertTrue(script.indexOf("umask 077") < script.indexOf("openssl req"), "umask 077 comes before the key is written");
        String composeScript = Files.readString(compose.root.resolve("scripts/compose.sh"));
        assertTrue(composeScript.contains("umask 077"), "scripts/compose.sh writes the secret files with umask 077");
    }

    @Test
    void theGatewayPasswordIsNotInTheContainersEnvironment() {
        assertFalse(ComposeProject.map(compose.service("nginx"), "environment").containsKey("GATEWAY_PASSWORD"));
    }

    @Test
    void theGatewayIsPublishedOnLoopbackByDefault() {
        List<ComposeProject.Published> ports = ComposeProject.publishedPorts(compose.service("nginx"));
        assertEquals(2, ports.size(), "80 and 443");
        ports.forEach(p -> assertEquals("127.0.0.1", p.hostIp(), "port " + p.host() + " is published on loopback by default"));
        for (Object entry : ComposeProject.list(compose.service("nginx"), "ports")) {
            assertTrue(String.valueOf(entry).startsWith("${GATEWAY_PUBLISH_ADDRESS:-127.0.0.1}:"), "scripts/compose.sh decides: " + entry);
        }
    }

    @Test
    void grafanaIsOnLoopbackWithoutADefaultPassword() {
        Map<String, Object> grafana = compose.service("grafana");
        ComposeProject.publishedPorts(grafana).forEach(p -> assertEquals("127.0.0.1", p.hostIp(), "Grafana speaks plain HTTP: loopback only"));
        Map<String, Object> env = ComposeProject.map(grafana, "environment");
        assertFalse(env.containsKey("GF_SECURITY_ADMIN_PASSWORD"), "no admin password in the environment, so no default one");
        assertEquals("/run/secrets/grafana_admin_password", String.valueOf(env.get("GF_SECURITY_ADMIN_PASSWORD__FILE")));
        assertTrue(ComposeProject.list(grafana, "secrets").contains("grafana_admin_password"));
        Map<String, Object> secret = ComposeProject.map(ComposeProject.map(compose.file, "secrets"), "grafana_admin_password");
        assertTrue(String.valueOf(secret.get("file")).endsWith("/grafana_admin_password"), "the secret is a file: " + secret);
    }

    @Test
    void composeShGeneratesGrafanasPasswordOnceAndPrintsIt() throws IOException {
        String script = Files.readString(compose.root.resolve("scripts/compose.sh"));
        assertTrue(script.contains("openssl rand"), "a random password");
        assertTrue(script.contains("generated (shown this once"), "printed once, at the start that generated it");
        assertFalse(script.contains("GRAFANA_ADMIN_PASSWORD:-admin"), "no admin fallback");
    }
}
