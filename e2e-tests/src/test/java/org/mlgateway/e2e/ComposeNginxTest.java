package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The gateway container runs the native stack's nginx/ files: the image's entrypoint renders
 * /etc/nginx/templates into conf.d with envsubst (and refuses to start when a setting a template
 * names is unset), so every setting a template uses must be in the service's environment, and every
 * file those files include must be mounted.
 */
class ComposeNginxTest {

    private static final Pattern SETTING = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)}");
    private static final Pattern INCLUDE = Pattern.compile("^\\s*include\\s+([^;\\s]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern SERVER = Pattern.compile("^\\s*server\\s+([^:\\s]+):(\\d+)", Pattern.MULTILINE);

    private final ComposeProject compose = new ComposeProject();
    private final Map<String, Object> nginx = compose.service("nginx");

    private Path inContainer(String containerPath) {
        return compose.hostPathOf(nginx, containerPath)
                .orElseThrow(
                        () -> new AssertionError("nothing is mounted at " + containerPath + " in the nginx service"));
    }

    private List<Path> templates() throws IOException {
        try (Stream<Path> files = Files.list(inContainer("/etc/nginx/templates"))) {
            return files.filter(p -> p.toString().endsWith(".template"))
                    .sorted()
                    .toList();
        }
    }

    @Test
    void theSharedTemplatesAndSnippetsAreMounted() throws IOException {
        assertEquals(compose.root.resolve("nginx/templates"), inContainer("/etc/nginx/templates"));
        assertEquals(compose.root.resolve("nginx/snippets"), inContainer("/etc/nginx/snippets"));
        assertFalse(templates().isEmpty(), "nginx/templates holds no *.template");
    }

    @Test
    void everySettingATemplateUsesIsInTheEnvironment() throws IOException {
        Map<String, Object> environment = ComposeProject.map(nginx, "environment");
        Set<String> missing = new TreeSet<>();
        for (Path template : templates()) {
            Matcher m = SETTING.matcher(Files.readString(template));
            while (m.find()) {
                if (!environment.containsKey(m.group(1))) {
                    missing.add(template.getFileName() + ": " + m.group(1));
                }
            }
        }
        assertTrue(missing.isEmpty(), "template settings the nginx service does not provide: " + missing);
    }

    @Test
    void settingsOfStackEnvDefaultToItsValues() throws IOException {
        Map<String, String> stackEnv = new TreeMap<>();
        for (String line : Files.readAllLines(compose.root.resolve("stack.env"))) {
            if (line.matches("[A-Za-z_][A-Za-z0-9_]*=.*")) {
                stackEnv.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        assertTrue(stackEnv.containsKey("GATEWAY_MAX_BODY_SIZE"), "stack.env defines the body limit");
        Map<String, Object> environment = ComposeProject.map(nginx, "environment");
        assertTrue(environment.containsKey("GATEWAY_MAX_BODY_SIZE"), "the nginx service gets the body limit");
        environment.forEach((name, value) -> {
            if (name.equals("GATEWAY_BIND")) {
                // stack.env's loopback default is for the native stack; a container listens on all of its
                // interfaces and the published ports decide who reaches it.
                assertEquals("0.0.0.0", String.valueOf(value), "the container's gateway listens on every interface");
            } else if (stackEnv.containsKey(name)) {
                assertTrue(
                        String.valueOf(value).startsWith("${" + name + ":-"),
                        name + " is settable from the host: " + value);
                assertEquals(
                        stackEnv.get(name),
                        ComposeProject.interpolate(value),
                        name + " defaults to its stack.env value");
            }
        });
    }

    @Test
    void everyIncludedFileIsInTheContainer() throws IOException {
        List<Path> configFiles = new ArrayList<>(templates());
        configFiles.add(inContainer("/etc/nginx/nginx.conf"));
        try (Stream<Path> snippets = Files.list(inContainer("/etc/nginx/snippets"))) {
            snippets.forEach(configFiles::add);
        }
        List<String> missing = new ArrayList<>();
        for (Path file : configFiles) {
            Matcher m = INCLUDE.matcher(Files.readString(file));
            while (m.find()) {
                String include = m.group(1);
                if (include.contains("*")) {
                    continue; // conf.d/*.conf: rendered at start
                }
                String containerPath = include.startsWith("/") ? include : "/etc/nginx/" + include;
                if (compose.hostPathOf(nginx, containerPath)
                        .filter(Files::isRegularFile)
                        .isEmpty()) {
                    missing.add(file.getFileName() + " includes " + include);
                }
            }
        }
        assertTrue(missing.isEmpty(), "includes that resolve to nothing in the nginx container: " + missing);
    }

    @Test
    void upstreamsNameTheApiServicesOnTheirPort() throws IOException {
        Map<String, List<Integer>> ports = compose.containerPorts();
        Map<String, String> expected = Map.of("api-v1.conf", "api-v1", "api-v2.conf", "api-v2");
        for (var entry : expected.entrySet()) {
            String text = Files.readString(inContainer("/etc/nginx/upstreams/" + entry.getKey()));
            Matcher server = SERVER.matcher(text);
            assertTrue(server.find(), entry.getKey() + " has no server line");
            assertEquals(entry.getValue(), server.group(1), entry.getKey() + " server");
            int port = Integer.parseInt(server.group(2));
            assertTrue(ports.get(entry.getValue()).contains(port), entry.getValue() + " does not listen on " + port);
            assertFalse(server.find(), entry.getKey() + ": one service name covers every replica");
        }
    }

    @Test
    void theExporterScrapesTheStubStatusWhereNginxServesIt() {
        String listen = ComposeProject.interpolate(
                ComposeProject.map(nginx, "environment").get("STUB_STATUS_LISTEN"));
        // Only nginx's address on the network it shares with the exporter (its alias there), not loopback.
        assertTrue(
                listen.matches("nginx-status:\\d+"), "stub_status listens on nginx's status-network alias: " + listen);
        String port = listen.replaceAll(".*:", "");
        List<String> command = ComposeProject.list(compose.service("nginx-exporter"), "command").stream()
                .map(String::valueOf)
                .toList();
        assertTrue(
                command.contains("-nginx.scrape-uri=http://nginx-status:" + port + "/nginx_status"),
                command.toString());
    }

    @Test
    void theGatewayGetsItsSecretsFromAVolumeNotTheRepository() {
        Map<String, Object> environment = ComposeProject.map(nginx, "environment");
        String secrets = String.valueOf(environment.get("GATEWAY_SECRETS_DIR"));
        assertEquals(secrets, environment.get("NGINX_CERT_DIR"));
        assertEquals(secrets + "/htpasswd", environment.get("NGINX_HTPASSWD_FILE"));
        assertTrue(
                ComposeProject.mounts(nginx).stream()
                        .anyMatch(m -> !m.bind() && m.target().equals(secrets)),
                "a named volume keeps the generated certificate at " + secrets);
    }
}
