package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's W3C trace context (templates/05-trace-context.conf), in a private nginx with the
 * project's files in front of a recording server: a client's valid traceparent and tracestate go on
 * unchanged, anything else starts a trace from the request id, and the access log names the trace
 * either way. No stack needed.
 */
class TraceContextTest {

    private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CLIENT_PARENT = "00-" + CLIENT_TRACE + "-00f067aa0ba902b7-01";

    @Test
    void aValidTraceparentGoesOnAndAnyOtherStartsATraceFromTheRequestId(@TempDir Path dir) throws Exception {
        try (RecordingUpstream upstream = new RecordingUpstream();
                PrivateGateway gateway = new PrivateGateway(dir, null, Map.of(), upstream.port())) {
            for (String path : List.of("/predict", "/v2/models/emotion/infer")) {
                RecordingUpstream.Received r =
                        send(gateway, upstream, path, "traceparent: " + CLIENT_PARENT, "tracestate: vendor=1");
                assertEquals(CLIENT_PARENT, r.header("traceparent"), path + ": the client's trace context, unchanged");
                assertEquals("vendor=1", r.header("tracestate"), path);
                assertEquals(
                        CLIENT_TRACE,
                        accessLogLine(gateway, r.header("x-request-id"))
                                .path("trace_id")
                                .asText(),
                        path);
            }

            String later = "cc-" + CLIENT_TRACE + "-00f067aa0ba902b7-01-what-comes-later";
            assertEquals(
                    later,
                    send(gateway, upstream, "/predict", "traceparent: " + later).header("traceparent"),
                    "a later version with more fields is the client's trace too");

            List<String> invalid = new ArrayList<>(List.of(
                    "",
                    "traceparent: 00-" + CLIENT_TRACE.toUpperCase() + "-00f067aa0ba902b7-01",
                    "traceparent: 00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                    "traceparent: ff-" + CLIENT_TRACE + "-00f067aa0ba902b7-01",
                    "traceparent: 00-" + CLIENT_TRACE + "-0000000000000000-01",
                    "traceparent: 00-" + CLIENT_TRACE + "-00f067aa0ba902b7-01-more"));
            for (String header : invalid) {
                RecordingUpstream.Received r = send(gateway, upstream, "/predict", header, "tracestate: vendor=1");
                String requestId = r.header("x-request-id");
                assertTrue(requestId.matches("[0-9a-f]{32}"), requestId);
                assertEquals(
                        "00-" + requestId + "-" + requestId.substring(16) + "-01",
                        r.header("traceparent"),
                        "'" + header + "': a trace of the gateway's, from its request id");
                assertNull(r.header("tracestate"), "'" + header + "': the client's tracestate belongs to no trace now");
                assertEquals(
                        requestId,
                        accessLogLine(gateway, requestId).path("trace_id").asText(),
                        header);
            }
        }
    }

    private static RecordingUpstream.Received send(
            PrivateGateway gateway, RecordingUpstream upstream, String path, String... extra) throws Exception {
        upstream.received.clear();
        List<String> headers = new ArrayList<>(List.of(
                "Host: localhost", "Authorization: " + gateway.basicAuthorization(), "Content-Type: application/json"));
        for (String h : extra) {
            if (!h.isEmpty()) {
                headers.add(h);
            }
        }
        RawHttps.Reply reply =
                gateway.sendHttps(RawHttps.request("POST", path, headers, "{}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(200, reply.status(), path + ": " + reply);
        assertEquals(1, upstream.received.size(), path);
        return upstream.received.peek();
    }

    /** The gateway's access log line of one request id (nginx writes it as the request ends). */
    static JsonNode accessLogLine(PrivateGateway gateway, String requestId) throws Exception {
        Path log = gateway.dir.resolve("logs/access.log");
        for (int attempt = 0; attempt < 50; attempt++) {
            for (String line : GatewayFiles.wholeLines(log)) {
                JsonNode json = GatewayCalls.JSON.readTree(line);
                if (requestId.equals(json.path("request_id").asText())) {
                    return json;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no access log line for request " + requestId + " in " + log);
    }
}
