package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Static checks of the gateway's nginx/ files, so a broken policy shows before the stack starts:
 * every file says what it is about and links only to documentation; every error nginx answers
 * itself goes through the one JSON error page with a code and message from the error maps; the body
 * limit is the GATEWAY_MAX_BODY_SIZE setting; only TLS 1.2 and 1.3 are offered; only /predict is
 * proxied; and the native renderer substitutes every setting the files use.
 */
class NginxConfigTest {

    private static final Path NGINX = StackEnv.projectRoot().resolve("nginx");
    private static final Pattern SETTING = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)}");
    private static final String ERROR_PAGES = "snippets/error-pages.conf";
    private static final String ERROR_MAPS = "templates/15-error-responses.conf.template";
    private static final String GATEWAY = "templates/40-gateway.conf.template";

    /** The gateway's own errors as clients know them (docs/api.md#errors; GatewayErrorsIT, BadInputIT). */
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

    private static List<Path> configFiles() throws IOException {
        try (Stream<Path> files = Files.walk(NGINX)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".conf") || p.toString().endsWith(".template"))
                    .sorted().toList();
        }
    }

    private static String read(String relative) throws IOException {
        return Files.readString(NGINX.resolve(relative));
    }

    /** The configuration without comments, so a commented-out directive does not count. */
    private static String directives(String relative) throws IOException {
        return read(relative).replaceAll("(?m)^\\s*#.*$", "");
    }

    /** The entries of one `map $source $name { key value; ... }` block, keyed by status. */
    static Map<Integer, String> statusMap(String text, String name) {
        Matcher block = Pattern.compile("(?m)^map \\$(\\w+) \\$" + name + " \\{\\n(.*?)^}", Pattern.DOTALL).matcher(text);
        assertTrue(block.find(), "no map for $" + name);
        assertEquals("gateway_error_status", block.group(1), "$" + name + " is keyed by the error page's status");
        Map<Integer, String> entries = new TreeMap<>();
        Pattern entry = Pattern.compile("^\\s*(\\d{3})\\s+(?:\"([^\"]*)\"|([^\\s\";]+))\\s*;\\s*$");
        for (String line : block.group(2).split("\\n")) {
            if (line.isBlank() || line.strip().startsWith("#")) {
                continue;
            }
            Matcher m = entry.matcher(line);
            assertTrue(m.matches(), "$" + name + ": not a `status value;` line: " + line);
            String value = m.group(2) != null ? m.group(2) : m.group(3);
            assertTrue(entries.put(Integer.parseInt(m.group(1)), value) == null, "$" + name + ": " + m.group(1) + " twice");
        }
        return entries;
    }

    /** Status → the error_page line that handles it. */
    static Map<Integer, String> errorPages(String text) {
        Map<Integer, String> pages = new TreeMap<>();
        Matcher line = Pattern.compile("(?m)^error_page ((?:\\d{3} )+)(=\\d{3} )?(\\S+);$").matcher(text);
        while (line.find()) {
            for (String status : line.group(1).trim().split(" ")) {
                assertTrue(pages.put(Integer.parseInt(status), line.group()) == null, "two error_page lines for " + status);
            }
        }
        return pages;
    }

    @Test
    void everyFileOpensWithWhatItIsAbout() throws IOException {
        List<Path> files = configFiles();
        assertTrue(files.size() >= 10, "nginx/ holds its configuration: " + files);
        for (Path file : files) {
            String first = Files.readAllLines(file).get(0);
            assertTrue(first.startsWith("# ") && first.length() > 20, file + " opens with a comment: " + first);
        }
    }

    @Test
    void commentsLinkToTheDocumentationOnly() throws IOException {
        Set<String> hosts = Set.of("nginx.org", "ssl-config.mozilla.org", "wiki.mozilla.org", "developer.mozilla.org", "github.com");
        Pattern url = Pattern.compile("https?://[^\\s)]+");
        int links = 0;
        for (Path file : configFiles()) {
            for (String line : Files.readAllLines(file)) {
                if (!line.strip().startsWith("#")) {
                    continue;
                }
                Matcher m = url.matcher(line);
                while (m.find()) {
                    links++;
                    URI link = URI.create(m.group());
                    assertEquals("https", link.getScheme(), file + ": " + link);
                    assertTrue(hosts.contains(link.getHost()), file + " links to " + link);
                    if (link.getHost().equals("nginx.org")) {
                        assertTrue(link.getPath().startsWith("/en/docs/"), file + ": the English nginx docs: " + link);
                    }
                }
            }
        }
        assertTrue(links >= 20, "the non-obvious choices link to their documentation: " + links + " links");
    }

    @Test
    void theErrorPagesAreOneInternalJsonLocationPrintingTheMaps() throws IOException {
        String pages = directives(ERROR_PAGES);
        Matcher locations = Pattern.compile("(?m)^location (.+?) \\{$(.*?)^}", Pattern.DOTALL).matcher(pages);
        assertTrue(locations.find(), "error-pages.conf has a location");
        assertEquals("~ \"^/_errors/(?<gateway_error_status>[0-9]{3})$\"", locations.group(1),
                "the page's URI carries the status the maps are keyed by");
        String body = locations.group(2);
        assertFalse(locations.find(), "one location serves every error: " + pages);
        assertTrue(body.contains("\n    internal;\n"), "clients cannot ask for the page itself");
        assertTrue(body.contains("\n    default_type application/json;\n"), "the page is JSON");
        assertTrue(body.contains("\n    return 200 '{\"error\":\"$gateway_error_code\",\"message\":\"$gateway_error_message\"}\\n';\n"),
                "the body is {\"error\": code, \"message\": message}: " + body);
        assertFalse(body.contains("add_header"), "an add_header in the location would drop the server's security headers");
    }

    @Test
    void everyStatusInTheErrorMapHasACodeAndAJsonSafeMessage() throws IOException {
        String maps = read(ERROR_MAPS);
        Map<Integer, String> codes = statusMap(maps, "gateway_error_code");
        Map<Integer, String> messages = statusMap(maps, "gateway_error_message");
        assertEquals(CONTRACT, codes, "the error codes clients rely on");
        assertEquals(codes.keySet(), messages.keySet(), "every status has both a code and a message");
        messages.forEach((status, message) -> {
            assertTrue(message.length() >= 10 && message.endsWith("."), status + ": a sentence saying what to do: " + message);
            assertFalse(message.contains("\"") || message.contains("\\"), status + ": the message is JSON string content: " + message);
            assertFalse(message.replaceAll(SETTING.pattern(), "").contains("$"),
                    status + ": a message names settings (${...}), never a request's variables: " + message);
        });
    }

    @Test
    void everyErrorPageStatusIsCoveredByTheMap() throws IOException {
        Map<Integer, String> pages = errorPages(directives(ERROR_PAGES));
        Map<Integer, String> codes = statusMap(read(ERROR_MAPS), "gateway_error_code");
        assertEquals(codes.keySet(), pages.keySet(), "error_page statuses and error map statuses");
        pages.forEach((status, line) -> {
            assertTrue(line.endsWith(" /_errors/$status;") || line.endsWith(" /_errors/" + status + ";"),
                    status + " goes to the page of its own status: " + line);
            assertEquals(SENT_AS_400.contains(status), line.contains(" =400 "), status + " on the wire: " + line);
            if (line.endsWith("/$status;")) {
                assertFalse(line.contains(" ="), "with =code, $status would no longer be " + status + ": " + line);
            }
        });
    }

    @Test
    void onlyTheirOwnPagesCarryAllowAndRetryAfter() throws IOException {
        String maps = read(ERROR_MAPS);
        assertEquals(Map.of(405, "POST"), statusMap(maps, "gateway_error_allow"));
        assertEquals(Map.of(429, "1"), statusMap(maps, "gateway_error_retry_after"));
        String pages = directives(ERROR_PAGES);
        assertTrue(pages.contains("\nadd_header Allow $gateway_error_allow always;\n"), "405 carries Allow");
        assertTrue(pages.contains("\nadd_header Retry-After $gateway_error_retry_after always;\n"), "429 carries Retry-After");
        assertTrue(directives(GATEWAY).contains("\n    include snippets/security-headers.conf;\n"),
                "the security headers are at server level beside them");
    }

    @Test
    void theBodyLimitIsTheSettingAndThe413MessageNamesIt() throws IOException {
        String gateway = directives(GATEWAY);
        assertTrue(gateway.contains("\n    client_max_body_size    ${GATEWAY_MAX_BODY_SIZE};\n"), "the limit is the setting");
        assertTrue(gateway.contains("\n    client_body_buffer_size ${GATEWAY_MAX_BODY_SIZE};\n"), "an accepted body stays in memory");
        assertEquals("The request body is larger than ${GATEWAY_MAX_BODY_SIZE}.",
                statusMap(read(ERROR_MAPS), "gateway_error_message").get(413));
        for (Path file : configFiles()) {
            if (!file.equals(NGINX.resolve(GATEWAY))) {
                assertFalse(Files.readString(file).matches("(?s).*\\n\\s*client_max_body_size .*"), file + " sets a body limit of its own");
            }
        }
        String stackEnv = Files.readString(StackEnv.projectRoot().resolve("stack.env"));
        assertTrue(stackEnv.matches("(?s).*\\nGATEWAY_MAX_BODY_SIZE=\\d+[km]?\\n.*"), "stack.env defines GATEWAY_MAX_BODY_SIZE");
    }

    @Test
    void onlyTls12And13AreOffered() throws IOException {
        assertTrue(read("snippets/tls-policy.conf").contains("\nssl_protocols TLSv1.2 TLSv1.3;\n"));
    }

    @Test
    void onlyPredictIsProxied() throws IOException {
        String gateway = read(GATEWAY);
        Matcher locations = Pattern.compile("location ([^{]+)\\{").matcher(gateway);
        Set<String> proxied = new TreeSet<>();
        int proxyPasses = gateway.split("\\n\\s*proxy_pass ", -1).length - 1;
        while (locations.find()) {
            String name = locations.group(1).trim();
            int start = locations.end();
            int end = gateway.indexOf("\n    }", start);
            if (gateway.substring(start, end).contains("proxy_pass ")) {
                proxied.add(name);
            }
        }
        assertEquals(Set.of("= /predict"), proxied);
        assertEquals(1, proxyPasses, "one proxy_pass in the gateway");
    }

    /**
     * The names scripts/lib/nginx.sh hands to envsubst: an explicit NGINX_TEMPLATE_VARS list, or every
     * key of stack.env (settings_keys) plus its NGINX_RENDER_VARS.
     */
    private static Set<String> substitutedByTheNativeRenderer() throws IOException {
        String renderer = Files.readString(StackEnv.projectRoot().resolve("scripts/lib/nginx.sh"));
        Set<String> substituted = new TreeSet<>();
        Matcher list = Pattern.compile("NGINX_TEMPLATE_VARS='([^']*)'").matcher(renderer);
        if (list.find()) {
            Matcher names = SETTING.matcher(list.group(1));
            while (names.find()) {
                substituted.add(names.group(1));
            }
        }
        Matcher array = Pattern.compile("NGINX_RENDER_VARS=\\(([^)]*)\\)").matcher(renderer);
        if (array.find()) {
            substituted.addAll(List.of(array.group(1).trim().split("\\s+")));
            if (renderer.contains("$(settings_keys)")) {
                Files.readAllLines(StackEnv.projectRoot().resolve("stack.env")).stream()
                        .map(l -> l.replaceFirst("=.*", "")).filter(k -> k.matches("[A-Za-z_][A-Za-z0-9_]*"))
                        .forEach(substituted::add);
            }
        }
        assertFalse(substituted.isEmpty(), "scripts/lib/nginx.sh names the variables it substitutes");
        return substituted;
    }

    @Test
    void theNativeRendererSubstitutesEverySettingTheFilesUse() throws IOException {
        Set<String> substituted = substitutedByTheNativeRenderer();
        Map<String, Set<String>> missing = new TreeMap<>();
        for (Path file : configFiles()) {
            Matcher used = SETTING.matcher(Files.readString(file));
            while (used.find()) {
                if (!substituted.contains(used.group(1))) {
                    missing.computeIfAbsent(used.group(1), k -> new TreeSet<>()).add(NGINX.relativize(file).toString());
                }
            }
        }
        assertTrue(missing.isEmpty(), "settings the native renderer does not substitute: " + missing.entrySet().stream()
                .map(e -> "${" + e.getKey() + "} in " + e.getValue()).collect(Collectors.joining("; ")));
    }
}
