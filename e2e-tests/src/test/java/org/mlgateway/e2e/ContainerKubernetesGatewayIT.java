package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes gateway image (kubernetes/gateway/Dockerfile, built by `make images`) started once
 * the way the rendered dev overlay's gateway Deployment runs it: its environment, user, read-only
 * root, no capability, its emptyDirs as tmpfs and its three Secrets as files, on the Compose network
 * where api-v1 and api-v2 resolve as the Services do on a cluster. nginx accepts the rendered
 * configuration, answers its health path, and proxies a prediction with the Secret's credentials
 * and the gateway token.
 * No host port is published: everything is asked from inside the container.
 */
class ContainerKubernetesGatewayIT {

    private static final String NAME = "ml-gateway-kubernetes-gateway-test";

    @Test
    void theGatewayImageRunsTheRenderedDeployment() throws Exception {
        Map<String, Object> deployment = KubernetesManifests.named("dev", "Deployment", "gateway");
        Map<String, Object> pod = KubernetesManifests.map(KubernetesManifests.podTemplate(deployment), "spec");
        Map<String, Object> nginx = KubernetesManifests.containers(deployment).get(0);
        Map<String, Object> podSecurity = KubernetesManifests.map(pod, "securityContext");
        Map<String, Object> security = KubernetesManifests.map(nginx, "securityContext");
        // The network the API servers are on (api), where the gateway reaches them by name.
        String network = Containers.docker(
                        "network",
                        "ls",
                        "-q",
                        "--filter",
                        "label=com.docker.compose.project=" + Containers.PROJECT,
                        "--filter",
                        "label=com.docker.compose.network=api")
                .strip();

        List<String> run = new ArrayList<>(List.of(
                "run",
                "-d",
                "--name",
                NAME,
                "--network",
                network,
                "--user",
                podSecurity.get("runAsUser") + ":" + podSecurity.get("runAsGroup"),
                "--cap-drop",
                "ALL"));
        assertEquals(
                List.of("ALL"),
                KubernetesManifests.map(security, "capabilities").get("drop"));
        if (Boolean.TRUE.equals(security.get("readOnlyRootFilesystem"))) {
            run.add("--read-only");
        }
        if (Boolean.FALSE.equals(security.get("allowPrivilegeEscalation"))) {
            run.addAll(List.of("--security-opt", "no-new-privileges:true"));
        }
        for (Map<String, Object> sysctl : KubernetesManifests.list(podSecurity, "sysctls")) {
            run.addAll(List.of("--sysctl", sysctl.get("name") + "=" + sysctl.get("value")));
        }
        for (Map<String, Object> variable : KubernetesManifests.list(nginx, "env")) {
            run.addAll(List.of("-e", variable.get("name") + "=" + variable.get("value")));
        }
        Path secrets = secretFiles();
        for (Map<String, Object> mount : KubernetesManifests.list(nginx, "volumeMounts")) {
            String path = String.valueOf(mount.get("mountPath"));
            switch (String.valueOf(mount.get("name"))) {
                case "tls" -> run.addAll(List.of("-v", secrets.resolve("tls") + ":" + path + ":ro"));
                case "htpasswd" -> run.addAll(List.of("-v", secrets.resolve("htpasswd") + ":" + path + ":ro"));
                case "gateway-token" ->
                    run.addAll(List.of("-v", secrets.resolve("gateway-token") + ":" + path + ":ro"));
                // The emptyDirs, writable by the pod's user.
                default -> run.addAll(List.of("--tmpfs", path + ":uid=" + podSecurity.get("runAsUser") + ",mode=0700"));
            }
        }
        run.add(String.valueOf(nginx.get("image")));

        Containers.run(30, List.of("docker", "rm", "-f", NAME));
        Containers.docker(run.toArray(String[]::new));
        try {
            String health = awaitHealth();
            assertEquals("{\"status\":\"UP\"}", health.strip(), "the gateway answers its health path");
            Containers.exec(NAME, "nginx", "-t", "-q");
            String answer = Containers.exec(
                    NAME,
                    "curl",
                    "-sS",
                    "--cacert",
                    "/etc/nginx/tls/gateway.crt",
                    "-u",
                    StackEnv.user() + ":" + password(),
                    "-i",
                    "-H",
                    "Content-Type: application/json",
                    "-d",
                    "{\"sentence\": \"I love clusters\"}",
                    "-w",
                    " %{http_code}",
                    "https://localhost:443/predict");
            assertTrue(
                    answer.endsWith(" 200") && answer.contains("\"prediction value\""),
                    "a prediction through the Kubernetes gateway reaches the API Services by name: " + answer);
            // The API servers answer with the gateway's request id only when its token is theirs.
            assertTrue(
                    Pattern.compile("(?im)^x-request-id: [0-9a-f]{32}\\r?$")
                            .matcher(answer)
                            .find(),
                    "the servers took the request id from the gateway, whose token they share: " + answer);
        } finally {
            System.out.println("Kubernetes gateway container's log:\n"
                    + Containers.run(30, List.of("docker", "logs", NAME)).output());
            Containers.run(60, List.of("docker", "rm", "-f", NAME));
        }
    }

