package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

/** Basic authentication in front of /predict: no answer from the model without valid credentials. */
class GatewayAuthIT {

    private static final String BODY = "{\"sentence\": \"I love this!\"}";

    @Test
    void missingCredentialsGet401WithChallengeAndJson() {
        // In the debug group, which is told X-Served-By: had a server answered, it would say so.
        Response response = StackEnv.gateway()
                .header("X-Experiment-Group", "debug")
                .contentType(ContentType.JSON)
                .body(BODY)
                .post("/predict");

        assertEquals(401, response.statusCode());
        String challenge = response.header("WWW-Authenticate");
        assertNotNull(challenge, "a 401 names its authentication scheme");
        assertTrue(challenge.startsWith("Basic realm="), challenge);
        assertTrue(response.contentType().startsWith("application/json"), response.contentType());
        assertEquals("unauthorized", GatewayCalls.json(response).get("error").asText());
        assertEquals(null, response.header("X-Served-By"), "no API server was involved");
    }

    @Test
    void wrongPasswordGets401() {
        Response response = StackEnv.gateway()
                .auth()
                .preemptive()
                .basic(StackEnv.user(), StackEnv.password() + "-wrong")
                .contentType(ContentType.JSON)
                .body(BODY)
                .post("/predict");

        assertEquals(401, response.statusCode());
        assertNotNull(response.header("WWW-Authenticate"));
        assertEquals("unauthorized", GatewayCalls.json(response).get("error").asText());
    }

    @Test
    void unknownUserGets401() {
        Response response = StackEnv.gateway()
                .auth()
                .preemptive()
                .basic("nobody-" + StackEnv.user(), StackEnv.password())
                .contentType(ContentType.JSON)
                .body(BODY)
                .post("/predict");

        assertEquals(401, response.statusCode());
    }

    @Test
    void validCredentialsGetAnAnswer() {
        Response response = GatewayCalls.predict("I love this!", null);

        assertEquals(200, response.statusCode(), response.asString());
    }
}
