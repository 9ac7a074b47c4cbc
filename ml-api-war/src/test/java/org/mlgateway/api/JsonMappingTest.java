package org.mlgateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The wire format is a contract with the original service's clients: field names and order. */
class JsonMappingTest {

    private static final Jsonb JSONB = JsonbBuilder.create();

    @AfterAll
    static void close() throws Exception {
        JSONB.close();
    }

    @Test
    void v1HasOnlyThePredictionValueWithItsSpace() {
        assertEquals("{\"prediction value\":\"love\"}", JSONB.toJson(new PredictionV1("love")));
    }

    @Test
    void v2AddsTheProbabilitiesAfterTheLabel() {
        TreeMap<String, Double> probabilities = new TreeMap<>();
        probabilities.put("worry", 0.25);
        probabilities.put("love", 0.75);
        assertEquals("{\"prediction value\":\"love\",\"prediction_proba_dict\":{\"love\":0.75,\"worry\":0.25}}",
                JSONB.toJson(new PredictionV2("love", probabilities)));
    }

    @Test
    void errorsHaveErrorAndMessage() {
        assertEquals("{\"error\":\"not_found\",\"message\":\"No such resource.\"}",
                JSONB.toJson(new ApiError("not_found", "No such resource.")));
    }
}
