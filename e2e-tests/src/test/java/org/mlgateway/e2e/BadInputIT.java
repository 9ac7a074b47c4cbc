package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile and broken requests through the gateway, sent byte for byte: each gets its documented
 * status with a JSON error body (or, for odd but valid sentences, a prediction), never a 5xx or a
 * stack trace, and afterwards every server is still ready and answers normally.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputIT {

    /** Who must have answered: nginx alone, a v1 server, the v2 server, or either. */
    enum Answerer {
        GATEWAY,
        V1,
        V2,
        ANY
    }

    record Case(String name, byte[] request, int status, String error, Answerer answerer) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final String JSON = "Content-Type: application/json";
    private static final int MAX_SENTENCE = StackEnv.intSetting("API_SENTENCE_MAX_LENGTH");

    static Stream<Case> corpus() {
        List<Case> cases = new ArrayList<>();
        // --- bodies the API server refuses (or, for odd but valid text, answers) ---
        cases.add(body("malformed: unterminated object", "{\"sentence\": ", 400, "invalid_json"));
        cases.add(body("malformed: garbage after the object", "{\"sentence\": \"hi\"} x", 400, "invalid_json"));
        cases.add(body("malformed: single quotes", "{'sentence': 'hi'}", 400, "invalid_json"));
        cases.add(body("malformed: trailing comma", "{\"sentence\": \"hi\",}", 400, "invalid_json"));
        cases.add(body("malformed: form encoding sent as JSON", "sentence=hi", 400, "invalid_json"));
        cases.add(body(
                "deeply nested arrays, 20,000 levels",
                "{\"a\": " + "[".repeat(20_000) + "]".repeat(20_000) + "}",
                400,
                "invalid_json"));
        cases.add(body("deeply nested and unterminated, 30,000 '['", "[".repeat(30_000), 400, "invalid_json"));
        cases.add(body(
                "sentence is an object nested 50 levels",
                "{\"sentence\": " + "{\"a\": ".repeat(50) + "1" + "}".repeat(50) + "}",
                422,
                "invalid_sentence"));
        cases.add(body("sentence is a number", "{\"sentence\": 42}", 422, "invalid_sentence"));
        cases.add(body("sentence is a boolean", "{\"sentence\": true}", 422, "invalid_sentence"));
        cases.add(body("sentence is null", "{\"sentence\": null}", 422, "invalid_sentence"));
        cases.add(body("sentence is an array of strings", "{\"sentence\": [\"hi\"]}", 422, "invalid_sentence"));
        cases.add(body("sentence is a huge number", "{\"sentence\": 1e999999}", 422, "invalid_sentence"));
        cases.add(
                body("sentence given twice", "{\"sentence\": \"hi\", \"sentence\": \"ho\"}", 422, "invalid_sentence"));
        cases.add(body("body is null", "null", 422, "invalid_body"));
        cases.add(body("body is an array", "[{\"sentence\": \"hi\"}]", 422, "invalid_body"));
        cases.add(body("body is a string", "\"I love this\"", 422, "invalid_body"));
        cases.add(body("empty object", "{}", 422, "missing_sentence"));
        cases.add(body("field name in another case", "{\"Sentence\": \"hi\"}", 422, "missing_sentence"));
        cases.add(body("blank sentence", "{\"sentence\": \"  \\t\\n \"}", 422, "blank_sentence"));
        cases.add(body("empty sentence", "{\"sentence\": \"\"}", 422, "blank_sentence"));
        cases.add(body(
                "sentence one character over the limit",
                sentenceOf("a".repeat(MAX_SENTENCE + 1)),
                422,
                "sentence_too_long"));
        cases.add(body("sentence exactly at the limit", sentenceOf("ha".repeat(MAX_SENTENCE / 2)), 200, null));
        cases.add(new Case(
                "1 MB body",
                post(List.of(auth(), JSON), utf8(sentenceOf("a".repeat(1024 * 1024)))),
                413,
                "body_too_large",
                Answerer.GATEWAY));
        cases.add(bytes("invalid UTF-8 (C3 28)", new byte[] {(byte) 0xC3, 0x28}, 400, "invalid_encoding"));
        cases.add(bytes("overlong UTF-8 (C0 AF)", new byte[] {(byte) 0xC0, (byte) 0xAF}, 400, "invalid_encoding"));
        cases.add(bytes(
                "UTF-8 encoded surrogate (ED A0 80)",
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                400,
                "invalid_encoding"));
        cases.add(bytes("raw NUL byte inside the string", new byte[] {'a', 0, 'b'}, 400, "invalid_json"));
        cases.add(body("escaped NUL inside the string", "{\"sentence\": \"a\\u0000b love\"}", 200, null));
        cases.add(new Case(
                "byte order mark before the JSON",
                post(
                        List.of(auth(), JSON),
                        RawHttps.concat(
                                new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8("{\"sentence\": \"hi\"}"))),
                400,
                "invalid_json",
                Answerer.V1));
        cases.add(body("emoji", sentenceOf("I love this 😍🎉🔥"), 200, null));
        cases.add(body("right-to-left text (Arabic, Hebrew)", sentenceOf("أنا أحب هذا اليوم שלום עולם"), 200, null));
        cases.add(body(
                "RTL override and zero-width characters",
                sentenceOf("\u202Eevol\u202C I\u200B love\u200D it\uFEFF"),
                200,
                null));
        cases.add(body("combining marks", sentenceOf("Z\u0324\u0354\u0367\u0311\u0313a\u0357\u0350lgo"), 200, null));
        cases.add(body("lone surrogate as an escape", "{\"sentence\": \"\\ud800 sad\"}", 200, null));
        cases.add(
                body("markup and SQL in the sentence", sentenceOf("<script>alert(1)</script>' OR 1=1 --"), 200, null));
        // --- what the body is declared as ---
        cases.add(typed("Content-Type text/plain", "Content-Type: text/plain", 415));
        cases.add(typed("Content-Type form-urlencoded", "Content-Type: application/x-www-form-urlencoded", 415));
        cases.add(typed("Content-Type application/xml", "Content-Type: application/xml", 415));
        cases.add(new Case(
                "no Content-Type",
                post(List.of(auth()), utf8("{\"sentence\": \"hi\"}")),
                415,
                "unsupported_media_type",
                Answerer.V1));
        cases.add(new Case(
                "empty body (Content-Length: 0)",
                post(List.of(auth(), JSON), new byte[0]),
                400,
                "invalid_json",
                Answerer.V1));
        cases.add(new Case(
                "no body at all",
                RawHttps.request("POST", "/predict", List.of("Host: localhost", auth(), JSON), null),
                400,
                "invalid_json",
                Answerer.V1));
        cases.add(new Case(
                "Accept: text/html",
                post(List.of(auth(), JSON, "Accept: text/html"), utf8("{\"sentence\": \"hi\"}")),
                406,
                "not_acceptable",
                Answerer.V1));
        // --- methods: only POST reaches /predict ---
        for (String method : List.of("PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "GET", "FROBNICATE")) {
            byte[] payload = "TRACE".equals(method) ? null : utf8("{\"sentence\": \"hi\"}");
            cases.add(new Case(
                    "method " + method,
                    RawHttps.request(method, "/predict", List.of("Host: localhost", auth(), JSON), payload),
                    405,
                    "method_not_allowed",
                    Answerer.GATEWAY));
        }
        cases.add(new Case(
                "method in lower case (post)",
                RawHttps.request(
                        "post", "/predict", List.of("Host: localhost", auth(), JSON), utf8("{\"sentence\": \"hi\"}")),
                400,
                "bad_request",
                Answerer.GATEWAY));
        // --- X-Experiment-Group: only the exact value "debug" reaches v2 ---
        cases.add(group("group: CRLF-injected extra header", "debug\r\nX-Injected: yes", 200, null, Answerer.V2));
        cases.add(group(
                "group: bare CR inside the value", "debug\rX-Injected: yes", 400, "bad_request", Answerer.GATEWAY));
        cases.add(group("group: NUL inside the value", "debug\0", 400, "bad_request", Answerer.GATEWAY));
        cases.add(group("group: obsolete line folding", "v1\r\n debug", 400, "bad_request", Answerer.GATEWAY));
        cases.add(group("group: 7,000 characters", "d".repeat(7_000), 200, null, Answerer.V1));
        cases.add(
                group("group: 9,000 characters", "d".repeat(9_000), 400, "request_header_too_large", Answerer.GATEWAY));
        cases.add(group("group: 'debug' with spaces around", "   debug   ", 200, null, Answerer.V2));
        cases.add(group("group: DEBUG (case matters)", "DEBUG", 200, null, Answerer.V1));
        cases.add(group("group: 'de bug'", "de bug", 200, null, Answerer.V1));
        cases.add(group(
                "group: sent twice, the first decides", "v1\r\nX-Experiment-Group: debug", 200, null, Answerer.V1));
        // --- paths: only the literal /predict is proxied ---
        cases.add(path("/../predict", 400, "bad_request"));
        cases.add(path("/%2e%2e/predict", 400, "bad_request"));
        cases.add(path("/../../etc/passwd", 400, "bad_request"));
        cases.add(path("/predict%00", 400, "bad_request"));
        cases.add(path("/predict/../metrics", 404, "not_found"));
        cases.add(path("/predict/..%2fmetrics", 404, "not_found"));
        cases.add(path("/x/%2e%2e/predict", 404, "not_found"));
        cases.add(path("//predict", 404, "not_found"));
        cases.add(path("/./predict", 404, "not_found"));
        cases.add(path("/pre%64ict", 404, "not_found"));
        cases.add(path("/PREDICT", 404, "not_found"));
        cases.add(path("/predict;jsessionid=1", 404, "not_found"));
        cases.add(path("/metrics", 404, "not_found"));
        cases.add(path("/health/ready", 404, "not_found"));
        cases.add(path("/openapi", 404, "not_found"));
        // --- credentials ---
        cases.add(credentials("no credentials", null));
        cases.add(credentials("credentials without the Basic prefix", base64("admin:admin")));
        cases.add(credentials("Basic with invalid base64", "Basic !!!not-base64!!!"));
        cases.add(credentials("Basic with nothing after it", "Basic "));
        cases.add(credentials("empty user name", "Basic " + base64(":" + StackEnv.password())));
        cases.add(credentials("no colon in the credentials", "Basic " + base64(StackEnv.user())));
        cases.add(credentials("wrong password", "Basic " + base64(StackEnv.user() + ":" + StackEnv.password() + "x")));
        cases.add(credentials("Bearer token instead of Basic", "Bearer abc.def.ghi"));
        cases.add(credentials("3,000-character credentials", "Basic " + "A".repeat(3_000)));
        cases.add(new Case(
                "9,000-character credentials",
                post(List.of("Authorization: Basic " + "A".repeat(9_000), JSON), utf8("{\"sentence\": \"hi\"}")),
                400,
                "request_header_too_large",
                Answerer.GATEWAY));
        // --- HTTP framing ---
        cases.add(raw(
                "HTTP version 9.9",
                "POST /predict HTTP/9.9\r\nHost: localhost\r\n\r\n",
                400,
                "http_version_not_supported"));
        cases.add(raw(
                "unknown Transfer-Encoding",
                "POST /predict HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\n"
                        + "Connection: close\r\n\r\n",
                400,
                "unsupported_transfer_encoding"));
        cases.add(raw(
                "Content-Length and Transfer-Encoding together",
                "POST /predict HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n",
                400,
                "bad_request"));
        cases.add(raw(
                "Content-Length twice",
                "POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n"
                        + "Content-Length: 3\r\nConnection: close\r\n\r\n{}",
                400,
                "bad_request"));
        cases.add(raw(
                "Content-Length not a number",
                "POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n" + "Connection: close\r\n\r\n",
                400,
                "bad_request"));
        cases.add(raw(
                "no Host header",
                "POST /predict HTTP/1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
                400,
                "bad_request"));
        return cases.stream();
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void isAnsweredAsDocumented(Case c) throws Exception {
        GatewayCalls.paceBelowRateLimit();
        GatewayFiles.LogPosition before = GatewayFiles.accessLogPosition();
        RawHttps.Reply reply = RawHttps.send(c.request());

        assertTrue(reply.status() < 500, "never a 5xx: " + reply);
        assertEquals(c.status(), reply.status(), reply.toString());
        String type = reply.header("Content-Type");
        assertNotNull(type, "a Content-Type: " + reply);
        assertTrue(type.startsWith("application/json"), reply.toString());
        assertNull(reply.header("X-Injected"), "no header of the client's reaches the answer");
        // Who answered, as the gateway logged it: clients outside the debug group are not told.
        String server =
                c.answerer() == Answerer.ANY ? null : GatewayFiles.serverOf(GatewayFiles.lastEntrySince(before));
        switch (c.answerer()) {
            case GATEWAY -> assertNull(server, "nginx answered alone: " + reply);
            case V1 -> assertTrue(String.valueOf(server).startsWith("api-v1-"), server + " answered: " + reply);
            case V2 -> assertEquals("api-v2", server, reply.toString());
            case ANY -> {}
        }
        if (c.answerer() != Answerer.V2) {
            assertNull(reply.header("X-Served-By"), "outside the debug group no answer names its server: " + reply);
        }
        if (c.status() == 401) {
            assertTrue(String.valueOf(reply.header("WWW-Authenticate")).startsWith("Basic realm="), reply.toString());
        }
        if (c.status() == 405) {
            assertEquals("POST", reply.header("Allow"), reply.toString());
        }
        if (new String(c.request(), 0, 5, StandardCharsets.ISO_8859_1).equals("HEAD ")) {
            return; // HEAD: an answer without a body
        }
        assertTrue(reply.complete(), "the whole answer arrives: " + reply);
        String text = reply.text();
        for (String leak : List.of("Exception", "\tat ", "java.", "<html")) {
            assertFalse(text.contains(leak), "no stack trace or HTML page (" + leak + "): " + text);
        }
        JsonNode json = GatewayCalls.JSON.readTree(text);
        if (c.status() == 200) {
            assertTrue(json.path("prediction value").isTextual(), text);
        } else {
            assertEquals(c.error(), json.path("error").asText(), text);
            assertFalse(json.path("message").asText().isBlank(), text);
        }
    }

    @Order(2)
    @Test
    void everyServerIsStillReadyAndAnswers() throws Exception {
        int replicas = StackEnv.intSetting("V1_REPLICAS");
        int base = StackEnv.intSetting("V1_BASE_PORT");
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            ports.add(base + i);
        }
        ports.add(StackEnv.intSetting("V2_PORT"));
        for (int port : ports) {
            HttpResponse<String> ready = GatewayCalls.httpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ready.statusCode(), "port " + port + ": " + ready.body());
        }
        for (int i = 0; i < replicas + 1; i++) { // a full round robin, so each v1 server answers once
            GatewayCalls.paceBelowRateLimit();
            var response = GatewayCalls.predict("I love this!", null);
            assertEquals(200, response.statusCode(), response.asString());
        }
        assertEquals(200, GatewayCalls.predict("I love this!", "debug").statusCode());
    }

    // --- building the requests ---

    private static String auth() {
        return "Authorization: " + GatewayCalls.basicAuthorization();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(utf8(s));
    }

    private static String sentenceOf(String text) {
        try {
            return GatewayCalls.JSON.writeValueAsString(java.util.Map.of("sentence", text));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] post(List<String> headers, byte[] body) {
        List<String> all = new ArrayList<>(List.of("Host: localhost"));
        all.addAll(headers);
        return RawHttps.request("POST", "/predict", all, body);
    }

    private static Case body(String name, String json, int status, String error) {
        return new Case(name, post(List.of(auth(), JSON), utf8(json)), status, error, Answerer.V1);
    }

    /** A sentence whose inner bytes are given raw: {"sentence": "<bytes>"}. */
    private static Case bytes(String name, byte[] inner, int status, String error) {
        byte[] json = RawHttps.concat(RawHttps.concat(utf8("{\"sentence\": \""), inner), utf8("\"}"));
        return new Case(name, post(List.of(auth(), JSON), json), status, error, Answerer.V1);
    }

    private static Case typed(String name, String contentType, int status) {
        return new Case(
                name,
                post(List.of(auth(), contentType), utf8("{\"sentence\": \"hi\"}")),
                status,
                "unsupported_media_type",
                Answerer.V1);
    }

    private static Case group(String name, String value, int status, String error, Answerer answerer) {
        return new Case(
                name,
                post(List.of(auth(), JSON, "X-Experiment-Group: " + value), utf8("{\"sentence\": \"hi\"}")),
                status,
                error,
                answerer);
    }

    private static Case path(String target, int status, String error) {
        return new Case(
                "path " + target,
                RawHttps.request(
                        "POST", target, List.of("Host: localhost", auth(), JSON), utf8("{\"sentence\": \"hi\"}")),
                status,
                error,
                Answerer.GATEWAY);
    }

    private static Case credentials(String name, String authorization) {
        List<String> headers = authorization == null ? List.of(JSON) : List.of("Authorization: " + authorization, JSON);
        return new Case(name, post(headers, utf8("{\"sentence\": \"hi\"}")), 401, "unauthorized", Answerer.GATEWAY);
    }

    private static Case raw(String name, String request, int status, String error) {
        return new Case(name, request.getBytes(StandardCharsets.ISO_8859_1), status, error, Answerer.GATEWAY);
    }
}
