package it.org.mlgateway.api;

import static io.restassured.RestAssured.given;
import static it.org.mlgateway.api.InferenceCalls.conforming;
import static it.org.mlgateway.api.InferenceCalls.request;
import static it.org.mlgateway.api.InferenceV1IT.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.restassured.path.json.config.JsonPathConfig;
import io.restassured.response.Response;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.net.URL;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The debug variant adds a FP32 [N, 13] tensor of probabilities, its label order in the model metadata:
 * each row the /predict distribution of its sentence, summing to 1, its arg-max the label.
 */
@ExtendWith(ArquillianExtension.class)
class InferenceV2IT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.variant("v2");
    }

    @ArquillianResource
    URL base;

    private List<String> labelOrder() {
        Response r = conforming(base).get("v2/models/emotion");
        r.then().statusCode(200);
        JsonObject m = json(r);
        assertEquals("v2", m.getJsonObject("parameters").getString("api_variant"));
        JsonArray outputs = m.getJsonArray("outputs");
        assertEquals(
                "{\"name\":\"label\",\"datatype\":\"BYTES\",\"shape\":[-1]}",
                outputs.getJsonObject(0).toString());
        JsonObject probabilities = outputs.getJsonObject(1);
        assertEquals("probabilities", probabilities.getString("name"));
        assertEquals("FP32", probabilities.getString("datatype"));
        assertEquals("[-1,13]", probabilities.getJsonArray("shape").toString());
        return List.of(
                probabilities.getJsonObject("parameters").getString("labels").split(","));
    }

    @Test
    void theMetadataNamesTheProbabilitiesAndTheirLabelOrder() {
        assertEquals(PredictV1IT.LABELS, labelOrder());
    }

    @Test
    void eachRowIsThatSentencesDistributionAsPredictGivesIt() {
        List<String> labels = labelOrder();
        List<String> sentences = InferenceCalls.tweets();
        Response r = conforming(base)
                .contentType("application/json")
                .body(request("42", sentences))
                .post("v2/models/emotion/infer");
        r.then().statusCode(200);
        JsonObject answer = json(r);
        assertEquals("42", answer.getString("id"));
        JsonArray outputs = answer.getJsonArray("outputs");
        assertEquals(
                List.of("label", "probabilities"),
                outputs.getValuesAs(JsonObject.class).stream()
                        .map(o -> o.getString("name"))
                        .toList());
        List<String> predicted = outputs.getJsonObject(0).getJsonArray("data").getValuesAs(JsonString::getString);
        JsonObject tensor = outputs.getJsonObject(1);
        assertEquals("FP32", tensor.getString("datatype"));
        assertEquals(
                "[" + sentences.size() + ",13]", tensor.getJsonArray("shape").toString());
        JsonArray data = tensor.getJsonArray("data");
        assertEquals(sentences.size() * 13, data.size(), "flat, row-major");
        for (int i = 0; i < sentences.size(); i++) {
            Response single = given().baseUri(base.toString())
                    .contentType("application/json")
                    .body(Json.createObjectBuilder()
                            .add("sentence", sentences.get(i))
                            .build()
                            .toString())
                    .post("predict");
            Map<String, Double> expected = single.jsonPath()
                    .using(new JsonPathConfig(JsonPathConfig.NumberReturnType.DOUBLE))
                    .getMap("prediction_proba_dict");
            double[] row = new double[13];
            double sum = 0;
            int argMax = 0;
            for (int j = 0; j < 13; j++) {
                row[j] = data.getJsonNumber(i * 13 + j).doubleValue();
                sum += row[j];
                argMax = row[j] > row[argMax] ? j : argMax;
                assertEquals(
                        (float) (double) expected.get(labels.get(j)),
                        (float) row[j],
                        0.0f,
                        "sentence " + i + ", " + labels.get(j) + ": the FP32 value of /predict's probability");
            }
            assertEquals(1.0, sum, 1e-5, "row " + i + " sums to 1 (FP32): " + Arrays.toString(row));
            assertEquals(labels.get(argMax), predicted.get(i), "the label is the row's arg-max");
            assertEquals(single.jsonPath().getString("'prediction value'"), predicted.get(i));
        }
    }

    @Test
    void onlyTheOutputsAskedForInTheOrderAsked() {
        Response r = conforming(base)
                .contentType("application/json")
                .body(request(null, List.of("so happy", "so sad"), "probabilities"))
                .post("v2/models/emotion/infer");
        r.then().statusCode(200);
        JsonArray outputs = json(r).getJsonArray("outputs");
        assertEquals(1, outputs.size());
        assertEquals("probabilities", outputs.getJsonObject(0).getString("name"));
        Response both = conforming(base)
                .contentType("application/json")
                .body(request(null, List.of("so happy"), "probabilities", "label"))
                .post("v2/models/emotion/infer");
        assertEquals(List.of("probabilities", "label"), both.jsonPath().getList("outputs.name"));
    }
}
