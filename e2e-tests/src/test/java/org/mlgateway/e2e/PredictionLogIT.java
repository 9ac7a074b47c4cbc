package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.restassured.response.Response;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every prediction a server answers becomes one JSON line in its prediction log
 * (state/logs/liberty/NAME/predictions.N.jsonl), keyed by the gateway's request id, which the answer
 * carries back in X-Request-ID.
 */
class PredictionLogIT {

    private static final Duration WRITER_DELAY = Duration.ofSeconds(10);

    @Test
    void eachGatewayPredictionIsOneLineOfTheServerThatAnsweredIt() throws Exception {
        Map<String, Response> byRequestId = new HashMap<>();
        GatewayFiles.LogPosition before = GatewayFiles.accessLogPosition();
        for (int i = 0; i < 12; i++) {
            Response r =
                    GatewayCalls.predict("a line for the prediction log, number " + i, i % 4 == 3 ? "debug" : null);
            assertEquals(200, r.statusCode(), r.asString());
            String id = r.header("X-Request-ID");
            assertNotNull(id, "the answer carries the gateway's request id");
            assertTrue(id.matches("[0-9a-f]{32}"), "Nginx's $request_id: " + id);
            byRequestId.put(id, r);
            GatewayCalls.paceBelowRateLimit();
        }

        // Which server and model answered: the gateway's access log says (clients outside the debug group are not
        // told).
        Map<String, GatewayFiles.Answer> answers = Map.of();
        long logDeadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!(answers = GatewayFiles.answersByRequestId(GatewayFiles.accessLogSince(before)))
                        .keySet()
                        .containsAll(byRequestId.keySet())
                && System.nanoTime() < logDeadline) {
            Thread.sleep(50);
        }
        for (Map.Entry<String, Response> e : byRequestId.entrySet()) {
            Response answer = e.getValue();
            GatewayFiles.Answer logged = answers.get(e.getKey());
            assertNotNull(logged, "the gateway logged request " + e.getKey());
            JsonNode line = awaitLine(logged.server(), e.getKey());
            JsonNode body = GatewayCalls.json(answer);
            boolean v2 = body.has("prediction_proba_dict");
            assertEquals(logged.server(), line.path("server").asText(), line.toString());
            assertEquals(v2 ? "v2" : "v1", line.path("variant").asText(), line.toString());
            assertEquals(logged.modelVersion(), line.path("model_version").asText(), line.toString());
            if (v2) {
                assertEquals(
                        logged.modelVersion(),
                        answer.header("X-Model-Version"),
                        "the debug group is told the model version");
            }
            assertEquals(
                    body.path("prediction value").asText(), line.path("label").asText(), line.toString());
            assertTrue(
                    line.path("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z"),
                    line.toString());
            double top = line.path("top_probability").asDouble();
            assertTrue(top > 1.0 / 13 && top <= 1, line.toString());
            if (v2) {
                assertEquals(
                        body.path("prediction_proba_dict")
                                .path(line.path("label").asText())
                                .asDouble(),
                        top,
                        1e-9,
                        "the top probability is the answer's probability of its label");
            }
            assertTrue(line.path("latency_ms").asDouble() > 0, line.toString());
            assertFalse(line.has("sentence"), "PREDICTION_LOG_TEXT is false by default: no text in " + line);
        }
        assertTrue(answers.values().stream().anyMatch(a -> "api-v2".equals(a.server())), "v2 lines checked too");
        assertTrue(answers.values().stream().anyMatch(a -> a.server().startsWith("api-v1-")), "v1 lines checked too");
    }

    /** The line of one request id in a server's log files, once its writer has written it. */
    private static JsonNode awaitLine(String server, String requestId) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WRITER_DELAY.toNanos();
        while (true) {
            JsonNode found = findLine(server, requestId);
            if (found != null) {
                return found;
            }
            assertTrue(
                    System.nanoTime() < deadline,
                    "no line for request " + requestId + " in " + GatewayFiles.serverLogDir(server) + " within "
                            + WRITER_DELAY);
            Thread.sleep(200);
        }
    }

    private static JsonNode findLine(String server, String requestId) throws IOException {
        String key = "\"request_id\":\"" + requestId + "\"";
        for (String line : GatewayFiles.predictionLogLines(server)) {
            if (line.contains(key)) {
                return GatewayCalls.JSON.readTree(line);
            }
        }
        return null;
    }
}
