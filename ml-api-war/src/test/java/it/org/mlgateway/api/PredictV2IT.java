package it.org.mlgateway.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.path.json.config.JsonPathConfig;
import io.restassured.response.Response;
import java.net.URL;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The debug variant adds the whole distribution: 13 labels, summing to 1, arg-max = label. */
@ExtendWith(ArquillianExtension.class)
class PredictV2IT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.variant("v2");
    }

    @ArquillianResource
    URL base;

    @Test
    void answersTheLabelAndEveryProbability() {
        Response response = given().baseUri(base.toString())
                .contentType("application/json")
                .body("{\"sentence\": \"I am so worried about the exam tomorrow\"}")
                .post("predict");
        response.then().statusCode(200).header("X-Served-By", "api-v2-it");

        Map<String, Object> body = response.jsonPath().getMap("");
        assertEquals(List.of("prediction value", "prediction_proba_dict"), List.copyOf(body.keySet()));
        // Doubles, not REST Assured's default floats: the sum is checked to 1e-6.
        Map<String, Double> exact = response.jsonPath()
                .using(new JsonPathConfig(JsonPathConfig.NumberReturnType.DOUBLE))
                .getMap("prediction_proba_dict");
        assertEquals(PredictV1IT.LABELS, List.copyOf(new java.util.TreeMap<>(exact).keySet()));
        double sum = exact.values().stream().mapToDouble(Double::doubleValue).sum();
        assertEquals(1.0, sum, 1e-6);
        exact.values().forEach(p -> assertTrue(p >= 0 && p <= 1, "probability " + p));
        String argMax = exact.entrySet().stream()
                .max(Map.Entry.comparingByValue())
                .orElseThrow()
                .getKey();
        assertEquals(argMax, response.jsonPath().getString("'prediction value'"));
    }
}
