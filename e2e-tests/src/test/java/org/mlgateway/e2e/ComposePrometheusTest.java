package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Prometheus in compose reads a configuration that exists in the repository, and every target it
 * scrapes is a compose service on a port that service listens on; every metrics source is scraped.
 */
class ComposePrometheusTest {

    private final ComposeProject compose = new ComposeProject();
    private final Map<String, Object> prometheus = compose.service("prometheus");

    private Map<String, String> flags() {
        Map<String, String> flags = new LinkedHashMap<>();
        for (Object arg : ComposeProject.list(prometheus, "command")) {
            String[] kv = String.valueOf(arg).split("=", 2);
            flags.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        return flags;
    }

    private Path configFile() {
        String containerPath = flags().get("--config.file");
        assertTrue(containerPath != null && !containerPath.isEmpty(), "prometheus command sets --config.file");
        Path config = compose.hostPathOf(prometheus, containerPath)
                .orElseThrow(() -> new AssertionError(containerPath + " is not mounted from the repository"));
        assertTrue(Files.isRegularFile(config), "Prometheus config " + config + " exists");
        return config;
    }

    /** host:port pairs of every target in the compose configuration, as "job -> host:port". */
    private List<String[]> targets() {
        List<String[]> targets = new ArrayList<>();
        Map<String, Object> config = ComposeProject.loadYaml(configFile());
        for (Object raw : ComposeProject.list(config, "scrape_configs")) {
            Map<String, Object> job = ComposeProject.cast(raw);
            String name = String.valueOf(job.get("job_name"));
            assertTrue(
                    ComposeProject.list(job, "file_sd_configs").isEmpty(),
                    name + ": compose has no file_sd target files; use service names");
            for (Object sc : ComposeProject.list(job, "static_configs")) {
                for (Object target : ComposeProject.list(ComposeProject.cast(sc), "targets")) {
                    String[] hostPort = String.valueOf(target).split(":");
                    targets.add(new String[] {name, hostPort[0], hostPort.length > 1 ? hostPort[1] : "80"});
                }
            }
            for (Object dns : ComposeProject.list(job, "dns_sd_configs")) {
                Map<String, Object> sd = ComposeProject.cast(dns);
                for (Object host : ComposeProject.list(sd, "names")) {
                    targets.add(new String[] {name, String.valueOf(host), String.valueOf(sd.get("port"))});
                }
            }
        }
        return targets;
    }

    @Test
    void readsItsConfigurationConsolesAndRulesFromTheRepository() {
        Path config = configFile();
        for (String flag : List.of("--web.console.libraries", "--web.console.templates")) {
            String containerPath = flags().get(flag);
            if (containerPath != null) {
                Path dir = compose.hostPathOf(prometheus, containerPath)
                        .orElseThrow(() -> new AssertionError(flag + " " + containerPath + " is not mounted"));
                assertTrue(Files.isDirectory(dir), flag + " " + dir + " exists");
            }
        }
        for (Object ruleGlob : ComposeProject.list(ComposeProject.loadYaml(config), "rule_files")) {
            Path dir = config.getParent().resolve(String.valueOf(ruleGlob)).getParent();
            assertTrue(Files.isDirectory(dir), "rule_files folder " + dir + " exists");
        }
    }

    @Test
    void everyTargetIsAComposeServiceOnAPortItListensOn() {
        Map<String, List<Integer>> ports = compose.containerPorts();
        List<String> wrong = new ArrayList<>();
        for (String[] target : targets()) {
            // Prometheus scrapes itself on localhost.
            String service = target[1].equals("localhost") ? "prometheus" : target[1];
            int port = Integer.parseInt(target[2]);
            if (!ports.containsKey(service) || !ports.get(service).contains(port)) {
                wrong.add(target[0] + " -> " + target[1] + ":" + target[2]);
            }
        }
        assertTrue(wrong.isEmpty(), "targets that are no compose service:port " + ports + ": " + wrong);
    }

    @Test
    void everyMetricsSourceIsScraped() {
        Set<String> scraped = new TreeSet<>();
        targets().forEach(t -> scraped.add(t[1]));
        assertTrue(
                scraped.containsAll(Set.of("api-v1", "api-v2", "nginx-exporter")),
                "compose Prometheus scrapes " + scraped);
    }

    @Test
    void theV1ReplicasAreFoundThroughDnsSoEachOneIsScraped() {
        Map<String, Object> config = ComposeProject.loadYaml(configFile());
        boolean dnsForV1 = ComposeProject.list(config, "scrape_configs").stream()
                .flatMap(job -> ComposeProject.list(ComposeProject.cast(job), "dns_sd_configs").stream())
                .anyMatch(sd ->
                        ComposeProject.list(ComposeProject.cast(sd), "names").contains("api-v1"));
        assertTrue(dnsForV1, "a static api-v1:9080 target would scrape one replica at random each time");
    }

    @Test
    void theTsdbLivesInAVolume() throws IOException {
        String tsdb = flags().get("--storage.tsdb.path");
        assertTrue(
                ComposeProject.mounts(prometheus).stream()
                        .anyMatch(m -> !m.bind() && m.target().equals(tsdb)),
                "--storage.tsdb.path " + tsdb + " is a named volume");
        Path mountedDir = compose.hostPathOf(prometheus, "/etc/prometheus").orElseThrow();
        try (Stream<Path> files = Files.list(mountedDir)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().equals("wal")), "no TSDB in the repository");
        }
        assertEquals(compose.root.resolve("prometheus"), mountedDir);
    }
}
