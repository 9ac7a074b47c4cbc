package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * What docker-compose.yml claims about each service's hardening holds in its running containers, as
 * the kernel sees their main process (/proc/PID/status) and as Docker reports them: no capability
 * left, no way to gain privileges, a user other than root, a root file system that refuses writes,
 * only the gateway and Prometheus published, on 127.0.0.1; and the gateway password is in no
 * container's environment, only in the secret file nginx reads.
 */
class ContainerHardeningIT {

    private final ComposeProject compose = new ComposeProject();

    private Map<String, List<String>> containersByService() {
        Map<String, List<String>> byService = new TreeMap<>();
        for (String container : Containers.all()) {
            byService.computeIfAbsent(Containers.service(container), s -> new ArrayList<>()).add(container);
        }
        assertEquals(Set.of("api-v1", "api-v2", "nginx", "nginx-exporter", "prometheus"), byService.keySet(),
                "the running services (Grafana's profile is off)");
        return byService;
    }

    @Test
    void everyContainerRunsWithoutCapabilitiesPrivilegesOrRoot() throws IOException {
        for (var entry : containersByService().entrySet()) {
            Map<String, Object> service = compose.service(entry.getKey());
            assertEquals(List.of("ALL"), ComposeProject.list(service, "cap_drop"), entry.getKey() + " claims cap_drop ALL");
            assertTrue(ComposeProject.list(service, "cap_add").isEmpty(), entry.getKey() + " adds no capability back");
            assertTrue(ComposeProject.list(service, "security_opt").contains("no-new-privileges:true"), entry.getKey());
            for (String container : entry.getValue()) {
                String status = Containers.processStatus(container);
                String name = Containers.name(container);
                assertEquals("0000000000000000", Containers.statusField(status, "CapEff"), name + ": no effective capability");
                assertEquals("0000000000000000", Containers.statusField(status, "CapBnd"), name + ": none it could regain");
                assertEquals("1", Containers.statusField(status, "NoNewPrivs"), name + ": no-new-privileges");
                for (String uid : Containers.statusField(status, "Uid").split("\\s+")) {
                    assertNotEquals("0", uid, name + " runs as a user other than root: Uid " + Containers.statusField(status, "Uid"));
                }
            }
        }
    }

    @Test
    void everyRootFileSystemIsReadOnlyAsClaimed() {
        for (var entry : containersByService().entrySet()) {
            assertEquals(Boolean.TRUE, compose.service(entry.getKey()).get("read_only"), entry.getKey() + " claims read_only");
            for (String container : entry.getValue()) {
                assertTrue(Containers.inspect(container).path("HostConfig").path("ReadonlyRootfs").asBoolean(), Containers.name(container));
                // sh is in every image (Debian's dash): a write to the root file system must fail.
                Containers.Result write = Containers.run(60, List.of("docker", "exec", container, "sh", "-c", "echo x > /etc/hardening-probe"));
                assertNotEquals(0, write.exitCode(), Containers.name(container) + " wrote to its root file system");
                assertTrue(write.output().contains("Read-only file system"), Containers.name(container) + ": " + write.output());
            }
        }
    }

    @Test
    void onlyTheGatewayAndPrometheusArePublishedAndOnlyOnLoopback() {
        Map<String, Set<String>> published = new TreeMap<>();
        for (var entry : containersByService().entrySet()) {
            for (String container : entry.getValue()) {
                JsonNode bindings = Containers.inspect(container).path("HostConfig").path("PortBindings");
                bindings.fields().forEachRemaining(port -> port.getValue().forEach(binding -> {
                    published.computeIfAbsent(entry.getKey(), s -> new TreeSet<>())
                            .add(binding.path("HostIp").asText() + ":" + binding.path("HostPort").asText());
                }));
            }
        }
        assertEquals(Map.of(
                "nginx", Set.of("127.0.0.1:" + StackEnv.httpPort(), "127.0.0.1:" + StackEnv.httpsPort()),
                "prometheus", Set.of("127.0.0.1:" + StackEnv.setting("PROMETHEUS_PORT"))), published);
    }

    @Test
    void theGatewayPasswordIsASecretFileAndInNoEnvironment() throws IOException {
        String password = StackEnv.password();
        assertNotEquals("admin", password, "the container tests run with a password of their own (scripts/test.sh)");
        String nginx = Containers.of("nginx").get(0);
        assertEquals(password, Containers.exec(nginx, "cat", "/run/secrets/gateway_password"), "nginx reads the password from its secret");
        for (String container : Containers.all()) {
            String name = Containers.name(container);
            for (JsonNode variable : Containers.inspect(container).path("Config").path("Env")) {
                assertFalse(variable.asText().contains(password), name + " has the password in its environment");
                assertFalse(variable.asText().startsWith("GATEWAY_PASSWORD="), name + " has GATEWAY_PASSWORD in its environment");
            }
            String environ = new String(Files.readAllBytes(Path.of("/proc/" + Containers.hostPid(container) + "/environ")),
                    StandardCharsets.UTF_8);
            assertFalse(environ.contains(password), name + "'s main process has the password in its environment");
        }
    }
}
