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
        assertEquals(Set.of("api-v1", "api-v2", "nginx", "nginx-exporter", "prometheus", "grafana"),
                compose.services().keySet());
    }

    @Test
    void runsThreeV1ReplicasThatEachKeepTheirOwnHostName() {
        Map<String, Object> apiV1 = compose.service("api-v1");
        assertEquals("3", ComposeProject.interpolate(ComposeProject.map(apiV1, "deploy").get("replicas")),
                "api-v1 deploy.replicas");
        // A fixed hostname or container_name would give every replica the same X-Served-By (or fail to scale).
        assertFalse(apiV1.containsKey("hostname"), "api-v1 must not fix a hostname: replicas are named by theirs");
        assertFalse(apiV1.containsKey("container_name"), "api-v1 must not fix a container_name: it has replicas");
    }

    @Test
    void publishesOnlyTheGatewayAndTheMonitoringUis() {
        Map<String, Set<Integer>> expected = Map.of(
                "nginx", Set.of(80, 443), "prometheus", Set.of(9090), "grafana", Set.of(3000));
        compose.services().forEach((name, service) -> {
            Set<Integer> published = ComposeProject.publishedPorts(service).stream()
                    .map(ComposeProject.Published::host).collect(Collectors.toSet());
            assertEquals(expected.getOrDefault(name, Set.of()), published, "host ports published by " + name);
        });
        ComposeProject.publishedPorts(compose.service("prometheus"))
                .forEach(p -> assertEquals("127.0.0.1", p.hostIp(), "Prometheus has no login: loopback only"));
        ComposeProject.publishedPorts(compose.service("grafana"))
                .forEach(p -> assertEquals("127.0.0.1", p.hostIp(), "Grafana speaks plain HTTP: loopback only"));
        ComposeProject.publishedPorts(compose.service("nginx"))
                .forEach(p -> assertEquals("127.0.0.1", p.hostIp(), "the gateway with the default password: loopback only"));
    }

    @Test
    void everyServiceHasAHealthcheck() {
        compose.services().forEach((name, service) -> {
            Map<String, Object> healthcheck = ComposeProject.map(service, "healthcheck");
            assertFalse(Boolean.TRUE.equals(healthcheck.get("disable")), name + " healthcheck disabled");
            Object test = healthcheck.get("test");
            assertTrue(test instanceof List<?> list && list.size() > 1
                    && Set.of("CMD", "CMD-SHELL").contains(list.get(0)),
                    name + " needs healthcheck.test as [\"CMD\", ...] or [\"CMD-SHELL\", ...], was " + test);
        });
    }

    @Test
    void apiHealthchecksAskLibertyWhetherItIsReady() {
        for (String api : List.of("api-v1", "api-v2")) {
            String test = String.join(" ", ComposeProject.<List<String>>cast(
                    ComposeProject.map(compose.service(api), "healthcheck").get("test")));
            assertTrue(test.contains("curl") && test.contains(":9080/health/ready"),
                    api + " healthcheck must probe /health/ready on 9080 with curl (the UBI image has curl): " + test);
        }
    }

    @Test
    void everyServiceRestartsByItself() {
        Set<String> restarting = Set.of("always", "unless-stopped", "on-failure");
        compose.services().forEach((name, service) -> {
            Object restart = service.get("restart");
            assertTrue(restart != null && restarting.contains(String.valueOf(restart).replaceAll(":\\d+$", "")),
                    name + " needs restart: always|unless-stopped|on-failure, was " + restart);
        });
    }

    @Test
    void everyImageIsPinnedToAVersion() {
        List<String> unpinned = new ArrayList<>();
        compose.services().forEach((name, service) -> {
            var build = compose.build(service);
            if (build.isEmpty()) {
                String image = ComposeProject.interpolate(service.get("image"));
                if (!ComposeProject.isPinned(image)) {
                    unpinned.add(name + ": " + image);
                }
                return;
            }
            // A locally built image is as pinned as every base it builds FROM.
            var instructions = ComposeProject.instructions(build.get().dockerfile());
            for (var instruction : instructions) {
                if (instruction.keyword().equals("FROM")) {
                    String image = ComposeProject.substituteArgs(instruction.arguments(), instructions, build.get().args())
                            .replaceAll("--platform=\\S+\\s+", "").split("\\s+")[0];
                    if (!ComposeProject.isPinned(image)) {
                        unpinned.add(name + " (" + compose.root.relativize(build.get().dockerfile()) + "): " + image);
                    }
                }
            }
        });
        assertTrue(unpinned.isEmpty(), "images without a version tag: " + unpinned);
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
    void theLibertyImageMatchesTheNativeStacksLibertyRelease() throws IOException {
        String pom = Files.readString(compose.root.resolve("pom.xml"));
        Matcher version = Pattern.compile("<version.openliberty>([^<]+)</version.openliberty>").matcher(pom);
        assertTrue(version.find(), "root pom defines version.openliberty");
        String from = ComposeProject.instructions(compose.root.resolve("ml-api-war/Dockerfile")).stream()
                .filter(i -> i.keyword().equals("FROM")).map(ComposeProject.Instruction::arguments)
                .findFirst().orElseThrow();
        assertEquals("icr.io/appcafe/open-liberty:" + version.group(1) + "-kernel-slim-java17-openj9-ubi", from);
    }

    @Test
    void eachReplicaNamesItselfInXServedBy() throws IOException {
        // Liberty variables outrank the environment in MicroProfile Config: one in the server
        // configuration the image uses would give every replica the same name.
        for (String file : List.of("liberty/server.xml", "liberty/configDropins/deployed/app.xml",
                "liberty/configDropins/container/endpoint.xml")) {
            String xml = Files.readString(compose.root.resolve(file));
            assertFalse(Pattern.compile("<variable\\s+name=\"api\\.instance\\.name\"\\s+value=").matcher(xml).find(),
                    file + " must not set api.instance.name with value=");
        }
        String entrypoint = Files.readString(compose.root.resolve("docker/liberty/instance-name.sh"));
        assertTrue(entrypoint.contains("export API_INSTANCE_NAME") && entrypoint.contains("HOSTNAME"),
                "the API image's entrypoint exports API_INSTANCE_NAME from the host name");
        assertTrue(entrypoint.contains("exec /opt/ol/helpers/runtime/docker-server.sh \"$@\""),
                "the entrypoint hands over to the image's own docker-server.sh");
        List<String> keywords = ComposeProject.instructions(compose.root.resolve("ml-api-war/Dockerfile")).stream()
                .map(i -> i.keyword() + " " + i.arguments()).collect(Collectors.toList());
        assertTrue(keywords.contains("ENTRYPOINT [\"/bin/sh\", \"/opt/ol/helpers/runtime/instance-name.sh\"]"), keywords.toString());
        assertTrue(keywords.contains("CMD [\"/opt/ol/wlp/bin/server\", \"run\", \"defaultServer\"]"),
                "a new ENTRYPOINT resets the base image's CMD: it must be declared again");
    }

    @Test
    void apiImageFollowsTheOpenLibertyBuildOrder() {
        // kernel-slim pattern: configuration, features.sh, application, configure.sh last.
        List<String> steps = new ArrayList<>();
        for (var instruction : ComposeProject.instructions(compose.root.resolve("ml-api-war/Dockerfile"))) {
            String args = instruction.arguments();
            if (instruction.keyword().equals("COPY") && args.contains("server.xml")) {
                steps.add("server.xml");
            } else if (instruction.keyword().equals("RUN") && args.strip().equals("features.sh")) {
                steps.add("features.sh");
            } else if (instruction.keyword().equals("COPY") && args.contains(".war")) {
                steps.add("war");
            } else if (instruction.keyword().equals("RUN")) {
                steps.add(args.strip());
            }
        }
        assertEquals(List.of("server.xml", "features.sh", "war", "configure.sh"), steps);
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
            Iterable<?> deps = dependsOn instanceof Map<?, ?> m ? m.keySet()
                    : dependsOn instanceof List<?> l ? l : List.of();
            deps.forEach(d -> {
                if (!names.contains(String.valueOf(d))) {
                    unknown.add(name + " -> " + d);
                }
            });
        });
        assertTrue(unknown.isEmpty(), "depends_on names unknown services: " + unknown);
    }
}
