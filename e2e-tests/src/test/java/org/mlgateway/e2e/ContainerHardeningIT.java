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
 * only the gateway, Prometheus and Alertmanager published, on 127.0.0.1; the gateway password is in
 * no container's environment, only in the secret file nginx reads; every container has its bounded
 * log and its memory, CPU and process limits; the exporter cannot reach an API server, and no one but
 * the exporter reaches stub_status; and the gateway's token reaches nginx and the API servers.
 */
class ContainerHardeningIT {

    private final ComposeProject compose = new ComposeProject();

    private Map<String, List<String>> containersByService() {
        Map<String, List<String>> byService = new TreeMap<>();
        for (String container : Containers.all()) {
            byService
                    .computeIfAbsent(Containers.service(container), s -> new ArrayList<>())
                    .add(container);
        }
        assertEquals(
                Set.of("api-v1", "api-v2", "nginx", "nginx-exporter", "prometheus", "alertmanager"),
                byService.keySet(),
                "the running services (Grafana's profile is off)");
        return byService;
    }

    @Test
    void everyContainerRunsWithoutCapabilitiesPrivilegesOrRoot() throws IOException {
        for (var entry : containersByService().entrySet()) {
            Map<String, Object> service = compose.service(entry.getKey());
            assertEquals(
                    List.of("ALL"), ComposeProject.list(service, "cap_drop"), entry.getKey() + " claims cap_drop ALL");
            assertTrue(ComposeProject.list(service, "cap_add").isEmpty(), entry.getKey() + " adds no capability back");
            assertTrue(ComposeProject.list(service, "security_opt").contains("no-new-privileges:true"), entry.getKey());
            for (String container : entry.getValue()) {
                String status = Containers.processStatus(container);
                String name = Containers.name(container);
                assertEquals(
                        "0000000000000000",
                        Containers.statusField(status, "CapEff"),
                        name + ": no effective capability");
                assertEquals(
                        "0000000000000000", Containers.statusField(status, "CapBnd"), name + ": none it could regain");
                assertEquals("1", Containers.statusField(status, "NoNewPrivs"), name + ": no-new-privileges");
                for (String uid : Containers.statusField(status, "Uid").split("\\s+")) {
                    assertNotEquals(
                            "0",
                            uid,
                            name + " runs as a user other than root: Uid " + Containers.statusField(status, "Uid"));
                }
            }
        }
    }

    @Test
    void everyRootFileSystemIsReadOnlyAsClaimed() {
        for (var entry : containersByService().entrySet()) {
            assertEquals(
                    Boolean.TRUE,
                    compose.service(entry.getKey()).get("read_only"),
                    entry.getKey() + " claims read_only");
            for (String container : entry.getValue()) {
                assertTrue(
                        Containers.inspect(container)
                                .path("HostConfig")
                                .path("ReadonlyRootfs")
                                .asBoolean(),
                        Containers.name(container));
                // sh is in every image (Debian's dash): a write to the root file system must fail.
                Command.Result write = Containers.run(
                        60, List.of("docker", "exec", container, "sh", "-c", "echo x > /etc/hardening-probe"));
                assertNotEquals(0, write.exitCode(), Containers.name(container) + " wrote to its root file system");
                assertTrue(
                        write.output().contains("Read-only file system"),
                        Containers.name(container) + ": " + write.output());
            }
        }
    }

    @Test
    void onlyTheGatewayPrometheusAndAlertmanagerArePublishedAndOnlyOnLoopback() {
        Map<String, Set<String>> published = new TreeMap<>();
        for (var entry : containersByService().entrySet()) {
            for (String container : entry.getValue()) {
                JsonNode bindings =
                        Containers.inspect(container).path("HostConfig").path("PortBindings");
                bindings.fields()
                        .forEachRemaining(port -> port.getValue().forEach(binding -> {
                            published
                                    .computeIfAbsent(entry.getKey(), s -> new TreeSet<>())
                                    .add(binding.path("HostIp").asText() + ":"
                                            + binding.path("HostPort").asText());
                        }));
            }
        }
        assertEquals(
                Map.of(
                        "nginx", Set.of("127.0.0.1:" + StackEnv.httpPort(), "127.0.0.1:" + StackEnv.httpsPort()),
                        "prometheus", Set.of("127.0.0.1:" + StackEnv.setting("PROMETHEUS_PORT")),
                        "alertmanager", Set.of("127.0.0.1:" + StackEnv.setting("ALERTMANAGER_PORT"))),
                published);
    }

