package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mlgateway.testsupport.OpenInferenceProtocol;

/**
 * The Open Inference Protocol through the gateway, for both variants (v1 for everyone, v2 for the
 * "debug" experiment group): every request and answer here, the refusals of the gateway and of the
 * servers included, is checked against the published OpenAPI document (OpenInferenceProtocol). The
 * variant shows in the model metadata, not in any header.
 */
class OpenInferenceProtocolIT {

    private static final OpenInferenceProtocol PROTOCOL = OpenInferenceProtocol.forBasePath("");
    private static final String DEBUG = "debug";

    /** A request the document describes, with credentials, in the group ("" for none). */
    private static RequestSpecification conforming(String group) {
        return withGroup(StackEnv.authenticated().filter(PROTOCOL.conforming()), group);
    }

    private static RequestSpecification nonConforming(String group) {
        return withGroup(StackEnv.authenticated().filter(PROTOCOL.nonConforming()), group);
    }

    private static RequestSpecification withGroup(RequestSpecification request, String group) {
        return group.isEmpty() ? request : request.header("X-Experiment-Group", group);
    }

    static String request(String id, List<String> sentences, String... outputs) {
        ObjectNode request = GatewayCalls.JSON.createObjectNode();
        if (id != null) {
            request.put("id", id);
        }
        ObjectNode input =
                request.putArray("inputs").addObject().put("name", "text").put("datatype", "BYTES");
        input.putArray("shape").add(sentences.size());
        ArrayNode data = input.putArray("data");
        sentences.forEach(data::add);
        if (outputs.length > 0) {
            ArrayNode asked = request.putArray("outputs");
            for (String o : outputs) {
                asked.addObject().put("name", o);
            }
        }
        return request.toString();
    }

    private static void isError(Response response, int status, String code) {
        JsonNode body = GatewayCalls.json(response);
        assertEquals(status, response.statusCode(), body.toString());
        assertTrue(response.contentType().startsWith("application/json"), response.contentType());
        assertEquals(code, body.path("error").asText(), body.toString());
        assertFalse(body.toString().contains("Exception") || body.toString().contains("\\tat "), body.toString());
    }

    @AfterEach
    void paced() {
        GatewayCalls.paceBelowRateLimit();
    }

    @ParameterizedTest(name = "group \"{0}\"")
    @ValueSource(strings = {"", DEBUG})
    void metadataAndHealthTellTheVariantTheGroupReaches(String group) {
        for (String path : List.of("/v2", "/v2/")) {
            Response server = conforming(group).get(path);
            assertEquals(200, server.statusCode(), server.asString());
            assertEquals(
                    "Emotion prediction API",
                    GatewayCalls.json(server).path("name").asText());
        }
        assertTrue(GatewayCalls.json(conforming(group).get("/v2/health/live"))
                .path("live")
                .asBoolean());
        assertTrue(GatewayCalls.json(conforming(group).get("/v2/health/ready"))
                .path("ready")
                .asBoolean());
        JsonNode metadata = GatewayCalls.json(conforming(group).get("/v2/models/emotion"));
        assertEquals(
                group.equals(DEBUG) ? "v2" : "v1",
                metadata.path("parameters").path("api_variant").asText(),
                metadata.toString());
        assertEquals(group.equals(DEBUG) ? 2 : 1, metadata.path("outputs").size(), metadata.toString());
        assertEquals(
                StackEnv.intSetting("API_BATCH_MAX"),
                metadata.path("parameters").path("max_batch_size").asInt());
        String version = metadata.path("versions").get(0).asText();
        assertTrue(version.matches("[0-9a-f]{12}"), version);
        assertEquals(metadata, GatewayCalls.json(conforming(group).get("/v2/models/emotion/versions/" + version)));
        assertEquals(
                "{\"name\":\"emotion\",\"ready\":true}",
                conforming(group).get("/v2/models/emotion/ready").asString());
        assertEquals(
                "{\"name\":\"emotion\",\"ready\":true}",
                conforming(group)
                        .get("/v2/models/emotion/versions/" + version + "/ready")
                        .asString());
        isError(conforming(group).get("/v2/models/emotion/versions/000000000000"), 404, "model_version_not_found");
    }

