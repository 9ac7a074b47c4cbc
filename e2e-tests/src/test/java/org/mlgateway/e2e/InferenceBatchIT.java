package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mlgateway.testsupport.OpenInferenceProtocol;

/**
 * A batch through the gateway leaves what as many /predict calls leave: each sentence counted on the
 * server (predictions_total, inference_seconds) and logged (one prediction log line each, with its place
 * in the batch), all under one trace id that is the client's, or the gateway's request id when the client
 * sent none, in the access log and in every line. The debug group's one server (api-v2) is read directly.
 */
class InferenceBatchIT {

    private static final OpenInferenceProtocol PROTOCOL = OpenInferenceProtocol.forBasePath("");

    private static Response infer(List<String> sentences, String traceparent) {
        var request = StackEnv.authenticated()
                .filter(PROTOCOL.conforming())
                .header("X-Experiment-Group", "debug")
                .contentType("application/json")
                .body(OpenInferenceProtocolIT.request(null, sentences));
        if (traceparent != null) {
            request.header("traceparent", traceparent);
        }
        return request.post("/v2/models/emotion/infer");
    }

    @Test
    void eachSentenceIsCountedAndLoggedUnderTheClientsTrace() throws Exception {
        int port = StackServers.v2().port();
        List<String> sentences =
                List.of("I love you all", "worst day ever", "meh, nothing to do", "we won the cup!!", "so sleepy");
        double predictions = InferenceTrail.metric(port, "predictions_total");
        double inferences = InferenceTrail.metric(port, "inference_seconds_count");
        String trace = InferenceTrail.newTraceId();

        Response answer = infer(sentences, "00-" + trace + "-00f067aa0ba902b7-01");
        assertEquals(200, answer.statusCode(), answer.asString());
        List<String> labels = new ArrayList<>();
        GatewayCalls.json(answer).path("outputs").get(0).path("data").forEach(l -> labels.add(l.asText()));

        JsonNode access = InferenceTrail.accessLogLine(trace);
        assertEquals(200, access.path("status").asInt(), access.toString());
        assertEquals("api_v2", access.path("upstream_group").asText(), access.toString());
        assertEquals(
                "POST /v2/models/emotion/infer HTTP/1.1", access.path("request").asText());
        List<JsonNode> lines = InferenceTrail.predictionLines(
                "api-v2", access.path("request_id").asText(), sentences.size());
        for (int i = 0; i < sentences.size(); i++) {
            assertEquals(
                    i, lines.get(i).path("batch_index").asInt(), lines.get(i).toString());
            assertEquals(
                    trace, lines.get(i).path("trace_id").asText(), lines.get(i).toString());
            assertEquals(
                    labels.get(i),
                    lines.get(i).path("label").asText(),
                    lines.get(i).toString());
        }
        assertEquals(
                predictions + sentences.size(),
                InferenceTrail.metric(port, "predictions_total"),
                0.0,
                "predictions_total counts each sentence");
        assertEquals(
                inferences + sentences.size(),
                InferenceTrail.metric(port, "inference_seconds_count"),
                0.0,
                "inference_seconds times each sentence");
    }

    @Test
    void withoutATraceparentTheRequestIdIsTheTraceId() throws Exception {
        GatewayFiles.LogPosition offset = GatewayFiles.accessLogPosition();
        Response answer = infer(List.of("no trace of my own", "nor mine"), null);
        assertEquals(200, answer.statusCode(), answer.asString());
        JsonNode access = null;
        for (int attempt = 0; access == null && attempt < 50; attempt++) {
            Thread.sleep(attempt == 0 ? 0 : 200); // nginx writes the line as the request ends
            access = GatewayFiles.accessLogSince(offset).stream()
                    .filter(l -> l.path("request").asText().startsWith("POST /v2/models/emotion/infer"))
                    .reduce((a, b) -> b)
                    .orElse(null);
        }
        assertFalse(access == null, "the access log has the request");
        String requestId = access.path("request_id").asText();
        assertEquals(requestId, access.path("trace_id").asText(), access.toString());
        for (JsonNode line : InferenceTrail.predictionLines("api-v2", requestId, 2)) {
            assertEquals(requestId, line.path("trace_id").asText(), line.toString());
        }
    }
}
