package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Grafana cannot run here, but its dashboards are only PromQL: every panel query of every dashboard,
 * with Grafana's variables filled in, must return data from the live Prometheus.
 */
class GrafanaDashboardIT {

    /** What Grafana would put in place of its built-in and dashboard variables. */
    private static final Map<String, String> VARIABLES = Map.of(
            "$__rate_interval", "1m", "$__interval", "15s", "$__range", "15m", "${instance}", ".*", "$instance", ".*");

    static String substitute(String expr) {
        String result = expr;
        // Longest names first, so $__rate_interval is not cut by $__interval... or a prefix.
        List<String> names = VARIABLES.keySet().stream()
                .sorted((a, b) -> b.length() - a.length())
                .toList();
        for (String name : names) {
            result = result.replace(name, VARIABLES.get(name));
        }
        return result;
    }

    /** Titles of the panels about a candidate model, which has no data without one. */
    static final String CANDIDATE_PANELS = "Candidate:";

    /** The queries of every panel: those about a candidate (candidatePanels true) or all the others. */
    static Map<String, String> panelQueries(boolean candidatePanels) throws IOException {
        Map<String, String> queries = new LinkedHashMap<>();
        Path dir = StackEnv.projectRoot().resolve("grafana/dashboards");
        try (var files = Files.list(dir)) {
            for (Path file :
                    files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                JsonNode dashboard = new ObjectMapper().readTree(file.toFile());
                for (JsonNode panel : dashboard.path("panels")) {
                    // Candidate panels have data only while a candidate gets shadow traffic: ShadowAndCanaryIT runs
                    // them.
                    if (panel.path("title").asText().startsWith(CANDIDATE_PANELS) != candidatePanels) {
                        continue;
                    }
                    for (JsonNode target : panel.path("targets")) {
                        queries.put(
                                file.getFileName() + " / " + panel.path("title").asText() + " / "
                                        + target.path("refId").asText(),
                                target.path("expr").asText());
                    }
                }
            }
        }
        return queries;
    }

    @Test
    void everyPanelQueryReturnsData() throws IOException {
        Map<String, String> queries = panelQueries(false);
        assertFalse(queries.isEmpty(), "the dashboards hold panel queries");
        MonitoringTraffic.sendEveryKind();

        // Rates need two scrapes after the first request; the recording rules one evaluation more.
        Map<String, String> empty = PrometheusQueries.poll(
                Duration.ofSeconds(60),
                () -> {
                    Map<String, String> missing = new LinkedHashMap<>();
                    queries.forEach((panel, expr) -> {
                        String promql = substitute(expr);
                        if (promql.contains("$")
                                || PrometheusQueries.query(promql).isEmpty()) {
                            missing.put(panel, promql);
                        }
                    });
                    return missing;
                },
                Map::isEmpty);
        assertEquals(Map.of(), empty, "panel queries without data");
    }
}
