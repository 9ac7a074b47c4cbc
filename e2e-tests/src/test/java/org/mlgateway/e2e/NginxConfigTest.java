package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Static checks of the gateway's nginx/ files, so a broken policy shows before the stack starts:
 * every file says why it exists, every error nginx answers has a JSON page, only TLS 1.2 and 1.3 are
 * offered, only /predict is proxied, and the native renderer substitutes every setting the files use.
 */
class NginxConfigTest {

    private static final Path NGINX = StackEnv.projectRoot().resolve("nginx");
    private static final Pattern SETTING = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)}");

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

    @Test
    void everyFileOpensWithWhyItExists() throws IOException {
        List<Path> files = configFiles();
        assertTrue(files.size() >= 10, "nginx/ holds its configuration: " + files);
        for (Path file : files) {
            String first = Files.readAllLines(file).get(0);
            assertTrue(first.startsWith("# ") && first.length() > 20, file + " opens with a comment: " + first);
        }
    }

    @Test
    void everyErrorNginxAnswersHasAJsonPage() throws IOException {
        String pages = read("snippets/error-pages.conf");
        for (int status : List.of(400, 401, 403, 404, 405, 413, 414, 429, 494, 500, 502, 503, 504)) {
            assertTrue(pages.contains("error_page " + status + " /_errors/" + status + ";"), "error_page for " + status);
            Matcher page = Pattern.compile("location = /_errors/" + status + " \\{(.*?)\\n}", Pattern.DOTALL).matcher(pages);
            assertTrue(page.find(), "a page for " + status);
            assertTrue(page.group(1).contains("internal;"), status + " page is internal");
            assertTrue(page.group(1).contains("default_type application/json;"), status + " page is JSON");
            assertTrue(page.group(1).matches("(?s).*return \\d{3} '\\{\"error\":\"[a-z_]+\",\"message\":\"[^']+\"}\\\\n';.*"),
                    status + " page body: " + page.group(1));
        }
        assertTrue(pages.matches("(?s).*/_errors/429 \\{[^}]*add_header Retry-After \"1\" always;.*"), "429 carries Retry-After");
        assertTrue(pages.matches("(?s).*/_errors/405 \\{[^}]*add_header Allow \"POST\" always;.*"), "405 carries Allow");
    }

    @Test
    void onlyTls12And13AreOffered() throws IOException {
        assertTrue(read("snippets/tls-policy.conf").contains("\nssl_protocols TLSv1.2 TLSv1.3;\n"));
    }

    @Test
    void onlyPredictIsProxied() throws IOException {
        String gateway = read("templates/40-gateway.conf.template");
        Matcher locations = Pattern.compile("location ([^{]+)\\{").matcher(gateway);
        Set<String> proxied = new TreeSet<>();
        int proxyPasses = gateway.split("proxy_pass ", -1).length - 1;
        while (locations.find()) {
            String name = locations.group(1).trim();
            int start = locations.end();
            int end = gateway.indexOf("\n    }", start);
            if (gateway.substring(start, end).contains("proxy_pass")) {
                proxied.add(name);
            }
        }
        assertEquals(Set.of("= /predict"), proxied);
        assertEquals(1, proxyPasses, "one proxy_pass in the gateway");
    }

    @Test
    void theNativeRendererSubstitutesEverySettingTheFilesUse() throws IOException {
        String renderer = Files.readString(StackEnv.projectRoot().resolve("scripts/lib/nginx.sh"));
        Matcher list = Pattern.compile("NGINX_TEMPLATE_VARS='([^']*)'").matcher(renderer);
        assertTrue(list.find(), "scripts/lib/nginx.sh names the variables it substitutes");
        Set<String> substituted = new TreeSet<>();
        Matcher names = SETTING.matcher(list.group(1));
        while (names.find()) {
            substituted.add(names.group(1));
        }
        for (Path file : configFiles()) {
            Matcher used = SETTING.matcher(Files.readString(file));
            while (used.find()) {
                assertTrue(substituted.contains(used.group(1)), file + " uses ${" + used.group(1) + "}, which is not substituted");
            }
        }
    }
}
