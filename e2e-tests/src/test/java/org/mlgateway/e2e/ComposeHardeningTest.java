package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The container deployment claims to be safe by default: each container drops every capability,
 * cannot gain privileges, runs on a read-only root file system, and gets its passwords as Compose
 * secrets; the gateway is published on loopback unless scripts/compose.sh saw a non-default
 * password, and Grafana on loopback with no default password at all. ContainerHardeningIT checks
 * the same claims in the running containers.
 */
class ComposeHardeningTest {

    private final ComposeProject compose = new ComposeProject();

    @Test
    void everyServiceDropsAllCapabilitiesAndAddsNoneBack() {
        compose.services().forEach((name, service) -> {
            assertEquals(List.of("ALL"), ComposeProject.list(service, "cap_drop"), name + " drops every capability");
            assertEquals(List.of(), ComposeProject.list(service, "cap_add"), name + " adds no capability back");
        });
    }

    @Test
    void noServiceCanGainPrivileges() {
        compose.services().forEach((name, service) -> assertTrue(
                ComposeProject.list(service, "security_opt").contains("no-new-privileges:true"), name + " has no-new-privileges:true"));
    }

    @Test
    void everyRootFileSystemIsReadOnly() {
        compose.services().forEach((name, service) -> assertEquals(Boolean.TRUE, service.get("read_only"), name + " read_only"));
    }

    @Test
    void theGatewayPasswordIsASecretFile() {
        assertTrue(ComposeProject.list(compose.service("nginx"), "secrets").contains("gateway_password"), "nginx gets the gateway_password secret");
        Map<String, Object> secret = ComposeProject.map(ComposeProject.map(compose.file, "secrets"), "gateway_password");
        assertTrue(String.valueOf(secret.get("file")).endsWith("/gateway_password"), "the secret is a file: " + secret);
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
        assertTrue(script.contains("was generated (shown this once"), "printed once, at the start that generated it");
        assertFalse(script.contains("GRAFANA_ADMIN_PASSWORD:-admin"), "no admin fallback");
    }
}
