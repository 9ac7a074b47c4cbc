package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An alert reaches someone: with a webhook configured (ALERT_WEBHOOK_URL, applied by make
 * start-project as a user would), a v1 server stopped through the supervisor makes LibertyServerDown
 * fire in Prometheus (its rule's `for: 30s`, as committed), appear in Alertmanager's API, and reach
 * a webhook receiver on loopback (Alertmanager's group_wait, 10 s). Then the stack is started again
 * with the settings of stack.env: the server is back and the webhook is gone.
 */
@Tag("disruptive")
class AlertingIT {

    private static final Path LOGS = StackEnv.stateDir().resolve("logs");
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    @Test
    void aStoppedServerFiresLibertyServerDownInAlertmanagerAndAtTheWebhook() throws Exception {
        StackServers.requireAllReady();
        StackServers.Server victim = StackServers.v1().get(StackServers.v1().size() - 1);
        List<JsonNode> received = new CopyOnWriteArrayList<>();
        HttpServer webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webhook.createContext("/alerts", exchange -> {
            received.add(GatewayCalls.JSON.readTree(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        webhook.start();
        String url = "http://127.0.0.1:" + webhook.getAddress().getPort() + "/alerts";
        try {
            String start = startStack(Map.of("ALERT_WEBHOOK_URL", url), "start-with-webhook");
            assertTrue(
                    start.contains("alerts go to its UI and API, a webhook"),
                    "the start names the receivers:\n" + start);

            String stop = StackServers.supervisorctl("stop", victim.name());
            assertTrue(stop.contains("stopped"), "supervisorctl stop " + victim.name() + ": " + stop);
            long stoppedAt = System.nanoTime();

            JsonNode alert = poll(
                    Duration.ofSeconds(150),
                    AlertingIT::alertmanagerAlerts,
                    alerts -> firing(alerts, victim.name()) != null);
            JsonNode mine = firing(alert, victim.name());
            assertTrue(mine != null, "LibertyServerDown for " + victim.name() + " in Alertmanager's API: " + alert);
            assertEquals("critical", mine.path("labels").path("severity").asText(), mine.toString());
            double inAlertmanager = (System.nanoTime() - stoppedAt) / 1e9;

            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            JsonNode notification = null;
            while (notification == null && System.nanoTime() < deadline) {
                notification = received.stream()
                        .filter(n -> "firing".equals(n.path("status").asText())
                                && firing(n.path("alerts"), victim.name()) != null)
                        .findFirst()
                        .orElse(null);
                TimeUnit.MILLISECONDS.sleep(250);
            }
            assertTrue(
                    notification != null,
                    "the webhook got LibertyServerDown for " + victim.name() + " within 60 s; it got " + received);
            System.out.printf(
                    "LibertyServerDown for %s: in Alertmanager %.0f s after the stop, at the webhook %.0f s after it%n",
                    victim.name(), inAlertmanager, (System.nanoTime() - stoppedAt) / 1e9);
        } finally {
            webhook.stop(0);
            // stack.env's settings again: the stopped server is started, and the webhook goes.
            startStack(Map.of(), "start-restored");
        }
        assertTrue(StackServers.ready(victim), victim.name() + " is back");
        String status = get(alertmanagerUrl() + "/api/v2/status");
        assertFalse(status.contains("webhook_configs"), "no webhook once the setting is gone: " + status);
    }

    private static String startStack(Map<String, String> settings, String name) throws Exception {
        Path log = LOGS.resolve("alerting-it-" + name + ".log");
        int exit = StackServers.runScript(
                log,
                settings,
                Duration.ofSeconds(StackEnv.intSetting("READY_TIMEOUT") * 2L + 120),
                "scripts/stack.sh",
                "start");
        String output = Files.readString(log);
        assertEquals(0, exit, "scripts/stack.sh start " + settings + ":\n" + output);
        return output;
    }

    private static String alertmanagerUrl() {
        return "http://127.0.0.1:" + StackEnv.setting("ALERTMANAGER_PORT");
    }

    /** Alertmanager's active LibertyServerDown alerts (API v2). */
    private static JsonNode alertmanagerAlerts() {
        try {
            String filter = URLEncoder.encode("alertname=\"LibertyServerDown\"", StandardCharsets.UTF_8);
            return GatewayCalls.JSON.readTree(get(alertmanagerUrl() + "/api/v2/alerts?active=true&filter=" + filter));
        } catch (Exception e) {
            return GatewayCalls.JSON.createArrayNode();
        }
    }

    /** The firing LibertyServerDown of a server in a list of alerts (Alertmanager's API or a webhook's). */
    private static JsonNode firing(JsonNode alerts, String server) {
        for (JsonNode alert : alerts) {
            boolean active = "active".equals(alert.path("status").path("state").asText())
                    || "firing".equals(alert.path("status").asText());
            if (active
                    && "LibertyServerDown"
                            .equals(alert.path("labels").path("alertname").asText())
                    && server.equals(alert.path("labels").path("instance_name").asText())) {
                return alert;
            }
        }
        return null;
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> response = CLIENT.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), url + ": " + response.body());
        return response.body();
    }

    private static <T> T poll(Duration timeout, java.util.function.Supplier<T> probe, Predicate<T> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        T value = probe.get();
        while (!done.test(value) && System.nanoTime() < deadline) {
            TimeUnit.SECONDS.sleep(1);
            value = probe.get();
        }
        return value;
    }
}
