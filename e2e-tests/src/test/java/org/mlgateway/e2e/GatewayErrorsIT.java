package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The gateway's own refusals are JSON, and only POST /predict reaches the API servers. */
class GatewayErrorsIT {

    private static void assertJsonError(Response response, int status, String error) {
        assertEquals(status, response.statusCode(), response.asString());
        assertTrue(response.contentType().startsWith("application/json"), response.contentType());
        JsonNode body = GatewayCalls.json(response);
        assertEquals(error, body.get("error").asText(), body.toString());
        assertTrue(body.hasNonNull("message"), body.toString());
    }

    @Test
    void unknownPathIs404Json() {
        assertJsonError(StackEnv.authenticated().get("/no/such/thing"), 404, "not_found");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/metrics", "/health", "/health/ready", "/openapi", "/openapi/ui", "/nginx_status"})
    void serverEndpointsAreNotExposed(String path) {
        // In the debug group, which is told X-Served-By: had a server answered, it would say so.
        Response response =
                StackEnv.authenticated().header("X-Experiment-Group", "debug").get(path);

        assertJsonError(response, 404, "not_found");
        assertNull(response.header("X-Served-By"), "no API server answered " + path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "PUT", "DELETE", "PATCH"})
    void otherMethodsOnPredictAre405Json(String method) {
        Response response = StackEnv.authenticated()
                .contentType(ContentType.JSON)
                .body("{\"sentence\": \"hi\"}")
                .request(method, "/predict");

        assertJsonError(response, 405, "method_not_allowed");
        assertEquals("POST", response.header("Allow"));
    }

    @Test
    void bodyOverTheLimitIs413Json() {
        String sentence = "a".repeat(100 * 1024);
        Response response = StackEnv.authenticated()
                .contentType(ContentType.JSON)
                .body("{\"sentence\": \"" + sentence + "\"}")
                .post("/predict");

        assertJsonError(response, 413, "body_too_large");
        // The message names the limit as configured, from the same setting as the limit itself.
        assertEquals(
                "The request body is larger than " + StackEnv.env("GATEWAY_MAX_BODY_SIZE", "64k") + ".",
                GatewayCalls.json(response).get("message").asText());
    }

    @Test
    void overlongUriIs414Json() {
        assertJsonError(StackEnv.authenticated().get("/predict?q=" + "a".repeat(10_000)), 414, "uri_too_long");
    }

    @Test
    void overlongHeaderIsRefusedWithJson() {
        Response response =
                StackEnv.authenticated().header("X-Padding", "a".repeat(10_000)).get("/gateway-health");

        assertJsonError(response, 400, "request_header_too_large");
    }

    @Test
    void apiValidationErrorsPassThroughTheGateway() throws Exception {
        GatewayFiles.LogPosition before = GatewayFiles.accessLogPosition();
        Response response = StackEnv.authenticated()
                .contentType(ContentType.JSON)
                .body("{\"sentence\": ")
                .post("/predict");

        assertEquals(400, response.statusCode(), response.asString());
        String server = GatewayFiles.serverOf(response.header("X-Request-ID"), before);
        assertTrue(
                server != null && server.startsWith("api-v1-"),
                "a v1 server answered (the gateway's log says " + server + ")");
        assertTrue(GatewayCalls.json(response).hasNonNull("error"));
    }
}
