package it.org.mlgateway.api;

import static io.restassured.RestAssured.given;
import static it.org.mlgateway.api.InferenceCalls.conforming;
import static it.org.mlgateway.api.InferenceCalls.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each sentence of a batch is counted as one /predict call is: predictions_total and inference_seconds per
 * sentence, the drift gauge's window (4 predictions here), and one prediction log line per sentence with
 * the request id, the trace id and its place in the batch. A refused batch counts nothing but its refusal.
 */
@ExtendWith(ArquillianExtension.class)
class InferenceAccountingIT {

    private static final Path LOG_DIR =
            Path.of("target/it-prediction-log-" + System.nanoTime()).toAbsolutePath();
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";
    /** The request id counts only on requests that carry the gateway's token (GatewayOrigin). */
    private static final String GATEWAY_TOKEN = "it-gateway-token";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.variant(
                "v1",
                "api.drift.window=4\nprediction.log.dir=" + LOG_DIR + "\napi.gateway.token=" + GATEWAY_TOKEN + "\n");
    }

    @ArquillianResource
    URL base;

    @Test
    void everySentenceOfABatchIsCountedLoggedAndInTheDriftWindow() throws Exception {
        List<String> sentences = InferenceCalls.tweets();
        assertEquals(4, sentences.size(), "one batch fills the drift window");
        double predictionsBefore = ServerMetrics.sum(base, "predictions_total", "variant=\"v1\"");
        double inferencesBefore = ServerMetrics.sum(base, "inference_seconds_count", "variant=\"v1\"");
        assertTrue(Double.isNaN(ServerMetrics.sum(base, "prediction_drift")), "no drift before the window is full");

        List<String> labels = conforming(base)
                .contentType("application/json")
                .header("X-Request-ID", "batch-request-1")
                .header("X-Gateway-Token", GATEWAY_TOKEN)
                .header("traceparent", TRACEPARENT)
                .body(request(null, sentences))
                .post("v2/models/emotion/infer")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("outputs[0].data");

        assertEquals(predictionsBefore + 4, ServerMetrics.sum(base, "predictions_total", "variant=\"v1\""), 0.0);
        for (String label : labels.stream().distinct().toList()) {
            assertTrue(ServerMetrics.sum(base, "predictions_total", "label=\"" + label + "\"") >= 1, label);
        }
        assertEquals(inferencesBefore + 4, ServerMetrics.sum(base, "inference_seconds_count", "variant=\"v1\""), 0.0);
        double drift = ServerMetrics.sum(base, "prediction_drift");
        assertFalse(Double.isNaN(drift), "the four sentences filled the drift window");
        assertTrue(drift >= 0 && drift <= 1, "divergence in bits: " + drift);

        List<JsonObject> lines = awaitLines("batch-request-1", 4);
        for (int i = 0; i < 4; i++) {
            JsonObject line = lines.get(i);
            assertEquals(i, line.getInt("batch_index"), line.toString());
            assertEquals(labels.get(i), line.getString("label"), line.toString());
            assertEquals(TRACE_ID, line.getString("trace_id"), line.toString());
            assertEquals("api-v1-it", line.getString("server"));
        }
    }

    @Test
    void aPredictLineCarriesItsTraceIdAndNoBatchIndex() throws Exception {
        given().baseUri(base.toString())
                .contentType("application/json")
                .header("X-Request-ID", "predict-request-1")
                .header("X-Gateway-Token", GATEWAY_TOKEN)
                .header("traceparent", TRACEPARENT)
                .body("{\"sentence\": \"one at a time\"}")
                .post("predict")
                .then()
                .statusCode(200);
        JsonObject line = awaitLines("predict-request-1", 1).get(0);
        assertEquals(TRACE_ID, line.getString("trace_id"));
        assertFalse(line.containsKey("batch_index"), line.toString());
    }

    @Test
    void aRefusedBatchCountsOnlyItsRefusal() {
        double predictionsBefore = ServerMetrics.sum(base, "predictions_total");
        double refusedBefore = ServerMetrics.sum(base, "rejected_requests_total", "reason=\"blank_sentence\"");
        conforming(base)
                .contentType("application/json")
                .body(request(null, List.of("fine", "fine too", "")))
                .post("v2/models/emotion/infer")
                .then()
                .statusCode(422);
        assertEquals(predictionsBefore, ServerMetrics.sum(base, "predictions_total"), 0.0, "no sentence of it counted");
        assertEquals(
                refusedBefore + 1,
                ServerMetrics.sum(base, "rejected_requests_total", "reason=\"blank_sentence\""),
                0.0);
    }

    /** The lines of one request id, in the order written, once the log's writer (every 100 ms) has written them all. */
    private static List<JsonObject> awaitLines(String requestId, int count) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            List<JsonObject> found = new ArrayList<>();
            if (Files.isDirectory(LOG_DIR)) {
                try (Stream<Path> files = Files.list(LOG_DIR)) {
                    for (Path f : files.filter(p -> p.getFileName().toString().matches("predictions\\.\\d+\\.jsonl"))
                            .toList()) {
                        for (String line : Files.readAllLines(f)) {
                            JsonObject o =
                                    Json.createReader(new StringReader(line)).readObject();
                            if (requestId.equals(o.getString("request_id"))) {
                                found.add(o);
                            }
                        }
                    }
                }
            }
            if (found.size() >= count || System.nanoTime() > deadline) {
                assertEquals(count, found.size(), "lines of " + requestId + " in " + LOG_DIR);
                return found;
            }
            Thread.sleep(100);
        }
    }
}
