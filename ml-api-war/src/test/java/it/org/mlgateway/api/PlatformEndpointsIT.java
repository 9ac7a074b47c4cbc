package it.org.mlgateway.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URL;
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
        given().baseUri(server())
                .get("/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("model"));
    }

    @Test
    void live() {
        given().baseUri(server())
                .get("/health/live")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("heap"));
    }

    @Test
    void countsPredictionsByLabelAndRejectionsByReason() {
        String label = given().baseUri(base.toString())
                .contentType("application/json")
                .body("{\"sentence\": \"so sad and lonely today\"}")
                .post("predict")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getString("'prediction value'");
        double before = predictions(label);
        double rejectedBefore = counter("rejected_requests_total", "reason=\"missing_sentence\"");
        given().baseUri(base.toString())
                .contentType("application/json")
                .body("{\"sentence\": \"so sad and lonely today\"}")
                .post("predict")
                .then()
                .statusCode(200);
        given().baseUri(base.toString())
                .contentType("application/json")
                .body("{}")
                .post("predict")
                .then()
                .statusCode(422);
        assertEquals(before + 1, predictions(label), 1e-9);
        assertEquals(rejectedBefore + 1, counter("rejected_requests_total", "reason=\"missing_sentence\""), 1e-9);
        given().baseUri(server())
                .get("/metrics")
                .then()
                .contentType(containsString("text/plain"))
                .body(containsString("# TYPE predictions_total counter"))
                .body(containsString("inference_seconds_count"));
    }

    @Test
    void namesTheServedModelInMetrics() {
        String version = given().baseUri(base.toString())
                .contentType("application/json")
                .body("{\"sentence\": \"hello\"}")
                .post("predict")
                .then()
                .statusCode(200)
                .extract()
                .header("X-Model-Version");
        assertEquals(1.0, counter("model_info", "version=\"" + version + "\"", "variant=\"v1\""), 0.0);
    }

    private double predictions(String label) {
        return counter("predictions_total", "label=\"" + label + "\"", "variant=\"v1\"");
    }

    private double counter(String name, String... labels) {
        return ServerMetrics.sum(base, name, labels);
    }

    @Test
    void documentsPredictWithExamples() {
        given().baseUri(server())
                .accept("application/json")
                .get("/openapi")
                .then()
                .statusCode(200)
                .body("paths.'/predict'.post.summary", equalTo("Predict the emotion of a sentence"))
                .body(
                        "paths.'/predict'.post.requestBody.content.'application/json'.examples.love.value.sentence",
                        equalTo("I love this!"))
                // The default limit (OpenApiLimitIT checks a configured one).
                .body("components.schemas.PredictRequest.properties.sentence.maxLength", equalTo(5000));
        given().baseUri(server()).get("/openapi/ui/").then().statusCode(200).contentType(containsString("text/html"));
    }

    @Test
    void documentsTheOpenInferenceProtocolEndpoints() {
        String infer = "paths.'/v2/models/{model}/infer'.post";
        given().baseUri(server())
                .accept("application/json")
                .get("/openapi")
                .then()
                .statusCode(200)
                .body("paths.'/v2'.get.summary", equalTo("Server metadata"))
                .body("paths.'/v2/health/live'.get.summary", equalTo("Server live"))
                .body("paths.'/v2/health/ready'.get.summary", equalTo("Server ready"))
                .body("paths.'/v2/models/{model}'.get.summary", equalTo("Model metadata"))
                .body("paths.'/v2/models/{model}/ready'.get.summary", equalTo("Model ready"))
                .body(
                        "paths.'/v2/models/{model}/versions/{version}'.get.summary",
                        equalTo("Model metadata, of one version"))
                .body(
                        "paths.'/v2/models/{model}/versions/{version}/ready'.get.summary",
                        equalTo("Model ready, of one version"))
                .body(
                        "paths.'/v2/models/{model}/versions/{version}/infer'.post.summary",
                        equalTo("Inference, by one version"))
                .body(infer + ".summary", equalTo("Inference: the emotion of each sentence of a batch"))
                .body(
                        infer + ".requestBody.content.'application/json'.examples.'two sentences'.value.inputs[0].name",
                        equalTo("text"))
                .body(infer + ".responses.'413'.description", containsString("api.batch.max"))
                // The default limits (OpenApiLimitIT checks configured ones).
                .body("components.schemas.InferenceRequestInput.properties.data.maxItems", equalTo(64))
                .body("components.schemas.InferenceRequestInput.properties.data.items.maxLength", equalTo(5000))
                .body("components.schemas.ModelMetadata.properties", hasKey("parameters"))
                .body("components.schemas.InferenceResponse.properties", hasKey("outputs"))
                .body("components.schemas.InferenceResponseOutput.properties.data.type", equalTo("array"));
    }
}
