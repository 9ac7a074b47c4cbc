package it.org.mlgateway.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.net.URL;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A server configured with other sentence and batch limits documents those limits, and enforces the same ones. */
@ExtendWith(ArquillianExtension.class)
class OpenApiLimitIT {

    private static final int LIMIT = 140;
    private static final int BATCH = 3;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.variant("v1", "api.sentence.max-length=" + LIMIT + "\napi.batch.max=" + BATCH);
    }

    @ArquillianResource
    URL base;

    @Test
    void openApiMaxLengthIsTheConfiguredLimit() {
        given().baseUri(base.getProtocol() + "://" + base.getHost() + ":" + base.getPort())
                .accept("application/json")
                .get("/openapi")
                .then()
                .statusCode(200)
                .body("components.schemas.PredictRequest.properties.sentence.maxLength", equalTo(LIMIT))
                .body("components.schemas.InferenceRequestInput.properties.data.items.maxLength", equalTo(LIMIT))
                .body("components.schemas.InferenceRequestInput.properties.data.maxItems", equalTo(BATCH));
    }

    @Test
    void theDocumentedBatchLimitIsTheEnforcedOneAndTheMetadataSaysIt() {
        InferenceCalls.conforming(base)
                .get("v2/models/emotion")
                .then()
                .statusCode(200)
                .body("parameters.max_batch_size", equalTo(BATCH))
                .body("parameters.max_sentence_length", equalTo(LIMIT));
        InferenceCalls.conforming(base)
                .contentType("application/json")
                .body(InferenceCalls.request(null, List.of("a", "b", "c")))
                .post("v2/models/emotion/infer")
                .then()
                .statusCode(200);
        InferenceCalls.conforming(base)
                .contentType("application/json")
                .body(InferenceCalls.request(null, List.of("a", "b", "c", "d")))
                .post("v2/models/emotion/infer")
                .then()
                .statusCode(413)
                .body("error", equalTo("batch_too_large"));
        InferenceCalls.conforming(base)
                .contentType("application/json")
                .body(InferenceCalls.request(null, List.of("a".repeat(LIMIT + 1))))
                .post("v2/models/emotion/infer")
                .then()
                .statusCode(422)
                .body("error", equalTo("sentence_too_long"));
    }

    @Test
    void theDocumentedLimitIsTheEnforcedOne() {
        post("a".repeat(LIMIT)).then().statusCode(200);
        post("a".repeat(LIMIT + 1)).then().statusCode(422).body("error", equalTo("sentence_too_long"));
    }

    private io.restassured.response.Response post(String sentence) {
        return given().baseUri(base.toString())
                .contentType("application/json")
                .body("{\"sentence\": \"" + sentence + "\"}")
                .post("predict");
    }
}
