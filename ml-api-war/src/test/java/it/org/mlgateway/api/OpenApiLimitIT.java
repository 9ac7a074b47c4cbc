package it.org.mlgateway.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.net.URL;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A server configured with another sentence limit documents that limit, and enforces the same one. */
@ExtendWith(ArquillianExtension.class)
class OpenApiLimitIT {

    private static final int LIMIT = 140;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.variant("v1", "api.sentence.max-length=" + LIMIT);
    }

    @ArquillianResource
    URL base;

    @Test
    void openApiMaxLengthIsTheConfiguredLimit() {
        given().baseUri(base.getProtocol() + "://" + base.getHost() + ":" + base.getPort())
                .accept("application/json").get("/openapi").then()
                .statusCode(200)
                .body("components.schemas.PredictRequest.properties.sentence.maxLength", equalTo(LIMIT));
    }

    @Test
    void theDocumentedLimitIsTheEnforcedOne() {
        post("a".repeat(LIMIT)).then().statusCode(200);
        post("a".repeat(LIMIT + 1)).then().statusCode(422).body("error", equalTo("sentence_too_long"));
    }

    private io.restassured.response.Response post(String sentence) {
        return given().baseUri(base.toString()).contentType("application/json")
                .body("{\"sentence\": \"" + sentence + "\"}").post("predict");
    }
}
