package org.mlgateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        assertEquals(
                "{\"prediction value\":\"love\",\"prediction_proba_dict\":{\"love\":0.75,\"worry\":0.25}}",
                JSONB.toJson(new PredictionV2("love", probabilities)));
    }

    @Test
    void anInferenceAnswerHasTheProtocolsNamesFlatTensorsAndNoIdWhenNoneWasGiven() {
        InferenceResponse answer = new InferenceResponse(
                "emotion",
                "8b357f0c0dbd",
                null,
                List.of(
                        new InferenceResponse.Tensor("label", "BYTES", new long[] {2}, List.of("love", "worry")),
                        new InferenceResponse.Tensor(
                                "probabilities", "FP32", new long[] {2, 2}, new float[] {0.75f, 0.25f, 0.5f, 0.5f})));
        assertEquals(
                "{\"model_name\":\"emotion\",\"model_version\":\"8b357f0c0dbd\",\"outputs\":["
                        + "{\"name\":\"label\",\"datatype\":\"BYTES\",\"shape\":[2],\"data\":[\"love\",\"worry\"]},"
                        + "{\"name\":\"probabilities\",\"datatype\":\"FP32\",\"shape\":[2,2],\"data\":[0.75,0.25,0.5,0.5]}]}",
                JSONB.toJson(answer));
        assertEquals(
                "{\"model_name\":\"emotion\",\"model_version\":\"v\",\"id\":\"42\",\"outputs\":[]}",
                JSONB.toJson(new InferenceResponse("emotion", "v", "42", List.of())));
    }

    @Test
    void modelMetadataKeepsItsParametersInOrderAndLeavesOutATensorsAbsentOnes() {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("max_batch_size", 64);
        parameters.put("validation_accuracy", 0.37);
        parameters.put("dataset_sha256", "3c64");
        ModelMetadata metadata = new ModelMetadata(
                "emotion",
                List.of("v"),
                "tribuo_protobuf",
                List.of(new ModelMetadata.Tensor("text", "BYTES", new long[] {-1}, null)),
                List.of(new ModelMetadata.Tensor(
                        "probabilities", "FP32", new long[] {-1, 2}, Map.of("labels", "love,worry"))),
                parameters);
        assertEquals(
                "{\"name\":\"emotion\",\"versions\":[\"v\"],\"platform\":\"tribuo_protobuf\","
                        + "\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[-1]}],"
                        + "\"outputs\":[{\"name\":\"probabilities\",\"datatype\":\"FP32\",\"shape\":[-1,2],\"parameters\":{\"labels\":\"love,worry\"}}],"
                        + "\"parameters\":{\"max_batch_size\":64,\"validation_accuracy\":0.37,\"dataset_sha256\":\"3c64\"}}",
                JSONB.toJson(metadata));
    }

    @Test
    void errorsHaveErrorAndMessage() {
        assertEquals(
                "{\"error\":\"not_found\",\"message\":\"No such resource.\"}",
                JSONB.toJson(new ApiError("not_found", "No such resource.")));
    }
}
