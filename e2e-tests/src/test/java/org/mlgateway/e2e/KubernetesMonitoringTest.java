package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mlgateway.e2e.KubernetesManifests.cast;
import static org.mlgateway.e2e.KubernetesManifests.id;
import static org.mlgateway.e2e.KubernetesManifests.list;
import static org.mlgateway.e2e.KubernetesManifests.map;
import static org.mlgateway.e2e.KubernetesManifests.name;
import static org.mlgateway.e2e.KubernetesManifests.ofKind;
import static org.mlgateway.e2e.KubernetesManifests.podLabels;
import static org.mlgateway.e2e.KubernetesManifests.selects;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Monitoring on a cluster is the project's monitoring: the PrometheusRules are prometheus/rules/*.yml,
 * the dashboard ConfigMap is grafana/dashboards/, and the PodMonitors scrape real pods with the
 * job names the rules query.
 */
class KubernetesMonitoringTest {

    static final List<String> OVERLAYS = KubernetesManifests.OVERLAYS;
    private static final Path ROOT = StackEnv.projectRoot();

    private static List<Path> files(String dir, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(ROOT.resolve(dir))) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix))
                    .sorted()
                    .toList();
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void thePrometheusRulesAreTheRuleFiles(String overlay) throws IOException {
        Map<String, Object> rendered = new LinkedHashMap<>();
        ofKind(overlay, "PrometheusRule")
                .forEach(r ->
                        rendered.put(name(r), whitespaceFolded(map(r, "spec").get("groups"))));
        Map<String, Object> sources = new LinkedHashMap<>();
        for (Path file : files("prometheus/rules", ".yml")) {
            Map<String, Object> content = cast(KubernetesManifests.loadYaml(Files.readString(file)));
            assertEquals(List.of("groups"), List.copyOf(content.keySet()), file + " holds more than groups");
            sources.put(
                    "ml-gateway-" + file.getFileName().toString().replace(".yml", ""),
                    whitespaceFolded(content.get("groups")));
        }
        assertFalse(sources.isEmpty(), "prometheus/rules holds no *.yml");
        assertEquals(
                sources, rendered, overlay + ": the PrometheusRules' spec.groups differ from prometheus/rules/*.yml");
    }

    /**
     * The same structure with each string's runs of white space folded to one space. YAML parsers
     * disagree on folded scalars (`expr: >`) with more-indented lines: go-yaml, which Kustomize, the
     * Prometheus Operator and Prometheus all use, keeps an extra line break that SnakeYAML (this test)
     * does not. PromQL and the annotations ignore such white space; names, values, order and
     * structure still compare exactly.
     */
    static Object whitespaceFolded(Object value) {
        if (value instanceof String s) {
            return s.replaceAll("\\s+", " ").trim();
        }
        if (value instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k, whitespaceFolded(v)));
            return out;
        }
        if (value instanceof List<?> l) {
            return l.stream().map(KubernetesMonitoringTest::whitespaceFolded).toList();
        }
        return value;
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theDashboardConfigMapIsTheDashboardFolder(String overlay) throws IOException {
        List<Map<String, Object>> dashboards = ofKind(overlay, "ConfigMap").stream()
                .filter(c -> "1".equals(map(map(c, "metadata"), "labels").get("grafana_dashboard")))
                .toList();
        assertEquals(1, dashboards.size(), overlay + ": one ConfigMap labelled grafana_dashboard: \"1\"");
        Map<String, Object> data = map(dashboards.get(0), "data");
        Map<String, String> expected = new LinkedHashMap<>();
        for (Path file : files("grafana/dashboards", ".json")) {
            expected.put(file.getFileName().toString(), Files.readString(file));
        }
        assertEquals(
                expected.keySet(),
                data.keySet(),
                overlay + ": dashboards in the ConfigMap vs grafana/dashboards/*.json");
        ObjectMapper json = new ObjectMapper();
        for (Map.Entry<String, String> file : expected.entrySet()) {
            assertEquals(
                    json.readTree(file.getValue()),
                    json.readTree(String.valueOf(data.get(file.getKey()))),
                    overlay + ": " + file.getKey() + " in the ConfigMap differs from grafana/dashboards/");
            assertEquals(
                    file.getValue(),
                    data.get(file.getKey()),
                    overlay + ": " + file.getKey() + " is not byte for byte the file");
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void podMonitorsScrapeRealPodsUnderTheJobNamesTheRulesUse(String overlay) {
        Map<String, String> jobs = new LinkedHashMap<>();
        for (Map<String, Object> monitor : ofKind(overlay, "PodMonitor")) {
            Map<String, Object> selector = map(map(monitor, "spec"), "selector");
            List<Map<String, Object>> pods = ofKind(overlay, "Deployment").stream()
                    .filter(d -> selects(map(selector, "matchLabels"), podLabels(d)))
                    .toList();
            assertFalse(pods.isEmpty(), id(monitor) + " selects no pod template");
            for (Map<String, Object> endpoint : list(map(monitor, "spec"), "podMetricsEndpoints")) {
                for (Map<String, Object> pod : pods) {
                    boolean declared = KubernetesManifests.containers(pod).stream()
                            .flatMap(c -> list(c, "ports").stream())
                            .anyMatch(p -> endpoint.get("port").equals(p.get("name")));
                    assertTrue(
                            declared,
                            id(monitor) + " scrapes port " + endpoint.get("port") + ", which " + id(pod)
                                    + " does not name");
                }
                list(endpoint, "relabelings").stream()
                        .filter(r -> "job".equals(r.get("targetLabel")))
                        .forEach(r -> jobs.put(String.valueOf(r.get("replacement")), name(monitor)));
            }
        }
        assertTrue(
                jobs.keySet().containsAll(List.of("liberty", "nginx")),
                overlay + ": jobs " + jobs + " lack liberty or nginx");
    }
}
