package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Grafana in compose is provisioned from grafana/: the datasource points at the compose Prometheus,
 * the dashboard provider's folder is mounted and holds dashboards, and every panel's datasource is
 * the provisioned one (by uid), so the dashboards show data without a click.
 */
class ComposeGrafanaTest {

    private static final Set<String> BUILT_IN = Set.of("-- Grafana --", "grafana", "-- Mixed --", "-- Dashboard --");

    private final ComposeProject compose = new ComposeProject();
    private final Map<String, Object> grafana = compose.service("grafana");

    private Path inContainer(String containerPath) {
        return compose.hostPathOf(grafana, containerPath)
                .orElseThrow(() -> new AssertionError(containerPath + " is not mounted from the repository"));
    }

    private static List<Path> yamlFiles(Path dir) throws IOException {
        assertTrue(Files.isDirectory(dir), dir + " exists");
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().matches(".*\\.ya?ml$"))
                    .sorted()
                    .toList();
        }
    }

    private List<Map<String, Object>> entries(String kind, String key) throws IOException {
        List<Map<String, Object>> entries = new ArrayList<>();
        for (Path file : yamlFiles(inContainer("/etc/grafana/provisioning").resolve(kind))) {
            ComposeProject.list(ComposeProject.loadYaml(file), key).forEach(e -> entries.add(ComposeProject.cast(e)));
        }
        assertFalse(entries.isEmpty(), "no " + key + " provisioned under grafana/provisioning/" + kind);
        return entries;
    }

    private Set<String> datasourceUids() throws IOException {
        Set<String> uids = new TreeSet<>();
        for (Map<String, Object> ds : entries("datasources", "datasources")) {
            Object uid = ds.get("uid");
            assertTrue(
                    uid != null && !String.valueOf(uid).isBlank(),
                    "datasource " + ds.get("name") + " needs a fixed uid");
            uids.add(String.valueOf(uid));
        }
        return uids;
    }

    private List<Path> dashboards() throws IOException {
        List<Path> dashboards = new ArrayList<>();
        for (Map<String, Object> provider : entries("dashboards", "providers")) {
            Object path = ComposeProject.map(provider, "options").get("path");
            assertTrue(path != null, "dashboard provider " + provider.get("name") + " has options.path");
            Path dir = inContainer(String.valueOf(path));
            assertTrue(Files.isDirectory(dir), "dashboard folder " + dir + " exists");
            try (Stream<Path> files = Files.walk(dir)) {
                files.filter(p -> p.toString().endsWith(".json")).sorted().forEach(dashboards::add);
            }
        }
        assertFalse(dashboards.isEmpty(), "the dashboard providers' folders hold no dashboard JSON");
        return dashboards;
    }

    @Test
    void datasourcesPointAtComposePrometheus() throws IOException {
        Map<String, List<Integer>> ports = compose.containerPorts();
        for (Map<String, Object> ds : entries("datasources", "datasources")) {
            if (!"prometheus".equals(ds.get("type"))) {
                continue;
            }
            URI url = URI.create(String.valueOf(ds.get("url")));
            assertTrue(
                    ports.containsKey(url.getHost()) && ports.get(url.getHost()).contains(url.getPort()),
                    "datasource " + ds.get("name") + " url " + url + " is no compose service:port " + ports);
        }
    }

    @Test
    void everyDashboardUsesTheProvisionedDatasource() throws IOException {
        Set<String> uids = datasourceUids();
        ObjectMapper json = new ObjectMapper();
        for (Path file : dashboards()) {
            JsonNode dashboard = json.readTree(file.toFile());
            Set<String> variables = new TreeSet<>();
            dashboard.path("templating").path("list").forEach(v -> {
                if ("datasource".equals(v.path("type").asText())) {
                    variables.add(v.path("name").asText());
                }
            });
            List<String> references = new ArrayList<>();
            collectDatasourceUids(dashboard, references);
            assertFalse(references.isEmpty(), file.getFileName() + " names no datasource");
            Set<String> unknown = new TreeSet<>();
            boolean usesProvisioned = false;
            for (String ref : references) {
                String variable = ref.replaceAll("^\\$\\{?([^}:]+).*$", "$1");
                if (uids.contains(ref)) {
                    usesProvisioned = true;
                } else if (!(BUILT_IN.contains(ref) || (ref.startsWith("$") && variables.contains(variable)))) {
                    unknown.add(ref);
                }
            }
            assertTrue(
                    unknown.isEmpty(),
                    file.getFileName() + " uses datasources that are not provisioned " + uids + ": " + unknown);
            assertTrue(
                    usesProvisioned || !variables.isEmpty(),
                    file.getFileName() + " never uses the provisioned datasource " + uids);
        }
    }

    /** Every "datasource": {"uid": …} or "datasource": "…" in the dashboard, at any depth. */
    private static void collectDatasourceUids(JsonNode node, List<String> out) {
        if (node.isObject()) {
            JsonNode ds = node.get("datasource");
            if (ds != null && ds.isObject() && ds.hasNonNull("uid")) {
                out.add(ds.get("uid").asText());
            } else if (ds != null && ds.isTextual()) {
                out.add(ds.asText());
            }
            node.fields().forEachRemaining(e -> collectDatasourceUids(e.getValue(), out));
        } else if (node.isArray()) {
            node.forEach(child -> collectDatasourceUids(child, out));
        }
    }

    @Test
    void grafanaDataIsAVolumeAndTheAdminPasswordIsASecret() {
        assertTrue(
                ComposeProject.mounts(grafana).stream()
                        .anyMatch(m -> !m.bind() && m.target().equals("/var/lib/grafana")),
                "Grafana's database lives in a named volume");
        Map<String, Object> env = ComposeProject.map(grafana, "environment");
        assertTrue(env.containsKey("GF_SECURITY_ADMIN_USER"), "the admin's name comes from the environment");
        assertFalse(
                env.containsKey("GF_SECURITY_ADMIN_PASSWORD"),
                "no password in the environment (no admin/admin default)");
        assertTrue(
                String.valueOf(env.get("GF_SECURITY_ADMIN_PASSWORD__FILE")).startsWith("/run/secrets/"),
                "the password is read from a Compose secret");
    }
}
