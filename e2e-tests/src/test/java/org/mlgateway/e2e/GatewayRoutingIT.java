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
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The gateway's routing: v1 for everyone, v2 for the "debug" experiment group, round robin over v1. */
class GatewayRoutingIT {

    private static final Set<String> LABELS = Set.of("anger", "boredom", "empty", "enthusiasm", "fun",
            "happiness", "hate", "love", "neutral", "relief", "sadness", "surprise", "worry");

    private static int v1Replicas() {
        return StackEnv.intSetting("V1_REPLICAS");
    }

    @Test
    void v1AnswersWithTheLabelOnly() {
        Response response = GatewayCalls.predict("I love this!", null);

        assertEquals(200, response.statusCode(), response.asString());
        assertTrue(response.contentType().startsWith("application/json"), response.contentType());
        JsonNode body = GatewayCalls.json(response);
        List<String> fields = new ArrayList<>();
        body.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("prediction value"), fields, "v1 answers exactly one field: " + body);
        assertTrue(LABELS.contains(body.get("prediction value").asText()), body.toString());
        assertTrue(response.header("X-Served-By").startsWith("api-v1-"), response.header("X-Served-By"));
    }

    @Test
    void debugGroupReachesV2WithProbabilities() {
        Response response = GatewayCalls.predict("I love this!", "debug");

        assertEquals(200, response.statusCode(), response.asString());
        assertEquals("api-v2", response.header("X-Served-By"));
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
    void otherExperimentGroupsStayOnV1() {
        for (String group : List.of("control", "DEBUG", "debug2", "")) {
            Response response = GatewayCalls.predict("What a boring day", group);
            assertEquals(200, response.statusCode(), response.asString());
            assertTrue(response.header("X-Served-By").startsWith("api-v1-"),
                    "group '" + group + "' served by " + response.header("X-Served-By"));
            assertFalse(GatewayCalls.json(response).has("prediction_proba_dict"));
            GatewayCalls.paceBelowRateLimit();
        }
    }

    @Test
    void ninetyRequestsAreSpreadOverEveryV1Server() {
        Map<String, Integer> servedBy = new TreeMap<>();
        int requests = 90;
        for (int i = 0; i < requests; i++) {
            Response response = GatewayCalls.predict("Request number " + i + " feels fine", null);
            assertEquals(200, response.statusCode(), response.asString());
            servedBy.merge(response.header("X-Served-By"), 1, Integer::sum);
            GatewayCalls.paceBelowRateLimit();
        }

        assertEquals(v1Replicas(), servedBy.size(), "every v1 server answered: " + servedBy);
        for (int i = 1; i <= v1Replicas(); i++) {
            int count = servedBy.getOrDefault("api-v1-" + i, 0);
            assertTrue(count >= requests * 0.20, "api-v1-" + i + " served " + count + " of " + requests + ": " + servedBy);
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
