package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Nginx configuration the project produces passes `nginx -t`, so a broken directive shows
 * before any stack starts: the native stack's (rendered by scripts/lib/nginx.sh itself), the
 * Compose gateway's and each Kubernetes overlay's (rendered from the settings those files give the
 * container, as docker/nginx/entrypoint.sh renders them). And the one JSON error page answers every
 * status of the API contract the way clients are told.
 */
class NginxConfigTest {

    private static final Path ROOT = StackEnv.projectRoot();
    private static final Pattern SETTING = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)}");

    /** The gateway's own errors as clients know them (docs/api.md#errors). */
    private static final Map<Integer, String> CONTRACT = contract();

    /** nginx's codes that are the client's doing and go out as 400. */
    private static final Set<Integer> SENT_AS_400 = Set.of(494, 497, 501, 505);

    private static Map<Integer, String> contract() {
        Map<Integer, String> codes = new TreeMap<>();
        codes.put(400, "bad_request");
        codes.put(401, "unauthorized");
        codes.put(403, "forbidden");
        codes.put(404, "not_found");
        codes.put(405, "method_not_allowed");
        codes.put(408, "request_timeout");
        codes.put(413, "body_too_large");
        codes.put(414, "uri_too_long");
        codes.put(429, "too_many_requests");
        codes.put(494, "request_header_too_large");
        codes.put(497, "https_required");
        codes.put(500, "internal_error");
        codes.put(501, "unsupported_transfer_encoding");
        codes.put(502, "bad_gateway");
        codes.put(503, "service_unavailable");
        codes.put(504, "gateway_timeout");
        codes.put(505, "http_version_not_supported");
        return codes;
    }

    // ---- nginx -t on every configuration ---------------------------------------------------------

    /** `nginx -t` on one configuration; fails with nginx's own message. */
    static void assertNginxAccepts(String what, Path conf, Path prefix) throws IOException {
        try {
            KubernetesManifests.run(
                    prefix,
                    60,
                    PrivateGateway.nginxBinary(),
                    "-t",
                    "-q",
                    "-p",
                    prefix + "/",
                    "-e",
                    prefix.resolve("nginx-t.log").toString(),
                    "-c",
                    conf.toString());
        } catch (AssertionError e) {
            throw new AssertionError(what + ": nginx -t rejects " + conf + "\n" + e.getMessage(), e);
        }
    }

    /** No ${SETTING} of the templates is left in the rendered files. */
    private static void assertEverySettingSubstituted(String what, Path dir) throws IOException {
        List<String> left = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".conf")).toList()) {
                Matcher m = SETTING.matcher(Files.readString(file));
                while (m.find()) {
                    left.add(dir.relativize(file) + ": " + m.group());
                }
            }
        }
        assertEquals(List.of(), left, what + ": settings the renderer left unsubstituted");
    }

    static Stream<Map<String, String>> nativeSettings() {
        return Stream.of(
                Map.of("STATE_DIR_NAME", "state"),
                // The other branches of the renderer: both delivery shares on (split_clients), one
                // server, a state folder whose path holds a space (paths quoted).
                Map.of(
                        "STATE_DIR_NAME",
                        "a state",
                        "SHADOW_PERCENT",
                        "10",
                        "CANARY_PERCENT",
                        "25",
                        "V1_REPLICAS",
                        "1"));
    }

    /**
     * The native stack's configuration as `make start-project` renders it (the same functions, in a
     * temporary state folder, its workers' user included), checked the way it checks it.
     */
    @ParameterizedTest
    @MethodSource("nativeSettings")
    void theNativeConfigurationPassesNginxT(Map<String, String> settings, @TempDir Path dir) throws IOException {
        // nginx's workers (www-data) reach the state folder, so the renderer keeps everything in it.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path state = dir.resolve(settings.get("STATE_DIR_NAME"));
        List<String> command = new ArrayList<>(List.of("env", "STATE_DIR=" + state, "GATEWAY_BIND=127.0.0.1"));
        settings.forEach((k, v) -> command.add(k + "=" + v));
        command.addAll(List.of(
                "bash",
                "-c",
                "set -e; source scripts/lib/settings.sh; source scripts/lib/progress.sh;"
                        + " source scripts/lib/nginx.sh; source scripts/lib/certs.sh; settings_validate; mkdir -p \"$LOG_DIR\";"
                        + " certs_ensure_gateway_certificate; nginx_render; certs_write_htpasswd"));
        KubernetesManifests.run(ROOT, 120, command.toArray(String[]::new));
        String what = "native " + settings;
        assertEverySettingSubstituted(what, state.resolve("nginx"));
        assertNginxAccepts(what, state.resolve("nginx/nginx.conf"), state.resolve("nginx"));
    }

    /**
     * A container's /etc/nginx, /var/log/nginx and /tmp, moved under DIR: the files name them by
     * absolute path, and a test may not write there.
     */
    private static String relocate(String text, Path dir) {
        Matcher m = Pattern.compile("(?<![\\w/.-])(/etc/nginx|/var/log/nginx|/tmp)(?=[/;\\s\"]|$)")
                .matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String to = switch (m.group(1)) {
                case "/etc/nginx" -> "etc";
                case "/var/log/nginx" -> "log";
                default -> "tmp";
            };
            m.appendReplacement(out, Matcher.quoteReplacement(dir.resolve(to).toString()));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * The upstream lists name the API servers by service name, which only the container network's
     * DNS answers (ContainerRoutingIT and ContainerKubernetesGatewayIT check that they do); nginx -t
     * resolves them, so here they stand for loopback.
     */
    private static String loopbackServers(String text) {
        return text.replaceAll("(?m)^(\\s*server\\s+)[a-z][a-z0-9-]*(:\\d+)", "$1127.0.0.1$2");
    }

    /**
     * The gateway image's start (docker/nginx/entrypoint.sh): every ${NAME} its templates use must
     * be set; templates/*.template go to conf.d, templates/upstreams/*.template to conf.d/upstreams.
     * Then nginx -t on MAIN, as the container runs it.
     */
    private static void renderAndCheckContainer(String what, Path dir, Path main, Map<String, String> env)
            throws IOException, InterruptedException {
        Path etc = dir.resolve("etc");
        Files.createDirectories(etc.resolve("conf.d"));
        Files.createDirectories(dir.resolve("log"));
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(etc.resolve("nginx.conf"), relocate(Files.readString(main), dir));
        Set<String> used = new TreeSet<>();
        try (Stream<Path> templates = Files.walk(etc.resolve("templates"))) {
            for (Path template :
                    templates.filter(p -> p.toString().endsWith(".template")).toList()) {
                Matcher m = SETTING.matcher(Files.readString(template));
                while (m.find()) {
                    used.add(m.group(1));
                }
            }
        }
        Set<String> unset = new TreeSet<>(used);
        unset.removeAll(env.keySet());
        assertEquals(Set.of(), unset, what + ": settings the templates use and the container does not set");
        Map<String, String> values = new LinkedHashMap<>(env);
        for (String sub : List.of("", "upstreams")) {
            Path from = etc.resolve("templates").resolve(sub);
            if (!Files.isDirectory(from)) {
                continue;
            }
            Path to = Files.createDirectories(etc.resolve("conf.d").resolve(sub));
            try (Stream<Path> templates = Files.list(from)) {
                for (Path template : templates
                        .filter(p -> p.toString().endsWith(".template"))
                        .toList()) {
                    String rendered = relocate(PrivateGateway.render(template, values), dir);
                    Files.writeString(
                            to.resolve(template.getFileName().toString().replace(".template", "")),
                            sub.isEmpty() ? rendered : loopbackServers(rendered));
                }
            }
        }
        // The certificate the container's secrets hold (gateway-secrets.sh, or a Kubernetes Secret).
        Path certs = Path.of(relocate(values.get("NGINX_CERT_DIR"), dir));
        Files.createDirectories(certs);
        PrivateGateway.selfSignedCertificate(certs.resolve("gateway.key"), certs.resolve("gateway.crt"));
        assertEverySettingSubstituted(what, etc);
        assertNginxAccepts(what, etc.resolve("nginx.conf"), etc);
    }

    private static void copyFolder(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
    }

    /** The Compose gateway: docker-compose.yml's mounts and its environment for the nginx service, defaults taken. */
    @Test
    void theComposeGatewayConfigurationPassesNginxT(@TempDir Path dir) throws IOException, InterruptedException {
        Map<String, Object> service = new ComposeProject().service("nginx");
        Map<String, String> env = new TreeMap<>();
        ComposeProject.map(service, "environment").forEach((k, v) -> env.put(k, ComposeProject.interpolate(v)));
        // stub_status listens on nginx's own alias on the status network, which only that network's DNS
        // answers (ContainerHardeningIT checks who reaches it): here it stands for loopback too.
        env.computeIfPresent("STUB_STATUS_LISTEN", (k, v) -> v.replaceFirst("^[a-z][a-z0-9-]*:", "127.0.0.1:"));
        Path etc = dir.resolve("etc");
        copyFolder(ROOT.resolve("nginx/templates"), etc.resolve("templates"));
        copyFolder(ROOT.resolve("nginx/snippets"), etc.resolve("snippets"));
        Files.createDirectories(etc.resolve("upstreams"));
        try (Stream<Path> lists = Files.list(ROOT.resolve("docker/nginx/upstreams"))) {
            for (Path list : lists.toList()) {
                Files.writeString(
                        etc.resolve("upstreams").resolve(list.getFileName()), loopbackServers(Files.readString(list)));
            }
        }
        renderAndCheckContainer("compose", dir, ROOT.resolve("docker/nginx/nginx.conf"), env);
    }

    /** Each Kubernetes overlay's gateway: the image's files (kubernetes/gateway/Dockerfile) and the overlay's environment. */
    @ParameterizedTest
    @MethodSource("org.mlgateway.e2e.KubernetesManifests#overlays")
    void everyKubernetesGatewayConfigurationPassesNginxT(String overlay, @TempDir Path dir)
            throws IOException, InterruptedException {
        Map<String, Object> nginx =
                KubernetesManifests.containers(KubernetesManifests.workload(overlay, "gateway")).stream()
                        .filter(c -> "nginx".equals(c.get("name")))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError(overlay + ": the gateway has no container nginx"));
        Map<String, String> env = new TreeMap<>();
        for (Map<String, Object> variable : KubernetesManifests.list(nginx, "env")) {
            env.put(String.valueOf(variable.get("name")), String.valueOf(variable.get("value")));
        }
        Path etc = dir.resolve("etc");
        copyFolder(ROOT.resolve("nginx/templates"), etc.resolve("templates"));
        copyFolder(ROOT.resolve("nginx/snippets"), etc.resolve("snippets"));
        copyFolder(ROOT.resolve("kubernetes/gateway/templates/upstreams"), etc.resolve("templates/upstreams"));
        for (String list : List.of("api-v1.conf", "api-v2.conf")) {
            Files.copy(
                    ROOT.resolve("docker/nginx/upstreams").resolve(list),
                    etc.resolve("templates/upstreams").resolve(list + ".template"));
        }
        Files.createSymbolicLink(etc.resolve("upstreams"), etc.resolve("conf.d/upstreams"));
        renderAndCheckContainer(
                "kubernetes " + overlay + " " + env, dir, ROOT.resolve("kubernetes/gateway/nginx.conf"), env);
    }

    // ---- the JSON error page ---------------------------------------------------------------------

    /**
     * Every status of the contract, as nginx's error_page hands it to the one JSON page: a test-only
     * server beside the gateway's, with the same error pages, answers /status/NNN with `return NNN`.
     * But 408: nginx answers a 408 of its own by closing the connection, with no page at all.
     */
    @Test
    void everyStatusOfTheContractIsAJsonErrorWithItsCodeAndASentence(@TempDir Path dir) throws Exception {
        int port = PrivateGateway.freePort();
        StringBuilder server = new StringBuilder(
                "server {\n    listen 127.0.0.1:" + port + ";\n    include snippets/error-pages.conf;\n");
        CONTRACT.keySet().stream()
                .filter(s -> s != 408)
                .forEach(s -> server.append("    location = /status/")
                        .append(s)
                        .append(" { return ")
                        .append(s)
                        .append("; }\n"));
        server.append("}\n");
        Map<String, String> settings = Map.of("GATEWAY_MAX_BODY_SIZE", "3k");
        try (PrivateGateway gateway =
                new PrivateGateway(dir, null, settings, 9, Map.of("99-statuses.conf", server.toString()))) {
            for (var entry : CONTRACT.entrySet()) {
                int status = entry.getKey();
                if (status == 408) {
                    continue;
                }
                RawHttps.Reply reply = PrivateGateway.sendHttp(
                        port, RawHttps.request("GET", "/status/" + status, List.of("Host: localhost"), null));
                String context = status + ": " + reply;
                assertEquals(SENT_AS_400.contains(status) ? 400 : status, reply.status(), context);
                assertTrue(reply.header("Content-Type").startsWith("application/json"), context);
                JsonNode body = GatewayCalls.JSON.readTree(reply.text());
                assertEquals(Set.of("error", "message"), fieldNames(body), context);
                assertEquals(entry.getValue(), body.path("error").asText(), context);
                String message = body.path("message").asText();
                assertTrue(message.length() >= 10 && message.endsWith("."), context + ": a sentence saying what to do");
                assertFalse(message.contains("$"), context + ": no nginx variable is left in the message");
                assertEquals(status == 405, reply.header("Allow") != null, context + ": Allow on 405 only");
                assertEquals(
                        status == 429 ? "1" : null, reply.header("Retry-After"), context + ": Retry-After on 429 only");
                if (status == 413) {
                    assertTrue(message.contains("3k"), context + ": the message names the limit in force");
                }
            }
            RawHttps.Reply page = PrivateGateway.sendHttp(
                    port, RawHttps.request("GET", "/_errors/404", List.of("Host: localhost"), null));
            assertEquals(404, page.status(), "clients cannot ask for the error page itself: " + page);

            // The body limit is the setting: 3 KiB passes to the (absent) server, one byte more does not.
            String auth = "Authorization: " + gateway.basicAuthorization();
            for (int size : List.of(3 * 1024, 3 * 1024 + 1)) {
                RawHttps.Reply reply = gateway.sendHttps(RawHttps.request(
                        "POST",
                        "/predict",
                        List.of("Host: localhost", auth, "Content-Type: application/json"),
                        "x".repeat(size).getBytes(StandardCharsets.UTF_8)));
                assertEquals(size > 3 * 1024 ? 413 : 502, reply.status(), size + " bytes: " + reply);
            }
        }
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
