package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.yaml.snakeyaml.Yaml;

/**
 * The monitoring files agree with each other: the dashboard and the console page plot only series
 * the recording rules define, the dashboard has the panels docs/monitoring.md describes, and every alert
 * has promtool unit tests where it fires and where it stays silent.
 */
class MonitoringFilesTest {

    private static final Pattern RECORDED_SERIES = Pattern.compile("\\b[a-z_]+:[a-z0-9_]+:[a-z0-9_]+\\b");
    private static final Path PROMETHEUS = StackEnv.projectRoot().resolve("prometheus");

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object value) {
        return (T) value;
    }

    private static List<Object> list(Map<String, Object> parent, String key) {
        Object value = parent == null ? null : parent.get(key);
        return value instanceof List<?> items ? new ArrayList<>(items) : List.of();
    }

    private static List<Map<String, Object>> rules() throws IOException {
        List<Map<String, Object>> rules = new ArrayList<>();
        try (Stream<Path> files = Files.list(PROMETHEUS.resolve("rules"))) {
            for (Path file :
                    files.filter(p -> p.toString().endsWith(".yml")).sorted().toList()) {
                Map<String, Object> doc = new Yaml().load(Files.readString(file));
                for (Object group : list(doc, "groups")) {
                    list(cast(group), "rules").forEach(r -> rules.add(cast(r)));
                }
            }
        }
        return rules;
    }

    private static Set<String> recordedNames() throws IOException {
        Set<String> names = new TreeSet<>();
        rules().stream().filter(r -> r.containsKey("record")).forEach(r -> names.add(String.valueOf(r.get("record"))));
        return names;
    }

    private static Set<String> seriesUsedIn(String text) {
        Set<String> used = new TreeSet<>();
        Matcher m = RECORDED_SERIES.matcher(text);
        while (m.find()) {
            used.add(m.group());
        }
        return used;
    }

    private static JsonNode dashboard() throws IOException {
        return new ObjectMapper()
                .readTree(StackEnv.projectRoot()
                        .resolve("grafana/dashboards/ml-gateway.json")
                        .toFile());
    }

    @Test
    void dashboardAndConsolePlotOnlyRecordedSeries() throws IOException {
        Set<String> recorded = recordedNames();
        StringBuilder exprs = new StringBuilder();
        dashboard()
                .path("panels")
                .forEach(p -> p.path("targets")
                        .forEach(t -> exprs.append(t.path("expr").asText()).append('\n')));
        Set<String> fromDashboard = seriesUsedIn(exprs.toString());
        Set<String> fromConsole = seriesUsedIn(Files.readString(PROMETHEUS.resolve("consoles/ml-gateway.html")));
        assertTrue(!fromDashboard.isEmpty() && !fromConsole.isEmpty(), "both use recording rules");
        fromDashboard.removeAll(recorded);
        fromConsole.removeAll(recorded);
        assertEquals(Set.of(), fromDashboard, "dashboard series no rule records");
        assertEquals(Set.of(), fromConsole, "console series no rule records");
    }

    @Test
    void dashboardHasThePanelsOfTheIssue() throws IOException {
        JsonNode dashboard = dashboard();
        assertEquals("ML gateway", dashboard.path("title").asText());
        List<String> titles = new ArrayList<>();
        dashboard.path("panels").forEach(p -> titles.add(p.path("title").asText()));
        assertEquals(
                List.of(
                        "Requests/s by status",
                        "401 and 429 refusals",
                        "Requests per v1 server (balancing)",
                        "v1 vs v2 traffic",
                        "Predictions by label",
                        "Inference latency p50 / p95 / p99",
                        "JVM heap used per server",
                        "Targets up/down",
                        "Prediction drift per server",
                        "Candidate: agreement with the champion",
                        "Candidate: label pairs and probability difference"),
                titles);
    }

    @Test
    void everyAlertIsUnitTestedFiringAndSilent() throws IOException {
        Map<String, int[]> cases = new TreeMap<>(); // alert -> {firing, silent}
        rules().stream()
                .filter(r -> r.containsKey("alert"))
                .forEach(r -> cases.put(String.valueOf(r.get("alert")), new int[2]));
        try (Stream<Path> files = Files.list(PROMETHEUS.resolve("tests"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".yml")).toList()) {
                Map<String, Object> doc = new Yaml().load(Files.readString(file));
                for (Object test : list(doc, "tests")) {
                    for (Object raw : list(cast(test), "alert_rule_test")) {
                        Map<String, Object> check = cast(raw);
                        int[] counts = cases.get(String.valueOf(check.get("alertname")));
                        if (counts != null) {
                            counts[list(check, "exp_alerts").isEmpty() ? 1 : 0]++;
                        }
                    }
                }
            }
        }
        assertTrue(cases.size() >= 5, "alerts: " + cases.keySet());
        List<String> untested = new ArrayList<>();
        cases.forEach((alert, counts) -> {
            if (counts[0] == 0 || counts[1] == 0) {
                untested.add(alert + " (firing " + counts[0] + ", silent " + counts[1] + ")");
            }
        });
        assertEquals(List.of(), untested, "alerts without both kinds of promtool test");
    }
}
