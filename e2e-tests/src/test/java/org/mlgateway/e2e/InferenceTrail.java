package org.mlgateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.mlgateway.testsupport.MetricsText;

/**
 * What a request leaves behind on the stack, found without asking the client to see any header: the
 * gateway's access log line (by trace id), a server's prediction log lines (by request id) and its
 * counters on /metrics.
 */
final class InferenceTrail {

    private static final HttpClient DIRECT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3))
            .build();
    private static final Duration WRITERS = Duration.ofSeconds(10);

    private InferenceTrail() {}

    /** The access log line of the request with this trace id, once nginx has written it. */
    static JsonNode accessLogLine(String traceId) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WRITERS.toNanos();
        while (true) {
            JsonNode found = null;
            for (String line : GatewayFiles.wholeLines(GatewayFiles.accessLog())) {
                if (line.contains("\"trace_id\":\"" + traceId + "\"")) {
                    found = GatewayCalls.JSON.readTree(line);
                }
            }
            if (found != null) {
                return found;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no access log line with trace id " + traceId + " within " + WRITERS);
            }
            Thread.sleep(200);
        }
    }

    /** The prediction log lines of one request id on a server, in batch order, once its writer has written {@code count}. */
    static List<JsonNode> predictionLines(String server, String requestId, int count)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WRITERS.toNanos();
        while (true) {
            List<JsonNode> found = new ArrayList<>();
            for (String line : GatewayFiles.predictionLogLines(server)) {
                if (line.contains("\"request_id\":\"" + requestId + "\"")) {
                    found.add(GatewayCalls.JSON.readTree(line));
                }
            }
            if (found.size() >= count || System.nanoTime() > deadline) {
                found.sort(Comparator.comparingInt(l -> l.path("batch_index").asInt(-1)));
                if (found.size() != count) {
                    throw new AssertionError(
                            server + " logged " + found.size() + " lines of request " + requestId + ", not " + count);
                }
                return found;
            }
            Thread.sleep(200);
        }
    }

    /** The sum of one metric's samples on a server's /metrics whose labels hold every given pair. */
    static double metric(int port, String name, String... labels) throws IOException, InterruptedException {
        String text = DIRECT.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        return MetricsText.sum(text, name, labels);
    }

    /** A fresh W3C trace id: 32 random lowercase hex digits. */
    static String newTraceId() {
        return java.util.UUID.randomUUID().toString().replace("-", "");
    }
}
