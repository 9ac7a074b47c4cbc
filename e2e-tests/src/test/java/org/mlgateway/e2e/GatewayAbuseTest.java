package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an unauthenticated client can make the gateway do, checked on the project's nginx files in a
 * private nginx (PrivateGateway): every answer the gateway gives by itself (the port-80 redirect,
 * /gateway-health, 404, 405) is rate-limited like /predict, 429 past the burst, on a budget of its
 * own; no location of a public server answers before the limits; and what one request can write to
 * the access log is bounded, whatever it sends.
 */
class GatewayAbuseTest {

    /** A small budget, so a few quick requests exhaust it: 5 per second, a burst of 5. */
    private static final Map<String, String> SMALL_BUDGET = Map.of("RATE_LIMIT", "5", "RATE_BURST", "5");

    private record Probe(String name, String method, String target, boolean https, int status) {}

    @Test
    void everyAnswerOfTheGatewayItselfMeets429PastTheBurst(@TempDir Path dir) throws Exception {
        List<Probe> probes = List.of(
                new Probe("port 80 redirect", "GET", "/predict", false, 301),
                new Probe("/gateway-health", "GET", "/gateway-health", true, 200),
                new Probe("unknown path", "GET", "/no/such/thing", true, 404),
                new Probe("wrong method on /predict", "GET", "/predict", true, 405),
                new Probe("/predict in another form", "POST", "//predict", true, 404));
        try (PrivateGateway gateway = new PrivateGateway(dir, null, SMALL_BUDGET, 9)) {
            for (Probe probe : probes) {
                Map<Integer, Integer> statuses = new TreeMap<>();
                RawHttps.Reply refused = null;
                long began = System.nanoTime();
                for (int i = 0; i < 25; i++) {
                    byte[] request = RawHttps.request(
                            probe.method(),
                            probe.target(),
                            List.of("Host: localhost"),
                            probe.method().equals("POST") ? "{}".getBytes(StandardCharsets.UTF_8) : null);
                    RawHttps.Reply reply = probe.https() ? gateway.sendHttps(request) : gateway.sendHttp(request);
                    statuses.merge(reply.status(), 1, Integer::sum);
                    if (reply.status() == 429) {
                        refused = reply;
                    }
                }
                assertEquals(java.util.Set.of(probe.status(), 429), statuses.keySet(), probe.name() + ": " + statuses);
                double seconds = (System.nanoTime() - began) / 1e9;
                assertTrue(
                        statuses.get(probe.status()) <= 1 + 5 + Math.ceil(5 * seconds),
                        probe.name() + ": at most the burst and what the rate refills in " + seconds + " s: "
                                + statuses);
                assertEquals(
                        "too_many_requests",
                        GatewayCalls.JSON.readTree(refused.text()).path("error").asText(),
                        refused.toString());
                assertEquals("1", refused.header("Retry-After"), refused.toString());
                Thread.sleep(1_500); // the bucket drains before the next probe
            }
            // The API keeps a budget of its own: the refusals above spent none of it (auth passes; no server is there).
            assertEquals(
                    502,
                    gateway.predictStatus(gateway.user, gateway.password),
                    "/predict is not refused for the others' sake");
        }
    }

    /**
     * `return` answers in nginx's rewrite phase, before limit_req and limit_conn: in the servers that
     * face clients it may only stand where the limits already ran (named and internal locations).
     * Every such server sets both limits for the locations without their own.
     */
    @Test
    void noPublicLocationAnswersBeforeTheLimits() throws IOException {
        Path nginx = StackEnv.projectRoot().resolve("nginx");
        for (String server :
                List.of("templates/30-http-redirect.conf.template", "templates/40-gateway.conf.template")) {
            String text = Files.readString(nginx.resolve(server));
            assertTrue(
                    text.matches(
                            "(?s).*\\n    limit_req zone=gateway_answers [^\\n]*\\n    limit_conn gateway_answers_conn \\d+;.*"),
                    server + " limits every location without limits of its own");
            Matcher include =
                    Pattern.compile("(?m)^\\s*include (snippets/[^;]+);").matcher(text);
            StringBuilder all = new StringBuilder(text);
            while (include.find()) {
                all.append('\n').append(Files.readString(nginx.resolve(include.group(1))));
            }
            List<String> early = new ArrayList<>();
            for (String block : locations(all.toString())) {
                boolean limitsRan = block.startsWith("location @")
                        || block.contains("\n    internal;")
                        || block.contains("\ninternal;")
                        || block.matches("(?s)location [^{]*\\{\\s*internal;.*");
                if (!limitsRan && block.matches("(?s).*\\breturn\\s.*")) {
                    early.add(block.lines().findFirst().orElse(block));
                }
            }
            assertEquals(List.of(), early, server + ": locations that answer before the limits run");
        }
        assertTrue(
                Files.readString(nginx.resolve("snippets/canonical-uri.conf")).contains("rewrite ^ /_not_found last;"),
                "a /predict in another form is refused after the limits too");
    }

