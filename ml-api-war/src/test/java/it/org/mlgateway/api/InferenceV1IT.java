package it.org.mlgateway.api;

import static io.restassured.RestAssured.given;
import static it.org.mlgateway.api.InferenceCalls.conforming;
import static it.org.mlgateway.api.InferenceCalls.nonConforming;
import static it.org.mlgateway.api.InferenceCalls.request;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Open Inference Protocol on the production variant: server and model metadata, readiness, and
 * inference of batches that answer each sentence as POST /predict does, with every refusal the
 * protocol's error object. Every exchange is checked against the published document (InferenceCalls).
 */
@ExtendWith(ArquillianExtension.class)
class InferenceV1IT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.variant("v1");
    }

    @ArquillianResource
    URL base;

    static JsonObject json(Response response) {
        return Json.createReader(new StringReader(response.asString())).readObject();
    }

    /** The version this deployment serves, as /predict reports it. */
    private String servedVersion() {
        return given().baseUri(base.toString())
                .contentType("application/json")
                .body("{\"sentence\": \"hi\"}")
                .post("predict")
                .then()
                .statusCode(200)
                .extract()
                .header("X-Model-Version");
    }

    private static void isError(ValidatableResponse response, int status, String code) {
        response.statusCode(status)
                .contentType("application/json")
                .body("error", equalTo(code))
                .body("message", not(containsString("Exception")))
                .body(not(containsString("\tat ")));
        assertEquals(
                List.of("error", "message"),
                List.copyOf(json(response.extract().response()).keySet()));
    }

    @AfterEach
    void stillServes() {
        conforming(base)
                .contentType("application/json")
                .body(request(null, List.of("still here")))
                .post("v2/models/emotion/infer")
                .then()
                .statusCode(200);
    }

    @Test
    void serverMetadataNamesTheServerAndThisBuildsVersion() {
        for (String path : List.of("v2", "v2/")) {
            Response r = conforming(base).get(path);
            r.then().statusCode(200).contentType("application/json");
            JsonObject body = json(r);
            assertEquals(List.of("name", "version", "extensions"), List.copyOf(body.keySet()), path);
            assertEquals("Emotion prediction API", body.getString("name"));
            assertEquals(System.getProperty("project.version"), body.getString("version"));
            assertEquals(0, body.getJsonArray("extensions").size());
        }
    }

    @Test
    void liveAndReady() {
        conforming(base).get("v2/health/live").then().statusCode(200).body("live", equalTo(true));
        conforming(base).get("v2/health/ready").then().statusCode(200).body("ready", equalTo(true));
        String version = servedVersion();
        for (String path : List.of("v2/models/emotion/ready", "v2/models/emotion/versions/" + version + "/ready")) {
            Response r = conforming(base).get(path);
            r.then().statusCode(200);
            assertEquals("{\"name\":\"emotion\",\"ready\":true}", r.asString(), path);
        }
        isError(
                conforming(base)
                        .get("v2/models/emotion/versions/000000000000/ready")
                        .then(),
                404,
                "model_version_not_found");
    }

    @Test
    void modelMetadataDescribesTheModelItsCardAndTheLimits() {
        String version = servedVersion();
        Response r = conforming(base).get("v2/models/emotion");
        r.then().statusCode(200);
        JsonObject m = json(r);
        assertEquals(
                List.of("name", "versions", "platform", "inputs", "outputs", "parameters"), List.copyOf(m.keySet()));
        assertEquals("emotion", m.getString("name"));
        assertEquals(List.of(version), m.getJsonArray("versions").getValuesAs(jakarta.json.JsonString::getString));
        assertEquals("tribuo_protobuf", m.getString("platform"));
        assertEquals(
                "[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[-1]}]",
                m.getJsonArray("inputs").toString());
        assertEquals(
                "[{\"name\":\"label\",\"datatype\":\"BYTES\",\"shape\":[-1]}]",
                m.getJsonArray("outputs").toString(),
                "v1 answers the label only");
        JsonObject p = m.getJsonObject("parameters");
        assertEquals("v1", p.getString("api_variant"));
        assertEquals(64, p.getInt("max_batch_size"));
        assertEquals(5000, p.getInt("max_sentence_length"));
        JsonObject card = InferenceCalls.modelCard();
        assertEquals(card.getString("modelVersion"), version, "the card is the served model's");
        assertEquals(card.getJsonObject("dataset").getString("sha256"), p.getString("dataset_sha256"));
        assertEquals(card.getJsonObject("dataset").getInt("trainRows"), p.getInt("training_rows"));
        assertEquals(card.getJsonObject("dataset").getInt("validationRows"), p.getInt("validation_rows"));
        JsonObject metrics = card.getJsonObject("validation").getJsonObject("metrics");
        for (String[] names : new String[][] {
            {"accuracy", "validation_accuracy"}, {"macroF1", "validation_macro_f1"}, {"logLoss", "validation_log_loss"}
        }) {
            assertEquals(
                    metrics.getJsonNumber(names[0]).doubleValue(),
                    p.getJsonNumber(names[1]).doubleValue(),
                    0.0,
                    names[1]);
        }
        assertEquals(card.getString("trainedAt"), p.getString("trained_at"));

        Response versioned = conforming(base).get("v2/models/emotion/versions/" + version);
        versioned.then().statusCode(200);
        assertEquals(r.asString(), versioned.asString(), "the served version's metadata is the model's");
        isError(conforming(base).get("v2/models/emotion/versions/000000000000").then(), 404, "model_version_not_found");
        isError(conforming(base).get("v2/models/sentiment").then(), 404, "model_not_found");
    }

    @Test
    void aBatchIsAnsweredSentenceBySentenceAsPredictAnswersEach() {
        List<String> sentences = InferenceCalls.tweets();
        Response r = conforming(base)
                .contentType("application/json")
                .body(request("batch-1", sentences))
                .post("v2/models/emotion/infer");
        r.then().statusCode(200).contentType("application/json");
        JsonObject answer = json(r);
        assertEquals(List.of("model_name", "model_version", "id", "outputs"), List.copyOf(answer.keySet()));
        assertEquals("emotion", answer.getString("model_name"));
        assertEquals(servedVersion(), answer.getString("model_version"));
        assertEquals("batch-1", answer.getString("id"), "the request's id comes back");
        assertEquals(1, answer.getJsonArray("outputs").size(), "v1: the label only");
        JsonObject labels = answer.getJsonArray("outputs").getJsonObject(0);
        assertEquals(List.of("name", "datatype", "shape", "data"), List.copyOf(labels.keySet()));
        assertEquals("label", labels.getString("name"));
        assertEquals("BYTES", labels.getString("datatype"));
        assertEquals("[" + sentences.size() + "]", labels.getJsonArray("shape").toString());
        List<String> expected = new ArrayList<>();
        for (String s : sentences) {
            expected.add(given().baseUri(base.toString())
                    .contentType("application/json")
                    .body(Json.createObjectBuilder().add("sentence", s).build().toString())
                    .post("predict")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath()
                    .getString("'prediction value'"));
        }
        assertEquals(expected, labels.getJsonArray("data").getValuesAs(jakarta.json.JsonString::getString));
        // The same sentences in reverse: each answer stays with its sentence.
        List<String> reversed = new ArrayList<>(sentences);
        Collections.reverse(reversed);
        Collections.reverse(expected);
        assertEquals(
                expected,
                conforming(base)
                        .contentType("application/json")
                        .body(request(null, reversed))
                        .post("v2/models/emotion/infer")
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath()
                        .getList("outputs[0].data"));
    }

    @Test
    void withoutAnIdTheAnswerHasNone() {
        Response r = conforming(base)
                .contentType("application/json")
                .body(request(null, List.of("no id here")))
                .post("v2/models/emotion/infer");
        r.then().statusCode(200);
        assertEquals(List.of("model_name", "model_version", "outputs"), List.copyOf(json(r).keySet()));
    }

    @Test
    void theServedVersionAnswersAndAnyOtherIsNotFound() {
        String version = servedVersion();
        String label = given().baseUri(base.toString())
                .contentType("application/json")
                .body("{\"sentence\": \"I love it\"}")
                .post("predict")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getString("'prediction value'");
        conforming(base)
                .contentType("application/json")
                .body(request("v", List.of("I love it"), "label"))
                .post("v2/models/emotion/versions/" + version + "/infer")
                .then()
                .statusCode(200)
                .body("model_version", equalTo(version))
                .body("outputs[0].data[0]", equalTo(label));
        isError(
                conforming(base)
                        .contentType("application/json")
                        .body(request("v", List.of("I love it")))
                        .post("v2/models/emotion/versions/1/infer")
                        .then(),
                404,
                "model_version_not_found");
        isError(
                conforming(base)
                        .contentType("application/json")
                        .body(request("v", List.of("I love it")))
                        .post("v2/models/sentiment/infer")
                        .then(),
                404,
                "model_not_found");
    }

    @Test
    void theProbabilitiesAreTheDebugVariantsOnly() {
        isError(
                conforming(base)
                        .contentType("application/json")
                        .body(request(null, List.of("hello"), "probabilities"))
                        .post("v2/models/emotion/infer")
                        .then(),
                422,
                "unknown_output");
    }

    @Test
    void aBatchHoldsAtMostTheConfiguredNumberOfSentences() {
        conforming(base)
                .contentType("application/json")
                .body(request(null, Collections.nCopies(64, "fine")))
                .post("v2/models/emotion/infer")
                .then()
                .statusCode(200)
                .body("outputs[0].shape[0]", equalTo(64));
        isError(
                conforming(base)
                        .contentType("application/json")
                        .body(request(null, Collections.nCopies(65, "one too many")))
                        .post("v2/models/emotion/infer")
                        .then(),
                413,
                "batch_too_large");
        isError(
                conforming(base)
                        .contentType("application/json")
                        .body(request(null, List.of()))
                        .post("v2/models/emotion/infer")
                        .then(),
                422,
                "empty_batch");
    }

    @Test
    void eachSentenceMeetsPredictsRulesAndIsNamedWhenItDoesNot() {
        ValidatableResponse blank = conforming(base)
                .contentType("application/json")
                .body(request(null, List.of("fine", " ")))
                .post("v2/models/emotion/infer")
                .then();
        isError(blank, 422, "blank_sentence");
        blank.body("message", containsString("\"data\"[1]"));
        isError(
                conforming(base)
                        .contentType("application/json")
                        .body(request(null, List.of("a".repeat(5001))))
                        .post("v2/models/emotion/infer")
                        .then(),
                422,
                "sentence_too_long");
        conforming(base)
                .contentType("application/json")
                .body(request(null, List.of("ab ".repeat(1666) + "ab")))
                .post("v2/models/emotion/infer")
                .then()
                .statusCode(200);
    }

    @Test
    void requestsOutsideTheProtocolAreRefusedWithItsErrorObject() {
        isError(
                nonConforming(base)
                        .contentType("application/json")
                        .body("{\"inputs\": [")
                        .post("v2/models/emotion/infer")
                        .then(),
                400,
                "invalid_json");
        isError(
                nonConforming(base)
                        .contentType("text/plain")
                        .body("I love this")
                        .post("v2/models/emotion/infer")
                        .then(),
                415,
                "unsupported_media_type");
        isError(
                nonConforming(base)
                        .contentType("application/json")
                        .body("{\"sentence\": \"I love this\"}")
                        .post("v2/models/emotion/infer")
                        .then(),
                422,
                "missing_inputs");
        ValidatableResponse get =
                nonConforming(base).get("v2/models/emotion/infer").then();
        isError(get, 405, "method_not_allowed");
        get.header("Allow", containsString("POST"));
        isError(
                nonConforming(base)
                        .contentType("application/json")
                        .body("{}")
                        .post("v2/models/emotion")
                        .then(),
                405,
                "method_not_allowed");
        isError(nonConforming(base).get("v2/models/emotion/labels").then(), 404, "not_found");
    }
}
