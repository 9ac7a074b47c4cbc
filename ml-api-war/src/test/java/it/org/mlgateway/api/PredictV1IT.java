package it.org.mlgateway.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.in;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

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

/** The production variant answers the label alone, under the original field name. */
@ExtendWith(ArquillianExtension.class)
class PredictV1IT {

    static final List<String> LABELS = List.of(
            "anger",
            "boredom",
            "empty",
            "enthusiasm",
            "fun",
            "happiness",
            "hate",
            "love",
            "neutral",
            "relief",
            "sadness",
            "surprise",
            "worry");

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.variant("v1");
    }

    @ArquillianResource
    URL base;

    @Test
    void answersOnlyThePredictionValue() {
        Response response = given().baseUri(base.toString())
                .contentType("application/json")
                .body("{\"sentence\": \"I love you so much, best day ever\"}")
                .post("predict");
        response.then()
                .statusCode(200)
                .contentType("application/json")
                .header("X-Served-By", equalTo("api-v1-it"))
                .header("X-Model-Version", not(emptyOrNullString()))
                .body("'prediction value'", in(LABELS));
        Map<String, Object> body = response.jsonPath().getMap("");
        assertEquals(List.of("prediction value"), List.copyOf(body.keySet()));
    }

    @Test
    void acceptsACharsetParameterAndUnicode() {
        given().baseUri(base.toString())
                .contentType("application/json; charset=UTF-8")
                .body("{\"sentence\": \"\u05E9\u05DC\u05D5\u05DD \uD83D\uDE00 so happy\"}")
                .post("predict")
                .then()
                .statusCode(200)
                .body("'prediction value'", in(LABELS));
    }
}
