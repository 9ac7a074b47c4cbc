package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The container deployment has the services, replicas, ports, healthchecks, restart policies and pinned images it promises. */
class ComposeServicesTest {

    private final ComposeProject compose = new ComposeProject();

    @Test
    void definesTheStacksServices() {
        assertEquals(
                Set.of("api-v1", "api-v2", "nginx", "nginx-exporter", "prometheus", "alertmanager", "grafana"),
                compose.services().keySet());
    }

    @Test
    void runsThreeV1ReplicasThatEachKeepTheirOwnHostName() {
        Map<String, Object> apiV1 = compose.service("api-v1");
        assertEquals(
                "3",
                ComposeProject.interpolate(ComposeProject.map(apiV1, "deploy").get("replicas")),
                "api-v1 deploy.replicas");
        // A fixed hostname or container_name would give every replica the same X-Served-By (or fail to scale).
        assertFalse(apiV1.containsKey("hostname"), "api-v1 must not fix a hostname: replicas are named by theirs");
        assertFalse(apiV1.containsKey("container_name"), "api-v1 must not fix a container_name: it has replicas");
    }

    @Test
    void publishesOnlyTheGatewayAndTheMonitoringUis() {
        Map<String, Set<Integer>> expected = Map.of(
                "nginx",
                Set.of(80, 443),
                "prometheus",
                Set.of(9090),
                "alertmanager",
                Set.of(9093),
                "grafana",
                Set.of(3000));
        compose.services().forEach((name, service) -> {
            Set<Integer> published = ComposeProject.publishedPorts(service).stream()
                    .map(ComposeProject.Published::host)
                    .collect(Collectors.toSet());
            assertEquals(expected.getOrDefault(name, Set.of()), published, "host ports published by " + name);
        });
        ComposeProject.publishedPorts(compose.service("prometheus"))
                .forEach(p -> assertEquals("127.0.0.1", p.hostIp(), "Prometheus has no login: loopback only"));
        ComposeProject.publishedPorts(compose.service("alertmanager"))
                .forEach(p -> assertEquals("127.0.0.1", p.hostIp(), "Alertmanager has no login: loopback only"));
        ComposeProject.publishedPorts(compose.service("grafana"))
                .forEach(p -> assertEquals("127.0.0.1", p.hostIp(), "Grafana speaks plain HTTP: loopback only"));
        ComposeProject.publishedPorts(compose.service("nginx"))
                .forEach(p ->
                        assertEquals("127.0.0.1", p.hostIp(), "the gateway with the default password: loopback only"));
    }

    @Test
    void everyServiceHasAHealthcheck() {
        compose.services().forEach((name, service) -> {
            Map<String, Object> healthcheck = ComposeProject.map(service, "healthcheck");
            assertFalse(Boolean.TRUE.equals(healthcheck.get("disable")), name + " healthcheck disabled");
            Object test = healthcheck.get("test");
            assertTrue(
                    test instanceof List<?> list
                            && list.size() > 1
                            && Set.of("CMD", "CMD-SHELL").contains(list.get(0)),
                    name + " needs healthcheck.test as [\"CMD\", ...] or [\"CMD-SHELL\", ...], was " + test);
        });
    }

    @Test
    void everyServiceRestartsByItself() {
        Set<String> restarting = Set.of("always", "unless-stopped", "on-failure");
        compose.services().forEach((name, service) -> {
            Object restart = service.get("restart");
            assertTrue(
                    restart != null
                            && restarting.contains(String.valueOf(restart).replaceAll(":\\d+$", "")),
                    name + " needs restart: always|unless-stopped|on-failure, was " + restart);
        });
    }