    @Test
    void theGatewayPasswordIsASecretFileAndInNoEnvironment() throws IOException {
        String password = StackEnv.password();
        assertNotEquals("admin", password, "the container tests run with a password of their own (scripts/test.sh)");
        String nginx = Containers.of("nginx").get(0);
        assertEquals(
                password,
                Containers.exec(nginx, "cat", "/run/secrets/gateway_password"),
                "nginx reads the password from its secret");
        for (String container : Containers.all()) {
            String name = Containers.name(container);
            for (JsonNode variable :
                    Containers.inspect(container).path("Config").path("Env")) {
                assertFalse(variable.asText().contains(password), name + " has the password in its environment");
                assertFalse(
                        variable.asText().startsWith("GATEWAY_PASSWORD="),
                        name + " has GATEWAY_PASSWORD in its environment");
            }
            String environ = new String(
                    Files.readAllBytes(Path.of("/proc/" + Containers.hostPid(container) + "/environ")),
                    StandardCharsets.UTF_8);
            assertFalse(environ.contains(password), name + "'s main process has the password in its environment");
        }
    }

    /** What Docker applies to each container is what docker-compose.yml declares: bounded logs and limits. */
    @Test
    void everyContainerHasABoundedLogAndItsLimits() {
        for (var entry : containersByService().entrySet()) {
            Map<String, Object> service = compose.service(entry.getKey());
            long memory = bytes(String.valueOf(service.get("mem_limit")));
            long nanoCpus = Math.round(Double.parseDouble(String.valueOf(service.get("cpus"))) * 1e9);
            long pids = Long.parseLong(String.valueOf(service.get("pids_limit")));
            for (String container : entry.getValue()) {
                String name = Containers.name(container);
                JsonNode host = Containers.inspect(container).path("HostConfig");
                assertEquals("json-file", host.path("LogConfig").path("Type").asText(), name + " log driver");
                assertEquals(
                        "10m",
                        host.path("LogConfig").path("Config").path("max-size").asText(),
                        name + " log max-size");
                assertEquals(
                        "3",
                        host.path("LogConfig").path("Config").path("max-file").asText(),
                        name + " log max-file");
                assertEquals(memory, host.path("Memory").asLong(), name + " memory limit");
                assertEquals(nanoCpus, host.path("NanoCpus").asLong(), name + " CPU limit");
                assertEquals(pids, host.path("PidsLimit").asLong(), name + " process limit");
            }
        }
    }

    private static long bytes(String size) {
        long number = Long.parseLong(size.substring(0, size.length() - 1));
        return switch (size.charAt(size.length() - 1)) {
            case 'm' -> number << 20;
            case 'g' -> number << 30;
            default -> throw new AssertionError("a size in m or g: " + size);
        };
    }

    /** Every IPv4 address the container has, on each of its networks. */
    private static List<String> addresses(String container) {
        List<String> addresses = new ArrayList<>();
        Containers.inspect(container)
                .path("NetworkSettings")
                .path("Networks")
                .forEach(network -> addresses.add(network.path("IPAddress").asText()));
        assertFalse(addresses.isEmpty(), Containers.name(container) + " has an address");
        return addresses;
    }

    /** An HTTP GET from inside a container (curl, in the images that have it), 3 s at most. */
    private static Command.Result curlFrom(String container, String url) {
        // -s without -S: no error text, which would interleave with the status code (000: no answer).
        return Containers.run(
                30,
                List.of(
                        "docker",
                        "exec",
                        container,
                        "curl",
                        "-s",
                        "--max-time",
                        "3",
                        "-o",
                        "/dev/null",
                        "-w",
                        "%{http_code}",
                        url));
    }

