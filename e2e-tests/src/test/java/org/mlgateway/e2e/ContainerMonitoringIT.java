package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The container deployment's Prometheus (published on 127.0.0.1) scrapes every target: the exporter,
 * which reaches Nginx's stub_status, each of the three v1 replicas (found through Docker's DNS) and
 * v2; a prediction through the gateway shows in the counters it scrapes; and it sends its alerts to
 * the alertmanager container, whose receivers are the settings' (by default none but its UI and API).
 */
class ContainerMonitoringIT {

    @Test
    void everyTargetIsUpAndEveryV1ReplicaIsOne() {
        Set<String> expected = new TreeSet<>(Set.of("prometheus/prometheus", "nginx/nginx", "liberty/api-v2"));
        Containers.of("api-v1").forEach(c -> expected.add("liberty/api-v1@" + Containers.address(c)));
        // Replicas are found through DNS every 10 s: a scrape or two after the start.
        TreeMap<String, String> up = PrometheusQueries.poll(
                Duration.ofSeconds(60),
                ContainerMonitoringIT::upByTarget,
                targets -> targets.keySet().equals(expected)
                        && targets.values().stream().allMatch("1"::equals));
        assertEquals(expected, up.keySet(), "the scraped targets are the containers: " + up);
        up.forEach((target, value) -> assertEquals("1", value, target + " is up: " + up));
        assertEquals(1.0, PrometheusQueries.scalar("nginx_up"), "the exporter reaches Nginx's stub_status");
    }

    @Test
    void aPredictionThroughTheGatewayIsCounted() {
        String v2 = "sum(predictions_total{job=\"liberty\",instance_name=\"api-v2\"})";
        String container = Containers.of("api-v2").get(0);
        // Start once Prometheus has caught up with what the server reports itself.
        double served = ContainerRoutingIT.predictionsCounted(container);
        double before = PrometheusQueries.poll(
                Duration.ofSeconds(30), () -> orZero(PrometheusQueries.scalar(v2)), v -> v == served);
        assertEquals(served, before, 0.0, "Prometheus caught up with api-v2's own counter");
        assertEquals(
                200,
                GatewayCalls.predict("Counted once, in Prometheus", "debug").statusCode());
        double after = PrometheusQueries.poll(
                Duration.ofSeconds(30), () -> orZero(PrometheusQueries.scalar(v2)), v -> v >= served + 1);
        assertEquals(served + 1, after, 0.0, "api-v2's predictions_total in Prometheus grew by the one prediction");
    }

    private static double orZero(double value) {
        return Double.isNaN(value) ? 0 : value;
    }

    private static TreeMap<String, String> upByTarget() {
        TreeMap<String, String> targets = new TreeMap<>();
        for (JsonNode series : PrometheusQueries.query("up")) {
            targets.put(
                    series.path("metric").path("job").asText() + "/"
                            + series.path("metric").path("instance_name").asText(),
                    series.path("value").get(1).asText());
        }
        return targets;
    }

    @Test
    void theV1ReplicasAreLabelledV1() {
        JsonNode series = PrometheusQueries.query("up{job=\"liberty\",variant=\"v1\"}");
        assertEquals(3, series.size(), "three v1 targets: " + series);
        assertTrue(series.toString().contains("api-v1@"), series.toString());
    }

    @Test
    void prometheusSendsItsAlertsToTheAlertmanagerContainer() throws Exception {
        assertEquals(1, Containers.of("alertmanager").size(), "one alertmanager container");
        // Prometheus names it by service name, which Docker's DNS resolves on the network monitoring.
        String expected = "http://alertmanager:9093/api/v2/alerts";
        JsonNode active = PrometheusQueries.poll(
                Duration.ofSeconds(30),
                ContainerMonitoringIT::activeAlertmanagers,
                urls -> urls.toString().contains(expected));
        assertEquals(1, active.size(), "one Alertmanager: " + active);
        assertEquals(
                expected,
                active.get(0).path("url").asText(),
                "Prometheus' alerting block names the alertmanager service");
        assertEquals(1.0, PrometheusQueries.scalar("prometheus_notifications_alertmanagers_discovered"));

        String url = "http://127.0.0.1:" + StackEnv.setting("ALERTMANAGER_PORT") + "/api/v2/status";
        var status = io.restassured.RestAssured.get(url);
        assertEquals(200, status.statusCode(), "Alertmanager answers on 127.0.0.1: " + status.asString());
        String config = GatewayCalls.JSON
                .readTree(status.asString())
                .path("config")
                .path("original")
                .asText();
        assertTrue(config.contains("receiver: stack"), "the route goes to the receiver of the settings: " + config);
        assertEquals(
                StackEnv.setting("ALERT_WEBHOOK_URL").isEmpty(),
                !config.contains("webhook_configs"),
                "a webhook exactly when ALERT_WEBHOOK_URL is set: " + config);
    }

    private static JsonNode activeAlertmanagers() {
        var response = io.restassured.RestAssured.get(StackEnv.prometheusUrl() + "/api/v1/alertmanagers");
        try {
            return GatewayCalls.JSON.readTree(response.asString()).path("data").path("activeAlertmanagers");
        } catch (java.io.IOException e) {
            throw new AssertionError("Prometheus answered no JSON: " + response.asString(), e);
        }
    }
}
