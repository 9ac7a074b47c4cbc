package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A server takes X-Request-ID (the key of its prediction log, which it also repeats in its answer)
 * only from the gateway: from a request carrying the gateway's token (X-Gateway-Token, generated at
 * the stack's first start into state/secrets/gateway-token, sent by Nginx). Anyone else who reaches
 * a server's port on loopback gets an answer, but cannot plant a request id. (X-Shadow, the other
 * header a server takes from the gateway only, is checked on the candidate: ShadowAndCanaryIT.)
 */
class GatewayOriginIT {

    private static final HttpClient DIRECT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3))
            .build();

    static String gatewayToken() throws Exception {
        String token = Files.readString(StackEnv.stateDir().resolve("secrets/gateway-token"))
                .trim();
        assertTrue(token.matches("[0-9a-f]{32}"), "a generated 128-bit token");
        return token;
    }

    /** POST /predict straight to a server's port, with the given extra headers. */
    static HttpResponse<String> predictDirect(int port, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/predict"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"sentence\": \"who sent me?\"}"));
        headers.forEach(request::header);
        HttpResponse<String> response = DIRECT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response;
    }

    @Test
    void aRequestIdFromAnyoneButTheGatewayIsNeitherRepeatedNorLogged() throws Exception {
        StackServers.Server server = StackServers.v1().get(StackServers.v1().size() - 1);
        String run = Long.toHexString(System.nanoTime());
        String noToken = "f0" + run + "a".repeat(30 - run.length());
        String wrongToken = "f1" + run + "b".repeat(30 - run.length());
        String gateways = "f2" + run + "c".repeat(30 - run.length());

        assertNull(
                predictDirect(server.port(), Map.of("X-Request-ID", noToken))
                        .headers()
                        .firstValue("X-Request-ID")
                        .orElse(null),
                "an id without the gateway's token is not repeated");
        assertNull(
                predictDirect(server.port(), Map.of("X-Request-ID", wrongToken, "X-Gateway-Token", "0".repeat(32)))
                        .headers()
                        .firstValue("X-Request-ID")
                        .orElse(null),
                "nor one with a wrong token");
        HttpResponse<String> fromGateway =
                predictDirect(server.port(), Map.of("X-Request-ID", gateways, "X-Gateway-Token", gatewayToken()));
        assertEquals(
                gateways, fromGateway.headers().firstValue("X-Request-ID").orElse(null), "the gateway's is repeated");

        // The gateway's id reaches the prediction log; once it is there, so would the others be, had they counted.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String log;
        while (!(log = String.join("\n", GatewayFiles.predictionLogLines(server.name()))).contains(gateways)) {
            assertTrue(
                    System.nanoTime() < deadline,
                    "the gateway's request id reaches " + GatewayFiles.serverLogDir(server.name()) + " within 10 s");
            Thread.sleep(200);
        }
        assertFalse(log.contains(noToken), "an id without the token is not in the prediction log");
        assertFalse(log.contains(wrongToken), "nor one with a wrong token");
    }

    /** Through the gateway, every answer carries the gateway's request id: Nginx sends its token. */
    @Test
    void throughTheGatewayTheRequestIdComesBack() {
        for (String group : List.of("", "debug")) {
            var answer = GatewayCalls.predict("via the gateway", group.isEmpty() ? null : group);
            assertEquals(200, answer.statusCode(), answer.asString());
            assertTrue(
                    String.valueOf(answer.header("X-Request-ID")).matches("[0-9a-f]{32}"),
                    "the gateway's request id comes back (group '" + group + "'): " + answer.header("X-Request-ID"));
            GatewayCalls.paceBelowRateLimit();
        }
    }
}
