package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.restassured.RestAssured;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Prometheus sees the running stack: every target is scraped, requests through the gateway move
 * Nginx's and the application's counters, and each Liberty /metrics output is valid exposition
 * format by promtool's reading.
 */
class MonitoringIT {

    private static final int PREDICTIONS = 12;
    /** The application's own metrics, which must pass promtool's lint as well as its parser. */
    private static final List<String> APPLICATION_METRICS = List.of(
            "predictions_total",
            "inference_seconds",
            "rejected_requests_total",
            "prediction_drift",
            "prediction_log_dropped_lines");

    private static int v1Replicas() {
        return StackEnv.intSetting("V1_REPLICAS");
    }

    private static List<Integer> libertyPorts() {
        int base = StackEnv.intSetting("V1_BASE_PORT");
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < v1Replicas(); i++) {
            ports.add(base + i);
        }
        ports.add(StackEnv.intSetting("V2_PORT"));
        return ports;
    }

    @Test
    void everyTargetIsUpWithItsInstanceName() {
        JsonNode up = PrometheusQueries.query("up");
        Set<String> names = new TreeSet<>();
        for (JsonNode series : up) {
            String name = series.path("metric").path("instance_name").asText();
            names.add(series.path("metric").path("job").asText() + "/" + name);
            assertEquals("1", series.path("value").get(1).asText(), "up for " + series.path("metric"));
        }
        Set<String> expected =
                new TreeSet<>(Set.of("prometheus/prometheus", "nginx/nginx", "liberty/api-v2", "canary/make-canary"));
        for (int i = 1; i <= v1Replicas(); i++) {
            expected.add("liberty/api-v1-" + i);
        }
        assertEquals(expected, names, "scraped targets");
        for (JsonNode series : PrometheusQueries.query("up{job=\"liberty\"}")) {
            String name = series.path("metric").path("instance_name").asText();
            assertEquals(
                    name.startsWith("api-v1") ? "v1" : "v2",
                    series.path("metric").path("variant").asText(),
                    name);
        }
        assertEquals(1.0, PrometheusQueries.scalar("nginx_up"), "the exporter reaches Nginx's stub_status");
    }

    @Test
    void predictionsThroughTheGatewayShowInNginxAndApplicationCounters() {
        // Earlier tests' predictions may not be scraped yet: start once Prometheus has caught up
        // with what the servers report themselves, so that only this test's predictions count.
        double served = predictionsServed();
        double predictionsStart = PrometheusQueries.poll(
                Duration.ofSeconds(15),
                () -> orZero(PrometheusQueries.scalar("sum(predictions_total)")),
                v -> v == served);
        assertEquals(served, predictionsStart, 0.0, "Prometheus caught up with the servers' prediction counters");
        // The same for Nginx's counter: a sample scraped after this point, so the requests of the test
        // before (up to a scrape interval earlier) are in it and not counted as this test's.
        double now = System.currentTimeMillis() / 1000.0;
        double[] nginxBefore =
                PrometheusQueries.poll(Duration.ofSeconds(15), MonitoringIT::nginxRequestsSample, v -> v[1] > now);
        assertFalse(Double.isNaN(nginxBefore[0]), "Prometheus has Nginx's request counter");
        assertTrue(nginxBefore[1] > now, "Prometheus scraped the exporter after the test began");

        for (int i = 0; i < PREDICTIONS; i++) {
            assertEquals(
                    200,
                    GatewayCalls.predict("monitoring check number " + i + " makes me happy", null)
                            .statusCode());
            GatewayCalls.paceBelowRateLimit();
        }

        double predictionsAfter = PrometheusQueries.poll(
                Duration.ofSeconds(15),
                () -> PrometheusQueries.scalar("sum(predictions_total)"),
                v -> v - predictionsStart >= PREDICTIONS);
        double[] nginxAfter = PrometheusQueries.poll(
                Duration.ofSeconds(15), MonitoringIT::nginxRequestsSample, v -> v[0] - nginxBefore[0] >= PREDICTIONS);
        assertEquals(
                PREDICTIONS,
                predictionsAfter - predictionsStart,
                0.0,
                "sum(predictions_total) grew by the predictions sent");
        // Nginx counts every request it serves: the predictions, and the exporter's reads of
        // stub_status, one per Prometheus scrape of the exporter (each scrape in the window, the
        // last one included, read it once). Nothing else goes through this gateway during the test.
        int exporterReads = scrapesBetween(nginxBefore[1], nginxAfter[1]);
        // Prometheus also reads make canary's state from Nginx's status port (job canary), on its own
        // schedule: each of its scrapes from a second before the window to a second after may count.
        int canaryReads = samplesBetween("up{job=\"canary\"}", nginxBefore[1] - 1, nginxAfter[1] + 1);
        double grew = nginxAfter[0] - nginxBefore[0];
        assertTrue(
                grew >= PREDICTIONS && grew <= PREDICTIONS + exporterReads + canaryReads,
                "nginx_http_requests_total grew by " + grew + ", expected " + PREDICTIONS + " predictions plus at most "
                        + exporterReads + " stub_status reads by the exporter (" + exporterReads + " scrapes from "
                        + nginxBefore[1] + " to " + nginxAfter[1] + ") and " + canaryReads
                        + " reads of make canary's state");
    }

    /** Nginx's request counter as Prometheus last scraped it: {value, scrape time in seconds}. */
    private static double[] nginxRequestsSample() {
        return new double[] {
            PrometheusQueries.scalar("sum(nginx_http_requests_total)"),
            PrometheusQueries.scalar("max(timestamp(nginx_http_requests_total))")
        };
    }

    /** How many times Prometheus scraped the exporter after the scrape at from, up to and with the one at to. */
    private static int scrapesBetween(double from, double to) {
        return samplesBetween("nginx_http_requests_total", from, to);
    }

    /** The samples of the one series SELECTOR names with a time after from, up to and with to. */
    private static int samplesBetween(String selector, double from, double to) {
        long window = (long) Math.ceil(to - from) + 1;
        JsonNode series = queryAt(selector + "[" + window + "s]", to);
        assertEquals(1, series.size(), "one " + selector + " series: " + series);
        int scrapes = 0;
        for (JsonNode sample : series.get(0).path("values")) {
            double at = sample.get(0).asDouble();
            if (at > from && at <= to) {
                scrapes++;
            }
        }
        return scrapes;
    }

    /** The result of a query evaluated at a given time (seconds since the epoch): here a range vector's raw samples. */
    private static JsonNode queryAt(String expr, double time) {
        String body = RestAssured.given()
                .baseUri(StackEnv.prometheusUrl())
                .queryParam("query", expr)
                .queryParam("time", String.format(java.util.Locale.ROOT, "%.3f", time))
                .get("/api/v1/query")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        try {
            return GatewayCalls.JSON.readTree(body).path("data").path("result");
        } catch (java.io.IOException e) {
            throw new AssertionError("Prometheus answered no JSON for " + expr + ": " + body, e);
        }
    }

    /** Before any prediction the counters do not exist yet: that counts as zero. */
    private static double orZero(double value) {
        return Double.isNaN(value) ? 0 : value;
    }

    /** The sum of predictions_total as the servers report it right now, straight from their /metrics. */
    private static double predictionsServed() {
        double sum = 0;
        for (int port : libertyPorts()) {
            String metrics = RestAssured.get("http://127.0.0.1:" + port + "/metrics")
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString();
            sum += metrics.lines()
                    .filter(line -> line.startsWith("predictions_total{"))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                    .sum();
        }
        return sum;
    }

    @Test
    void promtoolAcceptsEveryLibertyMetricsOutput() throws Exception {
        for (int port : libertyPorts()) {
            String metrics = RestAssured.get("http://127.0.0.1:" + port + "/metrics")
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString();
            assertTrue(metrics.contains("# TYPE"), "port " + port + " serves Prometheus text");
            Command.Result promtool =
                    Command.of("promtool", "check", "metrics").input(metrics).run();
            String report = promtool.output();
            // Exit 1 is a parse error; 3 lists lint problems, which Liberty's own camelCase base
            // metrics (memory_usedHeap_bytes, ...) always have, but the application's must not.
            assertTrue(
                    promtool.exitCode() == 0 || promtool.exitCode() == 3,
                    "port " + port + ": promtool rejects /metrics (exit " + promtool.exitCode() + "):\n" + report);
            List<String> applicationProblems = report.lines()
                    .filter(line -> APPLICATION_METRICS.stream().anyMatch(line::startsWith))
                    .toList();
            assertEquals(
                    List.of(), applicationProblems, "port " + port + ": promtool lint of the application's metrics");
        }
    }
}