    /** GET /gateway-health inside the container until it answers (bounded), as the probes ask it. */
    private static String awaitHealth() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Command.Result last;
        do {
            last = Containers.run(
                    30,
                    List.of(
                            "docker",
                            "exec",
                            NAME,
                            "curl",
                            "-fsS",
                            "--cacert",
                            "/etc/nginx/tls/gateway.crt",
                            "https://localhost:443/gateway-health"));
            if (last.exitCode() == 0) {
                return last.output();
            }
            TimeUnit.SECONDS.sleep(1);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("the Kubernetes gateway did not answer /gateway-health within 60 s: " + last.output()
                + "\n" + Containers.run(30, List.of("docker", "logs", NAME)).output());
    }

    /**
     * The three Secrets as the pod sees them: gateway.crt and gateway.key (the items of gateway-tls),
     * htpasswd from the inputs `make k8s-secrets` wrote for the rendering, and gateway_token, here the
     * running Compose stack's own so that its API servers know it. Readable by the pod's user.
     */
    private static Path secretFiles() throws IOException {
        Path generated = KubernetesManifests.WORK.resolve("kubernetes/base/gateway/secrets");
        Path dir = Files.createTempDirectory("k8s-gateway-secrets");
        Files.createDirectories(dir.resolve("tls"));
        Files.createDirectories(dir.resolve("htpasswd"));
        Files.copy(generated.resolve("tls.crt"), dir.resolve("tls/gateway.crt"));
        Files.copy(generated.resolve("tls.key"), dir.resolve("tls/gateway.key"));
        Files.copy(generated.resolve("htpasswd"), dir.resolve("htpasswd/htpasswd"));
        // The token of the Compose API servers this gateway forwards to, in the file the Secret gives.
        Files.createDirectories(dir.resolve("gateway-token"));
        Files.copy(
                StackEnv.stateDir().resolve("compose-secrets/gateway_token"),
                dir.resolve("gateway-token/gateway_token"));
        try (var files = Files.walk(dir)) {
            for (Path path : files.toList()) {
                Files.setPosixFilePermissions(
                        path, PosixFilePermissions.fromString(Files.isDirectory(path) ? "r-xr-xr-x" : "r--r--r--"));
            }
        }
        return dir;
    }

    /** GATEWAY_PASSWORD, which `make k8s-secrets` hashed, else the one it generated beside the htpasswd file. */
    private static String password() throws IOException {
        Path generated = KubernetesManifests.WORK.resolve("kubernetes/base/gateway/secrets/password");
        return Files.exists(generated) ? Files.readString(generated).strip() : StackEnv.password();
    }
}
