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
 * password, and Grafana on loopback with no default password at all. Every service has a bounded
 * log and memory, CPU and process limits, and the networks keep the API servers away from the
 * exporter and Grafana and stub_status away from all but the exporter. ContainerHardeningIT checks
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
        compose.services()
                .forEach((name, service) -> assertTrue(
                        ComposeProject.list(service, "security_opt").contains("no-new-privileges:true"),
                        name + " has no-new-privileges:true"));
    }

    @Test
    void everyRootFileSystemIsReadOnly() {
        compose.services()
                .forEach((name, service) -> assertEquals(Boolean.TRUE, service.get("read_only"), name + " read_only"));
    }

    @Test
    void theGatewayPasswordIsASecretFile() {
        assertTrue(
                ComposeProject.list(compose.service("nginx"), "secrets").contains("gateway_password"),
                "nginx gets the gateway_password secret");
        Map<String, Object> secret =
                ComposeProject.map(ComposeProject.map(compose.file, "secrets"), "gateway_password");
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
        ports.forEach(p ->
                assertEquals("127.0.0.1", p.hostIp(), "port " + p.host() + " is published on loopback by default"));
        for (Object entry : ComposeProject.list(compose.service("nginx"), "ports")) {
            assertTrue(
                    String.valueOf(entry).startsWith("${GATEWAY_PUBLISH_ADDRESS:-127.0.0.1}:"),
                    "scripts/compose.sh decides: " + entry);
        }
    }

    @Test
    void grafanaIsOnLoopbackWithoutADefaultPassword() {
        Map<String, Object> grafana = compose.service("grafana");
        ComposeProject.publishedPorts(grafana)
                .forEach(p -> assertEquals("127.0.0.1", p.hostIp(), "Grafana speaks plain HTTP: loopback only"));
        Map<String, Object> env = ComposeProject.map(grafana, "environment");
        assertFalse(
                env.containsKey("GF_SECURITY_ADMIN_PASSWORD"),
                "no admin password in the environment, so no default one");
        assertEquals(
                "/run/secrets/grafana_admin_password", String.valueOf(env.get("GF_SECURITY_ADMIN_PASSWORD__FILE")));
        assertTrue(ComposeProject.list(grafana, "secrets").contains("grafana_admin_password"));
        Map<String, Object> secret =
                ComposeProject.map(ComposeProject.map(compose.file, "secrets"), "grafana_admin_password");
        assertTrue(
                String.valueOf(secret.get("file")).endsWith("/grafana_admin_password"),
                "the secret is a file: " + secret);
    }

    @Test
    void composeShGeneratesGrafanasPasswordOnceAndPrintsIt() throws IOException {
        String script = Files.readString(compose.root.resolve("scripts/compose.sh"));
        assertTrue(script.contains("openssl rand"), "a random password");
        assertTrue(script.contains("was generated (shown this once"), "printed once, at the start that generated it");
        assertFalse(script.contains("GRAFANA_ADMIN_PASSWORD:-admin"), "no admin fallback");
    }

    @Test
    void everyServiceKeepsAtMostThreeLogFilesOfTenMegabytes() {
        compose.services().forEach((name, service) -> {
            Map<String, Object> logging = ComposeProject.map(service, "logging");
            assertEquals("json-file", logging.get("driver"), name + " logs to bounded json files");
            Map<String, Object> options = ComposeProject.map(logging, "options");
            assertEquals("10m", String.valueOf(options.get("max-size")), name + " max-size");
            assertEquals("3", String.valueOf(options.get("max-file")), name + " max-file");
        });
    }

    /** Service-level keys, which docker-compose 1.29 applies without --compatibility (deploy.resources it would not). */
    @Test
    void everyServiceHasMemoryCpuAndProcessLimits() {
        compose.services().forEach((name, service) -> {
            assertTrue(
                    String.valueOf(service.get("mem_limit")).matches("\\d+[mg]"),
                    name + " mem_limit: " + service.get("mem_limit"));
            double cpus = Double.parseDouble(String.valueOf(service.get("cpus")));
            assertTrue(cpus > 0 && cpus <= 2, name + " cpus: " + cpus);
            int pids = Integer.parseInt(String.valueOf(service.get("pids_limit")));
            assertTrue(pids > 0 && pids <= 1024, name + " pids_limit: " + pids);
            assertFalse(
                    ComposeProject.map(service, "deploy").containsKey("resources"),
                    name + ": deploy.resources needs --compatibility with 1.29");
        });
    }

    @Test
    void theApiServersAndStubStatusHaveNetworksOfTheirOwn() {
        Map<String, java.util.Set<String>> members = new java.util.TreeMap<>();
        compose.services()
                .forEach((name, service) -> ComposeProject.networks(service)
                        .forEach(network -> members.computeIfAbsent(network, n -> new java.util.TreeSet<>())
                                .add(name)));
        assertEquals(
                java.util.Set.of("api-v1", "api-v2", "nginx", "prometheus"),
                members.get("api"),
                "the API servers share a network with the gateway and Prometheus only (not the exporter, not Grafana)");
        assertEquals(
                java.util.Set.of("nginx", "nginx-exporter"),
                members.get("status"),
                "stub_status's network: nginx and the exporter");
        assertEquals(
                java.util.Set.of("nginx"),
                members.get("edge"),
                "the gateway's published ports have a network of their own");
        assertEquals(
                java.util.Set.of("api", "edge", "monitoring", "status"),
                members.keySet(),
                "no service on the default network");
        Map<String, Object> networks = ComposeProject.map(compose.file, "networks");
        assertEquals(
                Boolean.TRUE, ComposeProject.map(networks, "api").get("internal"), "the API servers have no way out");
        assertEquals(Boolean.TRUE, ComposeProject.map(networks, "status").get("internal"));
        Map<String, Object> nginx = compose.service("nginx");
        assertEquals(
                "nginx-status:8081",
                ComposeProject.map(nginx, "environment").get("STUB_STATUS_LISTEN"),
                "stub_status listens on nginx's address in the network status only");
        assertEquals(
                List.of("nginx-status"),
                ComposeProject.list(ComposeProject.map(ComposeProject.map(nginx, "networks"), "status"), "aliases"));
    }

    @Test
    void theGatewayTokenReachesNginxAndTheApiServersAsASecret() {
        for (String name : List.of("nginx", "api-v1", "api-v2")) {
            assertTrue(
                    ComposeProject.list(compose.service(name), "secrets").contains("gateway_token"),
                    name + " gets the gateway_token secret");
            assertFalse(
                    ComposeProject.map(compose.service(name), "environment").containsKey("API_GATEWAY_TOKEN"),
                    name + ": not in the environment");
        }
        Map<String, Object> secret = ComposeProject.map(ComposeProject.map(compose.file, "secrets"), "gateway_token");
        assertTrue(String.valueOf(secret.get("file")).endsWith("/gateway_token"), "the secret is a file: " + secret);
    }
}
