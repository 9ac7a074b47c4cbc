package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The PromQL of make canary's gates, exactly as scripts/canary.sh sends it (`canary.sh queries`), run
 * by promtool on series of known content: agreement, 5xx ratio, p99 and the Jensen-Shannon divergence
 * of label distributions, the last with labels on one side only. The candidate's requests are /predict
 * and the Open Inference Protocol's inference alike: both count in the request, 5xx and p99 gates. The expected values are computed
 * here from the same counts. Needs promtool, which the stack installs.
 */
class CanaryGateQueriesIT {

    private static final Path WORK = StackEnv.projectRoot().resolve("e2e-tests/target/canary-gates");
    private static final String CAND = "job=\"liberty\",instance_name=\"api-candidate\"";

    @Test
    void everyGateComputesWhatItsNameSaysOnKnownSeries() throws Exception {
        Files.createDirectories(WORK);
        Path queries = WORK.resolve("queries.tsv");
        assertEquals(0, StackServers.runScript(queries, Map.of(), Duration.ofSeconds(30),
                "scripts/canary.sh", "queries", "cand9", "60", "600"), "canary.sh queries");
        Map<String, String> query = new LinkedHashMap<>();
        for (String line : Files.readAllLines(queries)) {
            query.put(line.substring(0, line.indexOf('\t')), line.substring(line.indexOf('\t') + 1));
        }

        // Counts per 5-s scrape: the candidate predicts love 6, worry 3, neutral 1; the two champion
        // servers together love 8, worry 4, sadness 2 (neutral on one side only, sadness on the other).
        Map<String, Integer> candidate = Map.of("love", 6, "worry", 3, "neutral", 1);
        Map<String, Integer> champion = Map.of("love", 8, "worry", 4, "sadness", 2);
        StringBuilder series = new StringBuilder();
        candidate.forEach((label, perScrape) -> series(series, "predictions_total{" + CAND + ",label=\"" + label + "\"}", perScrape));
        champion.forEach((label, perScrape) -> {
            series(series, "predictions_total{job=\"liberty\",instance_name=\"api-v1-1\",label=\"" + label + "\"}", perScrape / 2);
            series(series, "predictions_total{job=\"liberty\",instance_name=\"api-v1-2\",label=\"" + label + "\"}", perScrape - perScrape / 2);
        });
        // 3 of 4 mirrored requests agree; 1 of 20 answers of /predict is a 500.
        series(series, "shadow_comparisons_total{" + CAND + ",candidate_version=\"cand9\",agree=\"true\"}", 3);
        series(series, "shadow_comparisons_total{" + CAND + ",candidate_version=\"cand9\",agree=\"false\"}", 1);
        series(series, "shadow_comparisons_total{" + CAND + ",candidate_version=\"other\",agree=\"false\"}", 5);
        series(series, "http_server_request_duration_seconds_count{" + CAND + ",http_route=\"/predict\",http_response_status_code=\"200\"}", 19);
        series(series, "http_server_request_duration_seconds_count{" + CAND + ",http_route=\"/predict\",http_response_status_code=\"500\"}", 1);
        // The protocol's inference (one request per batch): 2 of 20 answers a 500, all of them slower.
        String infer = "http_route=\"/v2/models/{model}/infer\"";
        series(series, "http_server_request_duration_seconds_count{" + CAND + "," + infer + ",http_response_status_code=\"200\"}", 18);
        series(series, "http_server_request_duration_seconds_count{" + CAND + "," + infer + ",http_response_status_code=\"500\"}", 2);
        // Latency: /predict 90 % within 5 ms, 99 % within 10 ms, all within 25 ms; the inference 10 to 25 ms.
        for (String[] bucket : new String[][] {{"0.005", "90", "0"}, {"0.01", "99", "0"}, {"0.025", "100", "100"}, {"+Inf", "100", "100"}}) {
            series(series, "http_server_request_duration_seconds_bucket{" + CAND + ",http_route=\"/predict\",http_response_status_code=\"200\",le=\""
                    + bucket[0] + "\"}", Integer.parseInt(bucket[1]));
            series(series, "http_server_request_duration_seconds_bucket{" + CAND + "," + infer + ",http_response_status_code=\"200\",le=\""
                    + bucket[0] + "\"}", Integer.parseInt(bucket[2]));
        }
        // Of 200 requests, the 198th is the p99: histogram_quantile interpolates it in the 10-25 ms bucket.
        double p99 = 0.01 + (0.99 * 200 - 99) / (200 - 99) * (0.025 - 0.01);

        Map<String, Double> expected = new LinkedHashMap<>();
        expected.put("compared", 4.0 * 120);
        expected.put("agreement", 0.75);
        expected.put("requests", 40.0 * 12);
        expected.put("error_ratio", 3.0 / 40);
        expected.put("candidate_p99", p99);
        expected.put("divergence", jensenShannonBits(candidate, champion));
        StringBuilder tests = new StringBuilder("rule_files: []\nevaluation_interval: 5s\ntests:\n  - interval: 5s\n    input_series:\n")
                .append(series).append("    promql_expr_test:\n");
        expected.forEach((name, value) -> tests.append("      - expr: 'round(").append(query.get(name)).append(", 0.0001)'\n")
                .append("        eval_time: 10m\n        exp_samples:\n          - labels: '{}'\n            value: ")
                .append(String.format(Locale.ROOT, "%.4f", value)).append('\n'));
        Path file = WORK.resolve("canary-gates-test.yml");
        Files.writeString(file, tests);
        Path log = WORK.resolve("promtool.log");
        int exit = StackServers.runScript(log, Map.of(), Duration.ofSeconds(60), "promtool", "test", "rules", file.toString());
        System.out.printf("Canary gates on known series: expected %s; promtool exit %d%n", expected, exit);
        assertEquals(0, exit, "promtool ran each gate's query to its expected value:\n" + Files.readString(log));
    }

    /** 121 samples, 0 then +perScrape every 5 s, as promtool's series notation. */
    private static void series(StringBuilder out, String name, int perScrape) {
        out.append("      - series: '").append(name).append("'\n        values: '0+").append(perScrape).append("x120'\n");
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
