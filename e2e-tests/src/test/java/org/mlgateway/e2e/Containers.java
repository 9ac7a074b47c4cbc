package org.mlgateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The running container deployment (scripts/compose.sh start), as the Docker CLI shows it: the
 * project's containers by their Compose labels, `docker inspect`, `docker exec`. Every command has a
 * timeout (a {@link Command}).
 */
final class Containers {

    static final String PROJECT = "ml-gateway";

    private Containers() {}

    /** Runs a command from the project root, waits at most timeoutSeconds (see {@link Command}). */
    static Command.Result run(long timeoutSeconds, List<String> command) {
        return Command.of(command).timeout(Duration.ofSeconds(timeoutSeconds)).run();
    }

    /** `docker ARGS...`, which must succeed; returns its output. */
    static String docker(String... args) {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        return Command.of(command).timeout(Duration.ofSeconds(120)).succeeds();
    }

    /** The ids of the project's containers of one Compose service (running or not), in name order. */
    static List<String> of(String service) {
        String ids = docker(
                "ps",
                "-aq",
                "--filter",
                "label=com.docker.compose.project=" + PROJECT,
                "--filter",
                "label=com.docker.compose.service=" + service);
        List<String> sorted =
                new ArrayList<>(ids.lines().filter(l -> !l.isBlank()).toList());
        sorted.sort((a, b) -> name(a).compareTo(name(b)));
        return sorted;
    }

    /** Every container of the project. */
    static List<String> all() {
        return docker("ps", "-aq", "--filter", "label=com.docker.compose.project=" + PROJECT)
                .lines()
                .filter(l -> !l.isBlank())
                .toList();
    }

    static JsonNode inspect(String container) {
        try {
            return GatewayCalls.JSON.readTree(docker("inspect", container)).get(0);
        } catch (IOException e) {
            throw new AssertionError("docker inspect " + container + " gave no JSON", e);
        }
    }

    static String name(String container) {
        return inspect(container).path("Name").asText().replaceFirst("^/", "");
    }

    static String service(String container) {
        return inspect(container)
                .path("Config")
                .path("Labels")
                .path("com.docker.compose.service")
                .asText();
    }

    /** The container's main process as the host sees it. */
    static long hostPid(String container) {
        return inspect(container).path("State").path("Pid").asLong();
    }

    /** "healthy", "starting", "unhealthy", or the state for a container without a healthcheck. */
    static String health(String container) {
        JsonNode state = inspect(container).path("State");
        return state.has("Health")
                ? state.path("Health").path("Status").asText()
                : state.path("Status").asText();
    }

    /** The container's address on the project's network (Prometheus labels its targets with it). */
    static String address(String container) {
        JsonNode networks = inspect(container).path("NetworkSettings").path("Networks");
        return networks.elements().next().path("IPAddress").asText();
    }

    /** A command inside the container (its own user), which must succeed; returns its output. */
    static String exec(String container, String... command) {
        List<String> args = new ArrayList<>(List.of("exec", container));
        args.addAll(List.of(command));
        return docker(args.toArray(String[]::new));
    }

    /** /proc/PID/status of the container's main process on the host: Uid, CapEff, NoNewPrivs... */
    static String processStatus(String container) throws IOException {
        return Files.readString(Path.of("/proc/" + hostPid(container) + "/status"));
    }

    /** One field of /proc/PID/status, such as "CapEff" or "NoNewPrivs". */
    static String statusField(String status, String field) {
        return status.lines()
                .filter(l -> l.startsWith(field + ":"))
                .map(l -> l.substring(field.length() + 1).strip())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + field + " in /proc/PID/status"));
    }
}
