package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The drift gauge of a live server: tweets like the training data keep it low, one label for
 * everything drives it up, and Prometheus has it for every server with the model version, where
 * the PredictionDrift alert reads it. (The alert's own firing is promtool's test, alerts_test.yml.)
 */
class PredictionDriftIT {

    /** api.drift.window, the default the stack runs with. */
    private static final int WINDOW = 1000;
    /** PredictionDrift's threshold in prometheus/rules/alerts.yml. */
    private static final double ALERT_THRESHOLD = 0.2;

    private static final Pattern DRIFT = Pattern.compile("(?m)^prediction_drift\\{([^}]*)\\} (\\S+)$");
    private static final HttpClient DIRECT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3))
            .build();

    @Test
    void followsTheLabelsOfTheLastPredictionsAndReachesPrometheus() throws Exception {
        StackServers.Server server = StackServers.v2(); // direct: a full window in seconds, no rate limit
        List<String> tweets = tweets(2 * WINDOW);
        String version = StackServers.modelVersion(server); // a prediction too: asked before the windows below

        send(server, tweets.subList(0, WINDOW));
        double usual = drift(server);
        assertTrue(usual > 0 && usual < ALERT_THRESHOLD, "a window of training-like tweets: " + usual);

        send(server, Collections.nCopies(WINDOW, "I am so worried about tomorrow, I can't sleep"));
        double oneLabel = drift(server);
        assertTrue(oneLabel > 0.5, "a window of one label only: " + oneLabel);

        send(server, tweets.subList(WINDOW, 2 * WINDOW)); // and back, so no alert is left pending
        double back = drift(server);
        assertTrue(back < ALERT_THRESHOLD, "tweets again: " + back);
        System.out.printf(
                "Drift of %s over %d predictions: tweets %.3f, one label %.3f, tweets again %.3f (alert above %.2f)%n",
                server.name(), WINDOW, usual, oneLabel, back, ALERT_THRESHOLD);

        // Prometheus scrapes every 5 s: within 15 s it has the value, for each server, with its model version.
        JsonNode seen = PrometheusQueries.poll(
                Duration.ofSeconds(15),
                () -> PrometheusQueries.query("prediction_drift{instance_name=\"api-v2\"}"),
                r -> r.size() == 1
                        && Math.abs(Double.parseDouble(
                                                r.get(0).path("value").get(1).asText())
                                        - back)
                                < 1e-6);
        assertEquals(1, seen.size(), "api-v2's gauge in Prometheus: " + seen);
        assertEquals(version, seen.get(0).path("metric").path("model_version").asText(), seen.toString());
        assertEquals(back, Double.parseDouble(seen.get(0).path("value").get(1).asText()), 1e-6, seen.toString());
        assertEquals(
                StackEnv.intSetting("V1_REPLICAS") + 1,
                PrometheusQueries.query("prediction_drift").size(),
                "every server has the gauge");
    }

    private static double drift(StackServers.Server server) throws Exception {
        String metrics = DIRECT.send(
                        HttpRequest.newBuilder(URI.create(server.baseUrl() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        Matcher m = DRIFT.matcher(metrics);
        assertTrue(m.find(), "prediction_drift in /metrics of " + server.name());
        return Double.parseDouble(m.group(2));
    }

    /** Sends every sentence, four at a time, and requires a 200 for each. */
    private static void send(StackServers.Server server, List<String> sentences) throws Exception {
        for (int i = 0; i < sentences.size(); i += 4) {
            List<CompletableFuture<HttpResponse<String>>> batch = new ArrayList<>();
            for (String s : sentences.subList(i, Math.min(i + 4, sentences.size()))) {
                HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/predict"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                GatewayCalls.JSON.writeValueAsString(java.util.Map.of("sentence", s))))
                        .build();
                batch.add(DIRECT.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> f : batch) {
                HttpResponse<String> r = f.get();
                assertEquals(200, r.statusCode(), r.body());
            }
        }
    }

    /** Tweets from the training data: the text column of train.csv (quotes undone; enough for traffic). */
    private static List<String> tweets(int n) throws Exception {
        Path csv = StackEnv.projectRoot()
                .resolve("../shared/data/emotion/train.csv")
                .normalize();
        List<String> texts = new ArrayList<>();
        for (String line : Files.readAllLines(csv).subList(1, n * 2)) {
            int comma = line.indexOf(',');
            String text = comma < 0 ? "" : line.substring(comma + 1);
            if (text.startsWith("\"") && text.endsWith("\"") && text.length() > 1) {
                text = text.substring(1, text.length() - 1).replace("\"\"", "\"");
            }
            if (!text.isBlank() && texts.size() < n) {
                texts.add(text);
            }
        }
        assertEquals(n, texts.size(), "tweets read from " + csv);
        return texts;
    }
}
