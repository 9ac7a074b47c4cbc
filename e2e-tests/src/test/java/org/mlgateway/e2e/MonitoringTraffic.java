package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.restassured.http.ContentType;
import java.util.Map;

/**
 * One request of every kind the dashboard plots, sent through the gateway, so that each panel has
 * something to show: v1 and v2 predictions, an API rejection (422) and a gateway refusal (401).
 */
final class MonitoringTraffic {

    private MonitoringTraffic() {}

    static void sendEveryKind() {
        String[] sentences = {"I love this!", "This is so boring", "I am worried about tomorrow"};
        for (String sentence : sentences) {
            assertEquals(200, GatewayCalls.predict(sentence, null).statusCode(), "v1 prediction");
            GatewayCalls.paceBelowRateLimit();
        }
        assertEquals(200, GatewayCalls.predict("What a surprise", "debug").statusCode(), "v2 prediction");
        GatewayCalls.paceBelowRateLimit();
        assertEquals(
                422,
                StackEnv.authenticated()
                        .contentType(ContentType.JSON)
                        .body(Map.of("sentence", " "))
                        .post("/predict")
                        .statusCode(),
                "blank sentence");
        GatewayCalls.paceBelowRateLimit();
        assertEquals(
                401,
                StackEnv.gateway()
                        .auth()
                        .preemptive()
                        .basic(StackEnv.user(), "not-the-password")
                        .contentType(ContentType.JSON)
                        .body(Map.of("sentence", "hello"))
                        .post("/predict")
                        .statusCode(),
                "wrong password");
    }
}