    @ParameterizedTest(name = "group \"{0}\"")
    @ValueSource(strings = {"", DEBUG})
    void aBatchIsAnsweredAsPredictAnswersEachSentence(String group) {
        List<String> sentences =
                List.of("I love this sunny morning!", "so tired and sad today", "what a boring meeting");
        String version = GatewayCalls.json(conforming(group).get("/v2/models/emotion"))
                .path("versions")
                .get(0)
                .asText();
        for (String path : List.of("/v2/models/emotion/infer", "/v2/models/emotion/versions/" + version + "/infer")) {
            Response r = conforming(group)
                    .contentType("application/json")
                    .body(request("e2e-" + group, sentences))
                    .post(path);
            JsonNode answer = GatewayCalls.json(r);
            assertEquals(200, r.statusCode(), answer.toString());
            assertEquals("emotion", answer.path("model_name").asText());
            assertEquals(version, answer.path("model_version").asText());
            assertEquals("e2e-" + group, answer.path("id").asText(), "the id comes back");
            JsonNode labels = answer.path("outputs").get(0);
            assertEquals("label", labels.path("name").asText());
            List<String> predicted = new ArrayList<>();
            labels.path("data").forEach(l -> predicted.add(l.asText()));
            List<String> single = new ArrayList<>();
            for (String s : sentences) {
                Response p = GatewayCalls.predict(s, group.isEmpty() ? null : group);
                assertEquals(200, p.statusCode(), p.asString());
                single.add(GatewayCalls.json(p).path("prediction value").asText());
                GatewayCalls.paceBelowRateLimit();
            }
            assertEquals(single, predicted, path + ": each sentence's label is /predict's");
            assertEquals(
                    group.equals(DEBUG),
                    answer.path("outputs").size() == 2,
                    "probabilities for the debug group only: " + answer);
            if (group.equals(DEBUG)) {
                JsonNode probabilities = answer.path("outputs").get(1);
                assertEquals(
                        "[" + sentences.size() + ",13]",
                        probabilities.path("shape").toString());
                assertEquals(sentences.size() * 13, probabilities.path("data").size());
            }
        }
    }

    @ParameterizedTest(name = "group \"{0}\"")
    @ValueSource(strings = {"", DEBUG})
    void theServersRefusalsAreTheProtocolsErrors(String group) {
        int max = StackEnv.intSetting("API_BATCH_MAX");
        isError(
                conforming(group)
                        .contentType("application/json")
                        .body(request(null, Collections.nCopies(max + 1, "many")))
                        .post("/v2/models/emotion/infer"),
                413,
                "batch_too_large");
        isError(
                conforming(group)
                        .contentType("application/json")
                        .body(request(null, List.of("fine", "   ")))
                        .post("/v2/models/emotion/infer"),
                422,
                "blank_sentence");
        isError(
                conforming(group)
                        .contentType("application/json")
                        .body(request(null, List.of("x"), "logits"))
                        .post("/v2/models/emotion/infer"),
                422,
                "unknown_output");
        isError(
                conforming(group)
                        .contentType("application/json")
                        .body(request(null, List.of("x")))
                        .post("/v2/models/emotion/versions/000000000000/infer"),
                404,
                "model_version_not_found");
        isError(conforming(group).get("/v2/models/sentiment"), 404, "model_not_found");
        isError(
                nonConforming(group)
                        .contentType("application/json")
                        .body("{\"inputs\": [")
                        .post("/v2/models/emotion/infer"),
                400,
                "invalid_json");
        isError(
                nonConforming(group)
                        .contentType("application/json")
                        .body("{\"inputs\": " + "[".repeat(5_000) + "]".repeat(5_000) + "}")
                        .post("/v2/models/emotion/infer"),
                400,
                "invalid_json");
        isError(
                nonConforming(group)
                        .contentType("text/plain")
                        .body("I love this")
                        .post("/v2/models/emotion/infer"),
                415,
                "unsupported_media_type");
    }

    @ParameterizedTest(name = "group \"{0}\"")
    @ValueSource(strings = {"", DEBUG})
    void theGatewaysRefusalsAreTheProtocolsErrorsToo(String group) {
        Response get = nonConforming(group).get("/v2/models/emotion/infer");
        isError(get, 405, "method_not_allowed");
        assertEquals("POST", get.header("Allow"));
        Response post =
                nonConforming(group).contentType("application/json").body("{}").post("/v2/models/emotion");
        isError(post, 405, "method_not_allowed");
        assertEquals("GET, HEAD", post.header("Allow"));
        isError(nonConforming(group).get("/v2/models/emotion/labels"), 404, "not_found");
        Response anonymous = withGroup(StackEnv.gateway().filter(PROTOCOL.conforming()), group)
                .contentType("application/json")
                .body(request(null, List.of("who am I?")))
                .post("/v2/models/emotion/infer");
        isError(anonymous, 401, "unauthorized");
        assertTrue(anonymous.header("WWW-Authenticate").startsWith("Basic"));
        String tooLarge = request(null, List.of("a".repeat(70 * 1024)));
        isError(
                conforming(group).contentType("application/json").body(tooLarge).post("/v2/models/emotion/infer"),
                413,
                "body_too_large");
    }
}