    /** The location blocks of a configuration text, each from `location` to its closing brace. */
    private static List<String> locations(String text) {
        List<String> blocks = new ArrayList<>();
        Matcher start = Pattern.compile("(?m)^\\s*location\\s").matcher(text);
        while (start.find()) {
            int open = text.indexOf('{', start.start());
            int depth = 0;
            int i = open;
            for (; i < text.length(); i++) {
                if (text.charAt(i) == '{') {
                    depth++;
                } else if (text.charAt(i) == '}' && --depth == 0) {
                    break;
                }
            }
            blocks.add(text.substring(start.start(), i + 1).strip());
        }
        return blocks;
    }

    /**
     * Client-sent text is cut to a few hundred bytes in the access log: a request with an 8 KiB
     * request line, User-Agent, experiment group and user name, all of control characters that JSON
     * must escape six-fold, still writes one line under 4 KiB, and an ordinary request about 500 bytes.
     */
    @Test
    void oneRequestWritesLessThan4KiBToTheAccessLog(@TempDir Path dir) throws Exception {
        String escaped = "\u0001".repeat(7_000);
        String user = "\u0002".repeat(4_000);
        try (PrivateGateway gateway = new PrivateGateway(dir, null, Map.of(), 9)) {
            gateway.sendHttps(RawHttps.request(
                    "POST",
                    "/predict",
                    List.of(
                            "Host: localhost",
                            "Authorization: Basic "
                                    + Base64.getEncoder()
                                            .encodeToString((gateway.user + ":" + gateway.password)
                                                    .getBytes(StandardCharsets.UTF_8)),
                            "Content-Type: application/json"),
                    "{\"sentence\": \"hi\"}".getBytes(StandardCharsets.UTF_8)));
            gateway.sendHttps(RawHttps.request(
                    "GET",
                    "/" + "a".repeat(7_500),
                    List.of(
                            "Host: localhost",
                            "User-Agent: " + escaped,
                            "X-Experiment-Group: " + escaped,
                            "Authorization: Basic "
                                    + Base64.getEncoder()
                                            .encodeToString((user + ":x").getBytes(StandardCharsets.ISO_8859_1))),
                    null));
            gateway.sendHttp(RawHttps.request(
                    "GET",
                    "/" + "b".repeat(7_500),
                    List.of("Host: localhost", "User-Agent: " + "U".repeat(7_000)),
                    null));

            List<String> lines = awaitLines(gateway.accessLog(), 3);
            JsonNode ordinary = GatewayCalls.JSON.readTree(lines.get(0));
            assertTrue(
                    lines.get(0).length() < 600,
                    "an ordinary request: " + lines.get(0).length() + " bytes: " + lines.get(0));
            assertEquals("POST /predict HTTP/1.1", ordinary.path("request").asText());
            for (String line : lines.subList(1, 3)) {
                byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
                assertTrue(bytes.length < 4096, "a line of " + bytes.length + " bytes");
                JsonNode entry = GatewayCalls.JSON.readTree(line);
                assertTrue(
                        entry.path("request").asText().endsWith("..."),
                        "the request line is cut and says so: " + entry.path("request"));
                assertEquals(256 + 3, entry.path("request").asText().length());
                assertEquals(200 + 3, entry.path("user_agent").asText().length(), "the User-Agent is cut to 200 bytes");
            }
            JsonNode abusive = GatewayCalls.JSON.readTree(lines.get(1));
            assertEquals(
                    32 + 3,
                    abusive.path("experiment_group").asText().length(),
                    "the experiment group is cut to 32 bytes");
            assertEquals(
                    64 + 3, abusive.path("remote_user").asText().length(), "the claimed user name is cut to 64 bytes");
            assertFalse(
                    lines.stream()
                            .anyMatch(
                                    l -> l.contains(
                                            "UUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUU")),
                    "no 7,000-byte User-Agent in the log");
        }
    }

    private static List<String> awaitLines(Path log, int count) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<String> lines = List.of();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && (lines = Files.readAllLines(log)).size() >= count) {
                return lines;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("expected " + count + " access log lines, found " + lines);
    }
}
