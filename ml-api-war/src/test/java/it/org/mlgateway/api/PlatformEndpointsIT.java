package it.org.mlgateway.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URL;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Health, metrics and OpenAPI, as MicroProfile serves them beside the API. */
@ExtendWith(ArquillianExtension.class)
class PlatformEndpointsIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.variant("v1");
    }

    @ArquillianResource
    URL base;

    /** The server root: health, metrics and OpenAPI have their own context roots. */
    private String server() {
        return base.getProtocol() + "://" + base.getHost() + ":" + base.getPort();
    }

    @Test
    void readyOnceTheModelIsLoaded() {
        given().baseUri(server()).get("/health/ready").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("model"));
    }

    @Test
    void live() {
        given().baseUri(server()).get("/health/live").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("heap"));
    }

    @Test
    void countsPredictionsByLabelAndRejectionsByReason() {
        String label = given().baseUri(base.toString()).contentType("application/json")
                .body("{\"sentence\": \"so sad and lonely today\"}").post("predict")
                .then().statusCode(200).extract().jsonPath().getString("'prediction value'");
        double before = predictions(label);
        double rejectedBefore = counter("rejected_requests_total", "reason=\"missing_sentence\"");
        given().baseUri(base.toString()).contentType("application/json")
                .body("{\"sentence\": \"so sad and lonely today\"}").post("predict").then().statusCode(200);
        given().baseUri(base.toString()).contentType("application/json")
                .body("{}").post("predict").then().statusCode(422);
        assertEquals(before + 1, predictions(label), 1e-9);
        assertEquals(rejectedBefore + 1, counter("rejected_requests_total", "reason=\"missing_sentence\""), 1e-9);
        given().baseUri(server()).get("/metrics").then()
                .contentType(containsString("text/plain"))
                .body(containsString("# TYPE predictions_total counter"))
                .body(containsString("inference_seconds_count"));
    }

    @Test
    void namesTheServedModelInMetrics() {
        String version = given().baseUri(base.toString()).contentType("application/json")
                .body("{\"sentence\": \"hello\"}").post("predict")
                .then().statusCode(200).extract().header("X-Model-Version");
        assertEquals(1.0, counter("model_info", "version=\"" + version + "\"", "variant=\"v1\""), 0.0);
    }

    private double predictions(String label) {
        return counter("predictions_total", "label=\"" + label + "\"", "variant=\"v1\"");
    }

    /** Sums the samples of one metric whose labels include all the given pairs. */
    private double counter(String name, String... labels) {
        String text = given().baseUri(server()).get("/metrics").then().statusCode(200).extract().asString();
        Matcher line = Pattern.compile("(?m)^" + name + "\\{([^}]*)\\} (\\S+)$").matcher(text);
        double sum = 0;
        while (line.find()) {
            boolean all = true;
            for (String pair : labels) {
                all &= line.group(1).contains(pair);
            }
            if (all) {
                sum += Double.parseDouble(line.group(2));
            }
        }
        return sum;
    }

    @Test
    void documentsPredictWithExamples() {
        given().baseUri(server()).accept("application/json").get("/openapi").then()
                .statusCode(200)
                .body("paths.'/predict'.post.summary", equalTo("Predict the emotion of a sentence"))
                .body("paths.'/predict'.post.requestBody.content.'application/json'.examples.love.value.sentence",
                        equalTo("I love this!"))
                // The default limit (OpenApiLimitIT checks a configured one).
                .body("components.schemas.PredictRequest.properties.sentence.maxLength", equalTo(5000));
        given().baseUri(server()).get("/openapi/ui/").then().statusCode(200).contentType(containsString("text/html"));
    }
}
