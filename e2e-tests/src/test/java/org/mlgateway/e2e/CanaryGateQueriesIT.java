package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The PromQL of make canary's gates, exactly as scripts/canary.sh sends it (`canary.sh queries`, from
 * delivery/canary.yaml), run by promtool with the project's recording rules on series of known
 * content: agreement, 5xx ratio, p99 ratio and the Jensen-Shannon divergence of label
 * distributions, the last with labels on one side only. The expected values are computed here from
 * the same counts. The candidate's requests are /predict and the Open Inference
 * Protocol's inference alike: both count in the request and 5xx gates. A gate's judged query has the value once its requests reach minRequests and no
 * value before. Needs promtool, which the stack installs.
 */
class CanaryGateQueriesIT {

    private static final Path WORK = StackEnv.projectRoot().resolve("e2e-tests/target/canary-gates");
    private static final String CAND = "job=\"liberty\",instance_name=\"api-candidate\",role=\"candidate\"";
    private static final String CHAMP = "job=\"liberty\",role=\"champion\",instance_name=\"api-v1-";

    /** phase/name/kind to the query canary.sh prints, for a phase of 60 s and a champion window of 600 s. */
    private static Map<String, String> queries(Path analysis, String phase) throws Exception {
        Path out = WORK.resolve("queries-" + phase + ".tsv");
        assertEquals(
                0,
                StackServers.runScript(
                        out,
                        Map.of("CANARY_ANALYSIS", analysis.toString()),
                        Duration.ofSeconds(60),
                        "scripts/canary.sh",
                        "queries",
                        phase,
                        "60",
                        "600",
                        "cand9"),
                "canary.sh queries:\n" + Files.readString(out));
        Map<String, String> queries = new LinkedHashMap<>();
        for (String line : Files.readAllLines(out)) {
            String[] f = line.split("\t", 3);
            if (f.length == 3) {
                queries.put(phase + "/" + f[0] + "/" + f[1], f[2]);
            }
        }
        assertFalse(queries.isEmpty(), "canary.sh printed no query:\n" + Files.readString(out));
        return queries;
    }

