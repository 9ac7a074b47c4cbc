package it.org.mlgateway.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.restassured.response.ValidatableResponse;
import java.net.URL;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every refusal is a JSON error with the documented status; none harms the requests after it. */
@ExtendWith(ArquillianExtension.class)
class ErrorContractIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.variant("v1");
    }

    @ArquillianResource
    URL base;

    private ValidatableResponse post(String contentType, String body) {
        return given().baseUri(base.toString())
                .contentType(contentType)
                .body(body)
                .post("predict")
                .then();
    }

    private static void isJsonError(ValidatableResponse response, int status, String code) {
        response.statusCode(status)
                .contentType("application/json")
                .body("error", equalTo(code))
                .body("message", not(containsString("Exception")))
                .body(not(containsString("\tat ")));
    }

    @AfterEach
    void stillServes() {
        post("application/json", "{\"sentence\": \"still here\"}").statusCode(200);
    }

    @Test
    void malformedJsonIs400() {
        isJsonError(post("application/json", "{\"sentence\": "), 400, "invalid_json");
    }

    @Test
    void emptyBodyIs400() {
        isJsonError(post("application/json", ""), 400, "invalid_json");
    }

    @Test
    void notJsonIs415() {
        isJsonError(post("text/plain", "I love this"), 415, "unsupported_media_type");
    }

    @Test
    void missingSentenceIs422() {
        isJsonError(post("application/json", "{\"text\": \"hello\"}"), 422, "missing_sentence");
    }

    @Test
    void nonStringSentenceIs422() {
        isJsonError(post("application/json", "{\"sentence\": 12}"), 422, "invalid_sentence");
    }

    @Test
    void blankSentenceIs422() {
        isJsonError(post("application/json", "{\"sentence\": \"   \"}"), 422, "blank_sentence");
    }

    @Test
    void overLongSentenceIs422() {
        isJsonError(post("application/json", "{\"sentence\": \"" + "a".repeat(5001) + "\"}"), 422, "sentence_too_long");
    }

    @Test
    void sentenceAtTheLimitIsServed() {
        post("application/json", "{\"sentence\": \"" + "ab ".repeat(1666) + "ab\"}")
                .statusCode(200);
    }

    @Test
    void wrongMethodIs405() {
        ValidatableResponse response =
                given().baseUri(base.toString()).get("predict").then();
        isJsonError(response, 405, "method_not_allowed");
        response.header("Allow", containsString("POST"));
    }

    @Test
    void unknownPathIs404() {
        isJsonError(given().baseUri(base.toString()).get("no/such/path").then(), 404, "not_found");
    }
}