    @Test
    void theExporterCannotReachAnApiServer() {
        String exporter = Containers.of("nginx-exporter").get(0);
        String nginx = Containers.of("nginx").get(0);
        for (String service : List.of("api-v1", "api-v2")) {
            for (String api : Containers.of(service)) {
                for (String address : addresses(api)) {
                    String url = "http://" + address + ":9080/health/ready";
                    Command.Result fromNginx = curlFrom(nginx, url);
                    assertEquals(
                            "200",
                            fromNginx.output().strip(),
                            "the gateway reaches " + url + " (the probe works): " + fromNginx.output());
                    Command.Result fromExporter = curlFrom(exporter, url);
                    assertNotEquals(
                            0, fromExporter.exitCode(), "the exporter reached " + Containers.name(api) + " at " + url);
                    assertTrue(
                            "000".equals(fromExporter.output().strip()),
                            "no HTTP answer at all: " + fromExporter.output());
                }
            }
            Command.Result byName = curlFrom(exporter, "http://" + service + ":9080/health/ready");
            assertNotEquals(0, byName.exitCode(), "the exporter reached " + service + " by name: " + byName.output());
        }
    }

    @Test
    void onlyTheExporterReachesStubStatus() {
        String exporter = Containers.of("nginx-exporter").get(0);
        String nginx = Containers.of("nginx").get(0);
        Command.Result fromExporter = curlFrom(exporter, "http://nginx-status:8081/nginx_status");
        assertEquals("200", fromExporter.output().strip(), "the exporter reads stub_status: " + fromExporter.output());
        // From an API server (on the gateway's network api), on every address nginx has: nothing answers.
        String api = Containers.of("api-v2").get(0);
        for (String address : addresses(nginx)) {
            Command.Result fromApi = curlFrom(api, "http://" + address + ":8081/nginx_status");
            assertNotEquals(
                    0, fromApi.exitCode(), "api-v2 reached stub_status at " + address + ": " + fromApi.output());
            assertTrue("000".equals(fromApi.output().strip()), "no HTTP answer at all: " + fromApi.output());
        }
    }

    /** The token nginx adds (X-Gateway-Token) is the API servers' own, from the same secret and in no container's configuration. */
    @Test
    void theGatewayTokenReachesNginxAndTheApiServers() throws IOException {
        String token = Files.readString(StackEnv.stateDir().resolve("compose-secrets/gateway_token"))
                .strip();
        assertTrue(token.matches("[0-9a-f]{32}"), "a generated 128-bit token");
        String nginx = Containers.of("nginx").get(0);
        assertTrue(
                Containers.exec(nginx, "nginx", "-T").contains("proxy_set_header X-Gateway-Token \"" + token + "\";"),
                "nginx sends the token");
        for (String service : List.of("api-v1", "api-v2")) {
            for (String api : Containers.of(service)) {
                String environ = new String(
                        Files.readAllBytes(Path.of("/proc/" + Containers.hostPid(api) + "/environ")),
                        StandardCharsets.UTF_8);
                assertTrue(
                        environ.contains("API_GATEWAY_TOKEN=" + token + "\0"),
                        Containers.name(api) + "'s server has the token");
            }
        }
        for (String container : Containers.all()) {
            Containers.inspect(container)
                    .path("Config")
                    .path("Env")
                    .forEach(variable -> assertFalse(
                            variable.asText().contains(token),
                            Containers.name(container) + " has the token in its configuration"));
        }
        for (String group : List.of("", "debug")) {
            var answer = GatewayCalls.predict("vouched for by the gateway", group.isEmpty() ? null : group);
            assertEquals(200, answer.statusCode(), answer.asString());
            assertTrue(
                    String.valueOf(answer.header("X-Request-ID")).matches("[0-9a-f]{32}"),
                    "the server repeats the gateway's request id (group '" + group + "'): "
                            + answer.header("X-Request-ID"));
            GatewayCalls.paceBelowRateLimit();
        }
    }
}