    @Test
    void everyGateComputesWhatItsNameSaysOnKnownSeries() throws Exception {
        Files.createDirectories(WORK);
        // The champion's p99 counted as at least 1 ms, so the ratio compares the two measured p99s.
        Path analysis = DeliveryAnalysis.variant(
                WORK.resolve("analysis.yaml"),
                a -> DeliveryAnalysis.section(a, "args").put("p99-floor-seconds", "0.001"));
        Map<String, String> query = new LinkedHashMap<>(queries(analysis, "shadow"));
        query.putAll(queries(analysis, "canary"));

        // Counts per 5-s scrape: the candidate predicts love 6, worry 3, neutral 1; the two champion
        // servers together love 8, worry 4, sadness 2 (neutral on one side only, sadness on the other).
        Map<String, Integer> candidate = Map.of("love", 6, "worry", 3, "neutral", 1);
        Map<String, Integer> champion = Map.of("love", 8, "worry", 4, "sadness", 2);
        StringBuilder series = new StringBuilder();
        candidate.forEach((label, perScrape) ->
                series(series, "predictions_total{" + CAND + ",label=\"" + label + "\"}", perScrape));
        champion.forEach((label, perScrape) -> {
            series(series, "predictions_total{" + CHAMP + "1\",label=\"" + label + "\"}", perScrape / 2);
            series(series, "predictions_total{" + CHAMP + "2\",label=\"" + label + "\"}", perScrape - perScrape / 2);
        });
        // 3 of 4 mirrored requests agree (480 compared after 10 minutes); another candidate's never do.
        String versions = "champion_version=\"champ1\",candidate_version=";
        series(series, "shadow_comparisons_total{" + CAND + "," + versions + "\"cand9\",agree=\"true\"}", 3);
        series(series, "shadow_comparisons_total{" + CAND + "," + versions + "\"cand9\",agree=\"false\"}", 1);
        series(series, "shadow_comparisons_total{" + CAND + "," + versions + "\"other\",agree=\"false\"}", 5);
        // 1 of 20 answers is a 500: 240 requests in 60 s.
        series(
                series,
                "http_server_request_duration_seconds_count{" + CAND
                        + ",http_route=\"/predict\",http_response_status_code=\"200\"}",
                19);
        series(
                series,
                "http_server_request_duration_seconds_count{" + CAND
                        + ",http_route=\"/predict\",http_response_status_code=\"500\"}",
                1);
        // The protocol's inference (one request per batch): 2 of 20 answers a 500; with /predict, 480 requests in 60 s,
        // 3 of 40 a 500.
        String infer = "http_route=\"/v2/models/{model}/infer\"";
        series(
                series,
                "http_server_request_duration_seconds_count{" + CAND + "," + infer
                        + ",http_response_status_code=\"200\"}",
                18);
        series(
                series,
                "http_server_request_duration_seconds_count{" + CAND + "," + infer
                        + ",http_response_status_code=\"500\"}",
                2);
        // Latency: the candidate's 90 % within 5 ms, 99 % within 10 ms (p99 10 ms); the champion's
        // 90 % within 10 ms, 99 % within 20 ms (p99 20 ms).
        buckets(series, CAND, new String[][] {{"0.005", "90"}, {"0.01", "99"}, {"0.025", "100"}, {"+Inf", "100"}});
        buckets(series, CHAMP + "1\"", new String[][] {{"0.01", "90"}, {"0.02", "99"}, {"0.05", "100"}, {"+Inf", "100"}
        });

        Map<String, Double> expected = new LinkedHashMap<>();
        expected.put("shadow/agreement/query", 0.75);
        expected.put("shadow/agreement/requests", 4.0 * 120);
        expected.put("shadow/agreement/judged", null); // 480 compared, fewer than minRequests 500
        expected.put("shadow/error_ratio/query", 3.0 / 40);
        expected.put("shadow/error_ratio/requests", 480.0);
        expected.put("shadow/error_ratio/judged", null); // 480 requests, fewer than 500
        expected.put("canary/error_ratio/query", 3.0 / 40);
        expected.put("canary/error_ratio/judged", 3.0 / 40); // 480 requests, at least 50
        expected.put("canary/p99_ratio/query", 0.5);
        expected.put("canary/p99_ratio/judged", 0.5);
        expected.put("canary/divergence_bits/query", jensenShannonBits(candidate, champion));
        expected.put("canary/divergence_bits/judged", jensenShannonBits(candidate, champion));
        StringBuilder tests = new StringBuilder("rule_files:\n  - ")
                .append(StackEnv.projectRoot().resolve("prometheus/rules/delivery.yml"))
                .append("\nevaluation_interval: 5s\ntests:\n  - interval: 5s\n    input_series:\n")
                .append(series)
                .append("    promql_expr_test:\n");
        expected.forEach((name, value) -> {
            String q = query.get(name);
            if (q == null) {
                throw new AssertionError("canary.sh queries printed no " + name + ": " + query.keySet());
            }
            tests.append("      - expr: '")
                    .append(value == null ? q : "round(" + q + ", 0.0001)")
                    .append("'\n")
                    .append("        eval_time: 10m\n        exp_samples:");
            tests.append(
                    value == null
                            ? " []\n"
                            : String.format(
                                    Locale.ROOT, "\n          - labels: '{}'\n            value: %.4f%n", value));
        });
        Path file = WORK.resolve("canary-gates-test.yml");
        Files.writeString(file, tests);
        Path log = WORK.resolve("promtool.log");
        int exit = StackServers.runScript(
                log, Map.of(), Duration.ofSeconds(60), "promtool", "test", "rules", file.toString());
        System.out.printf("Canary gates on known series: expected %s; promtool exit %d%n", expected, exit);
        assertEquals(0, exit, "promtool ran each gate's query to its expected value:\n" + Files.readString(log));
    }

    /** 121 samples, 0 then +perScrape every 5 s, as promtool's series notation. */
    private static void series(StringBuilder out, String name, int perScrape) {
        out.append("      - series: '")
                .append(name)
                .append("'\n        values: '0+")
                .append(perScrape)
                .append("x120'\n");
    }

    /** Cumulative bucket counts per scrape of one server's /predict histogram. */
    private static void buckets(StringBuilder out, String server, String[][] buckets) {
        for (String[] bucket : buckets) {
            series(
                    out,
                    "http_server_request_duration_seconds_bucket{" + server
                            + ",http_route=\"/predict\",http_response_status_code=\"200\",le=\"" + bucket[0] + "\"}",
                    Integer.parseInt(bucket[1]));
        }
    }

    private static double jensenShannonBits(Map<String, Integer> p, Map<String, Integer> q) {
        double pTotal = p.values().stream().mapToInt(Integer::intValue).sum();
        double qTotal = q.values().stream().mapToInt(Integer::intValue).sum();
        java.util.Set<String> labels = new java.util.TreeSet<>(p.keySet());
        labels.addAll(q.keySet());
        double js = 0;
        for (String label : labels) {
            double pi = p.getOrDefault(label, 0) / pTotal;
            double qi = q.getOrDefault(label, 0) / qTotal;
            double m = (pi + qi) / 2;
            js += pi > 0 ? 0.5 * pi * Math.log(pi / m) / Math.log(2) : 0;
            js += qi > 0 ? 0.5 * qi * Math.log(qi / m) / Math.log(2) : 0;
        }
        return js;
    }
}
