package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The container deployment's API through its gateway: the v1 and v2 contracts, the debug group on
 * v2 and everyone else on v1, and every v1 replica answering its share, counted by the replicas'
 * own prediction counters (their /metrics), not by any header the gateway might hide.
 */
class ContainerRoutingIT {

    /** The model's 13 labels, as the native routing test knows them. */
    private static final Set<String> LABELS = GatewayRoutingIT.LABELS;

    private static final int SPREAD_REQUESTS = 60;

    @Test
    void v1AnswersWithTheLabelOnly() {
        for (String group : new String[] {null, "control", "DEBUG", ""}) {
            Response response = GatewayCalls.predict("I love this!", group);
            assertEquals(200, response.statusCode(), response.asString());
            assertTrue(response.contentType().startsWith("application/json"), response.contentType());
            JsonNode body = GatewayCalls.json(response);
            List<String> fields = new ArrayList<>();
            body.fieldNames().forEachRemaining(fields::add);
            assertEquals(
                    List.of("prediction value"),
                    fields,
                    "group '" + group + "': v1 answers exactly one field: " + body);
            assertTrue(LABELS.contains(body.get("prediction value").asText()), body.toString());
            GatewayCalls.paceBelowRateLimit();
        }
    }

    @Test
    void theDebugGroupGetsV2WithEveryProbability() {
        JsonNode body = GatewayCalls.json(GatewayCalls.predict("I love this!", "debug"));
        JsonNode probabilities = body.path("prediction_proba_dict");
        Set<String> labels = new TreeSet<>();
        probabilities.fieldNames().forEachRemaining(labels::add);
        assertEquals(new TreeSet<>(LABELS), labels, "v2 gives all 13 probabilities: " + body);
        double sum = 0;
        String argMax = null;
        for (String label : labels) {
            double p = probabilities.get(label).asDouble();
            sum += p;
            if (argMax == null || p > probabilities.get(argMax).asDouble()) {
                argMax = label;
            }
        }
        assertEquals(1.0, sum, 1e-6, "probabilities sum to 1");
        assertEquals(argMax, body.get("prediction value").asText(), "the prediction is the most probable label");
    }

    @Test
    void everyV1ReplicaAnswersItsShareAndV2NoneOfThem() {
        List<String> replicas = Containers.of("api-v1");
        assertEquals(3, replicas.size(), "three v1 replicas run: " + replicas);
        String v2 = Containers.of("api-v2").get(0);
        Map<String, Double> before = new LinkedHashMap<>();
        replicas.forEach(c -> before.put(c, predictionsCounted(c)));
        double v2Before = predictionsCounted(v2);

        for (int i = 0; i < SPREAD_REQUESTS; i++) {
            assertEquals(200, GatewayCalls.predict("Spread request " + i, null).statusCode());
            GatewayCalls.paceBelowRateLimit();
        }

        Map<String, Double> answered = new LinkedHashMap<>();
        replicas.forEach(c -> answered.put(Containers.name(c), predictionsCounted(c) - before.get(c)));
        System.out.println("v1 replicas' own prediction counters, after " + SPREAD_REQUESTS
                + " requests through the gateway: " + answered);
        assertEquals(
                SPREAD_REQUESTS,
                answered.values().stream().mapToDouble(Double::doubleValue).sum(),
                0.0,
                "the v1 replicas counted every request: " + answered);
        answered.forEach((name, count) -> assertTrue(
                count >= SPREAD_REQUESTS / 6.0,
                name + " answered its share (round robin: about a third): " + answered));
        assertEquals(v2Before, predictionsCounted(v2), 0.0, "no request without the debug group reached v2");
    }

    /**
     * Each replica names itself after its container (X-Served-By, MicroProfile Config's
     * api.instance.name from the host name Docker gives it), asked inside the container, where the
     * header is the server's own: three v1 names, all different, and api-v2.
     */
    @Test
    void eachServerNamesItselfAfterItsContainer() {
        Set<String> names = new TreeSet<>();
        for (String service : List.of("api-v1", "api-v2")) {
            for (String container : Containers.of(service)) {
                String headers = Containers.exec(
                        container,
                        "curl",
                        "-sS",
                        "-o",
                        "/dev/null",
                        "-D",
                        "-",
                        "-H",
                        "Content-Type: application/json",
                        "-d",
                        "{\"sentence\": \"who are you?\"}",
                        "http://127.0.0.1:9080/predict");
                String servedBy = headers.lines()
                        .filter(l -> l.toLowerCase().startsWith("x-served-by:"))
                        .map(l -> l.substring(l.indexOf(':') + 1).strip())
                        .findFirst()
                        .orElseThrow(() ->
                                new AssertionError(Containers.name(container) + " sent no X-Served-By:\n" + headers));
                assertEquals(
                        Containers.inspect(container)
                                .path("Config")
                                .path("Hostname")
                                .asText(),
                        servedBy,
                        Containers.name(container) + " is named after its host name");
                names.add(servedBy);
            }
        }
        assertEquals(4, names.size(), "four servers, four names: " + names);
        assertTrue(names.contains("api-v2"), names.toString());
    }

    /** The sum of a server's predictions_total series, read from its own /metrics inside its container. */
    static double predictionsCounted(String container) {
        String metrics = Containers.exec(container, "curl", "-fsS", "http://127.0.0.1:9080/metrics");
        List<String> series = metrics.lines()
                .filter(l -> l.startsWith("predictions_total{") || l.startsWith("predictions_total "))
                .toList();
        assertFalse(metrics.isBlank(), Containers.name(container) + " serves /metrics");
        return series.stream()
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }
}