    /**
     * Every image Compose builds starts FROM the one base the start script can pull or, where no
     * registry answers, make from Debian's archive under the same name (scripts/lib/images.sh); the
     * image it does not build (Grafana's) is pinned to a version.
     */
    @Test
    void everyBuiltImageStartsFromTheBaseTheScriptCanMakeAndTheOthersArePinned() throws IOException {
        Matcher base = Pattern.compile("(?m)^IMAGES_BASE=\"([^\"]+)\"")
                .matcher(Files.readString(compose.root.resolve("scripts/lib/images.sh")));
        assertTrue(base.find(), "scripts/lib/images.sh names the base image");
        assertEquals("debian:bookworm-slim", base.group(1));
        List<String> wrong = new ArrayList<>();
        compose.services().forEach((name, service) -> {
            var build = compose.build(service);
            if (build.isEmpty()) {
                String image = ComposeProject.interpolate(service.get("image"));
                if (!ComposeProject.isPinned(image)) {
                    wrong.add(name + ": " + image + " is not pinned");
                }
                return;
            }
            var instructions = ComposeProject.instructions(build.get().dockerfile());
            for (var instruction : instructions) {
                if (instruction.keyword().equals("FROM")) {
                    String image = ComposeProject.substituteArgs(
                                    instruction.arguments(),
                                    instructions,
                                    build.get().args())
                            .replaceAll("--platform=\\S+\\s+", "")
                            .split("\\s+")[0];
                    if (!image.equals(base.group(1))) {
                        wrong.add(name + " ("
                                + compose.root.relativize(build.get().dockerfile()) + ") builds FROM " + image);
                    }
                }
            }
        });
        assertTrue(wrong.isEmpty(), "images not from the base or not pinned: " + wrong);
    }

    @Test
    void pinnedMeansAVersionTagNotLatest() {
        assertTrue(ComposeProject.isPinned("nginx:1.28.0-alpine"));
        assertTrue(ComposeProject.isPinned("localhost:5000/prom/prometheus:v2.53.3"));
        assertFalse(ComposeProject.isPinned("nginx"));
        assertFalse(ComposeProject.isPinned("nginx:latest"));
        assertFalse(ComposeProject.isPinned("nginx:alpine"));
        assertFalse(ComposeProject.isPinned("localhost:5000/nginx"));
    }

    @Test
    void credentialsAndRateDefaultToTheDocumentedSettings() {
        Map<String, Object> env = ComposeProject.map(compose.service("nginx"), "environment");
        // The password is a Compose secret (ComposeHardeningTest), not part of the environment.
        Map<String, String> expected = Map.of("GATEWAY_USER", "admin", "RATE_LIMIT", "100", "RATE_BURST", "100");
        expected.forEach((name, value) -> {
            Object raw = env.get(name);
            if (raw == null) {
                fail("nginx environment lacks " + name);
            }
            assertTrue(String.valueOf(raw).contains("${" + name), name + " must be settable from the host environment");
            assertEquals(value, ComposeProject.interpolate(raw), name + " default");
        });
        Map<String, Object> grafana = ComposeProject.map(compose.service("grafana"), "environment");
        assertEquals("admin", ComposeProject.interpolate(grafana.get("GF_SECURITY_ADMIN_USER")));
        // No default Grafana password: generated at first start by scripts/compose.sh (ComposeHardeningTest).
        assertFalse(grafana.containsKey("GF_SECURITY_ADMIN_PASSWORD"), "Grafana has no default admin password");
    }

    @Test
    void dependenciesNameExistingServices() {
        Set<String> names = compose.services().keySet();
        Set<String> unknown = new TreeSet<>();
        compose.services().forEach((name, service) -> {
            Object dependsOn = service.get("depends_on");
            Iterable<?> deps =
                    dependsOn instanceof Map<?, ?> m ? m.keySet() : dependsOn instanceof List<?> l ? l : List.of();
            deps.forEach(d -> {
                if (!names.contains(String.valueOf(d))) {
                    unknown.add(name + " -> " + d);
                }
            });
        });
        assertTrue(unknown.isEmpty(), "depends_on names unknown services: " + unknown);
    }
}
