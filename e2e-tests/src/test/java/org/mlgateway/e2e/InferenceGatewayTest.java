package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's rules for the Open Inference Protocol's paths, in a private nginx with the project's
 * files in front of a recording server: which paths and methods reach a server (as sent), which are
 * refused by the gateway itself with its JSON errors, and the credentials, experiment-group routing and
 * rate limit shared with /predict. No stack needed.
 */
class InferenceGatewayTest {

    private static final byte[] BODY = "{}".getBytes(StandardCharsets.UTF_8);

    @Test
    void theProtocolsPathsReachTheServersWithTheirMethodsAndNothingElseDoes(@TempDir Path dir) throws Exception {
        try (RecordingUpstream upstream = new RecordingUpstream();
                PrivateGateway gateway = new PrivateGateway(dir, null, Map.of(), upstream.port())) {
            for (String path : List.of(
                    "/v2",
                    "/v2/",
                    "/v2/health/live",
                    "/v2/health/ready",
                    "/v2/models/emotion",
                    "/v2/models/emotion/ready",
                    "/v2/models/emotion/versions/8b357f0c0dbd",
                    "/v2/models/emotion/versions/8b357f0c0dbd/ready",
                    "/v2/models/other-model_1.0")) {
                assertProxied(gateway, upstream, "GET", path);
                assertProxied(gateway, upstream, "HEAD", path);
                assertEquals(
                        "GET, HEAD",
                        assertRefused(gateway, upstream, "POST", path, 405, "method_not_allowed")
                                .header("Allow"),
                        path);
                assertEquals(
                        "GET, HEAD",
                        assertRefused(gateway, upstream, "DELETE", path, 405, "method_not_allowed")
                                .header("Allow"),
                        path);
            }
            for (String path : List.of("/v2/models/emotion/infer", "/v2/models/emotion/versions/8b357f0c0dbd/infer")) {
                assertProxied(gateway, upstream, "POST", path);
                assertEquals(
                        "POST",
                        assertRefused(gateway, upstream, "GET", path, 405, "method_not_allowed")
                                .header("Allow"),
                        path);
            }
            assertEquals(
                    "POST",
                    assertRefused(gateway, upstream, "GET", "/predict", 405, "method_not_allowed")
                            .header("Allow"),
                    "/predict keeps its Allow");
            for (String path : List.of(
                    "/v2/models",
                    "/v2/models/emotion/labels",
                    "/v2/health",
                    "/v2x",
                    "/v2/models/.hidden/infer",
                    "/v2/models/emo%74ion/infer",
                    "//v2/models/emotion/infer",
                    "/v2/models/emotion/./infer",
                    "/v2/models/x/../emotion/infer",
                    "/v2/models/emotion//ready")) {
                String method = path.endsWith("infer") ? "POST" : "GET";
                assertRefused(gateway, upstream, method, path, 404, "not_found");
            }
        }
    }

    @Test
    void credentialsRoutingAndTheRateLimitAreThoseOfPredict(@TempDir Path dir) throws Exception {
        try (RecordingUpstream upstream = new RecordingUpstream();
                PrivateGateway gateway =
                        new PrivateGateway(dir, null, Map.of("RATE_LIMIT", "1", "RATE_BURST", "2"), upstream.port())) {
            RawHttps.Reply anonymous = gateway.sendHttps(RawHttps.request(
                    "POST",
                    "/v2/models/emotion/infer",
                    List.of("Host: localhost", "Content-Type: application/json"),
                    BODY));
            assertEquals(401, anonymous.status(), anonymous.toString());
            assertTrue(anonymous.header("WWW-Authenticate").startsWith("Basic"), anonymous.toString());
            assertEquals(
                    "unauthorized",
                    GatewayCalls.JSON.readTree(anonymous.text()).path("error").asText());

            upstream.received.clear();
            assertEquals(
                    200,
                    send(gateway, "GET", "/v2/models/emotion", "X-Experiment-Group: debug")
                            .status());
            assertEquals(List.of("api_v2"), upstream.received.peek().headers().get("host"), "debug: the v2 server");
            upstream.received.clear();
            assertEquals(200, send(gateway, "POST", "/v2/models/emotion/infer").status());
            assertEquals(List.of("api_v1"), upstream.received.peek().headers().get("host"), "everyone else: v1");

            // One request a second with a burst of two: once /predict has met the limit, the protocol meets it too.
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 10 && !statuses.contains(429); i++) {
                statuses.add(send(gateway, "POST", "/predict").status());
            }
            assertTrue(statuses.contains(429), "a quick run of requests meets the limit: " + statuses);
            for (String[] request :
                    new String[][] {{"POST", "/v2/models/emotion/infer"}, {"GET", "/v2/models/emotion"}}) {
                RawHttps.Reply limited = send(gateway, request[0], request[1]);
                assertEquals(429, limited.status(), request[1] + " shares /predict's budget: " + limited);
                assertEquals("1", limited.header("Retry-After"));
                assertEquals(
                        "too_many_requests",
                        GatewayCalls.JSON.readTree(limited.text()).path("error").asText());
            }
        }
    }

    private static RawHttps.Reply send(PrivateGateway gateway, String method, String path, String... extra)
            throws Exception {
        List<String> headers = new ArrayList<>(List.of(
                "Host: localhost", "Authorization: " + gateway.basicAuthorization(), "Content-Type: application/json"));
        headers.addAll(List.of(extra));
        return gateway.sendHttps(RawHttps.request(method, path, headers, method.equals("POST") ? BODY : null));
    }

    private static void assertProxied(PrivateGateway gateway, RecordingUpstream upstream, String method, String path)
            throws Exception {
        upstream.received.clear();
        RawHttps.Reply reply = send(gateway, method, path);
        assertEquals(200, reply.status(), method + " " + path + ": " + reply);
        assertEquals(1, upstream.received.size(), method + " " + path);
        assertEquals(method, upstream.received.peek().method());
        assertEquals(path, upstream.received.peek().path(), "the path as the client sent it");
    }

    private static RawHttps.Reply assertRefused(
            PrivateGateway gateway, RecordingUpstream upstream, String method, String path, int status, String code)
            throws Exception {
        upstream.received.clear();
        RawHttps.Reply reply = send(gateway, method, path);
        assertEquals(status, reply.status(), method + " " + path + ": " + reply);
        assertEquals(0, upstream.received.size(), method + " " + path + " reached a server");
        assertTrue(reply.header("Content-Type").startsWith("application/json"), reply.toString());
        assertEquals(
                code, GatewayCalls.JSON.readTree(reply.text()).path("error").asText(), method + " " + path);
        return reply;
    }
}
