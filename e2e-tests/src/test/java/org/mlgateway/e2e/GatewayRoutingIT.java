package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The gateway's routing: v1 for everyone, v2 for the "debug" experiment group, round robin over v1.
 * Which server answered shows only to the debug group (X-Served-By); for everyone else it is read
 * from the servers' own prediction counters.
 */
class GatewayRoutingIT {

    static final Set<String> LABELS = Set.of(
            "anger",
            "boredom",
            "empty",
            "enthusiasm",
            "fun",
            "happiness",
            "hate",
            "love",
            "neutral",
            "relief",
            "sadness",
            "surprise",
            "worry");

    private static int v1Replicas() {
        return StackEnv.intSetting("V1_REPLICAS");
    }

    @Test
    void v1AnswersWithTheLabelOnly() throws Exception {
        Map<String, Double> before = StackServers.predictionsByServer();
        Response response = GatewayCalls.predict("I love this!", null);

        assertEquals(200, response.statusCode(), response.asString());
        assertTrue(response.contentType().startsWith("application/json"), response.contentType());
        JsonNode body = GatewayCalls.json(response);
        List<String> fields = new ArrayList<>();
        body.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("prediction value"), fields, "v1 answers exactly one field: " + body);
        assertTrue(LABELS.contains(body.get("prediction value").asText()), body.toString());
        assertEquals(
                1.0,
                answeredByV1(before),
                "one v1 server answered it, v2 none: "
                        + StackServers.difference(StackServers.predictionsByServer(), before));
        assertEquals(
                null,
                response.header("X-Served-By"),
                "a client outside the debug group is not told which server answered");
        assertEquals(null, response.header("X-Model-Version"), "nor which model");
    }

    /** Predictions the v1 servers answered since BEFORE; -1 when v2 answered any. */
    private static double answeredByV1(Map<String, Double> before) throws Exception {
        Map<String, Double> answered = StackServers.difference(StackServers.predictionsByServer(), before);
        return answered.get("api-v2") > 0
                ? -1
                : answered.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    @Test
    void debugGroupReachesV2WithProbabilities() {
        Response response = GatewayCalls.predict("I love this!", "debug");

        assertEquals(200, response.statusCode(), response.asString());
        assertEquals("api-v2", response.header("X-Served-By"), "the debug group is told which server answered");
        assertTrue(
                response.header("X-Model-Version").matches("[0-9a-f]{12}"),
                "and which model: " + response.header("X-Model-Version"));
        JsonNode body = GatewayCalls.json(response);
        JsonNode probabilities = body.get("prediction_proba_dict");
        assertTrue(probabilities != null && probabilities.isObject(), body.toString());
        Set<String> labels = new TreeSet<>();
        probabilities.fieldNames().forEachRemaining(labels::add);
        assertEquals(new TreeSet<>(LABELS), labels);

        double sum = 0;
        String argMax = null;
        for (String label : labels) {
            double p = probabilities.get(label).asDouble();
            assertTrue(p >= 0 && p <= 1, label + "=" + p);
            sum += p;
            if (argMax == null || p > probabilities.get(argMax).asDouble()) {
                argMax = label;
            }
        }
        assertEquals(1.0, sum, 1e-6, "probabilities sum to 1");
        assertEquals(argMax, body.get("prediction value").asText(), "the prediction is the most probable label");
    }

    @Test
    void otherExperimentGroupsStayOnV1() throws Exception {
        for (String group : List.of("control", "DEBUG", "debug2", "")) {
            Map<String, Double> before = StackServers.predictionsByServer();
            Response response = GatewayCalls.predict("What a boring day", group);
            assertEquals(200, response.statusCode(), response.asString());
            assertEquals(1.0, answeredByV1(before), "group '" + group + "' is answered by v1");
            assertEquals(
                    null, response.header("X-Served-By"), "group '" + group + "' is not told which server answered");
            assertFalse(GatewayCalls.json(response).has("prediction_proba_dict"));
            GatewayCalls.paceBelowRateLimit();
        }
    }

    @Test
    void ninetyRequestsAreSpreadOverEveryV1Server() throws Exception {
        int requests = 90;
        Map<String, Double> before = StackServers.predictionsByServer();
        for (int i = 0; i < requests; i++) {
            Response response = GatewayCalls.predict("Request number " + i + " feels fine", null);
            assertEquals(200, response.statusCode(), response.asString());
            GatewayCalls.paceBelowRateLimit();
        }

        Map<String, Double> servedBy = StackServers.difference(StackServers.predictionsByServer(), before);
        assertEquals(0.0, servedBy.get("api-v2"), "v2 answered none: " + servedBy);
        assertEquals(
                requests,
                servedBy.values().stream().mapToDouble(Double::doubleValue).sum(),
                "each counted once: " + servedBy);
        for (int i = 1; i <= v1Replicas(); i++) {
            double count = servedBy.getOrDefault("api-v1-" + i, 0.0);
            assertTrue(
                    count >= requests * 0.20, "api-v1-" + i + " served " + count + " of " + requests + ": " + servedBy);
        }
    }

    @Test
    void everyDebugRequestIsServedByV2() {
        for (int i = 0; i < 20; i++) {
            Response response = GatewayCalls.predict("Debugging run " + i, "debug");
            assertEquals(200, response.statusCode(), response.asString());
            assertEquals("api-v2", response.header("X-Served-By"));
            GatewayCalls.paceBelowRateLimit();
        }
    }
}
