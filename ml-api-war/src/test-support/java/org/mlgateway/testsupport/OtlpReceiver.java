package org.mlgateway.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * A test's OTLP receiver on loopback: OTLP over HTTP with protobuf ({@code POST /v1/traces}), the way the
 * servers export their spans when an endpoint is set. Keeps every span it receives, decoded with
 * OpenTelemetry's own protobuf messages, so a test can look one up by trace id.
 */
public final class OtlpReceiver implements AutoCloseable {

    /** One received span: ids in lowercase hex, its service (resource attribute service.name) and attributes as text. */
    public record ReceivedSpan(
            String traceId,
            String spanId,
            String parentSpanId,
            String name,
            String service,
            Map<String, String> attributes) {}

    private final HttpServer server;
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();

    private OtlpReceiver(HttpServer server) {
        this.server = server;
    }

    /** Listens on 127.0.0.1 on a free port. */
    public static OtlpReceiver start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        OtlpReceiver receiver = new OtlpReceiver(server);
        server.createContext("/v1/traces", receiver::receive);
        server.start();
        return receiver;
    }

    /** The endpoint to give an exporter (OTEL_EXPORTER_OTLP_ENDPOINT: it appends /v1/traces). */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    /** The first span that matches, waiting for it up to {@code timeout} (exporters send in batches). */
    public ReceivedSpan await(Predicate<ReceivedSpan> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (ReceivedSpan s : spans) {
                if (wanted.test(s)) {
                    return s;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "no such span within " + timeout + "; received " + spans.size() + ": " + spans);
            }
            Thread.sleep(100);
        }
    }

    private void receive(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body;
            try (InputStream in =
                    "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                            ? new GZIPInputStream(exchange.getRequestBody())
                            : exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
            for (ResourceSpans resource : request.getResourceSpansList()) {
                String service =
                        text(resource.getResource().getAttributesList()).getOrDefault("service.name", "");
                for (ScopeSpans scope : resource.getScopeSpansList()) {
                    for (Span s : scope.getSpansList()) {
                        spans.add(new ReceivedSpan(
                                hex(s.getTraceId().toByteArray()),
                                hex(s.getSpanId().toByteArray()),
                                hex(s.getParentSpanId().toByteArray()),
                                s.getName(),
                                service,
                                text(s.getAttributesList())));
                    }
                }
            }
            byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                exchange.getResponseBody().write(answer);
            }
        }
    }

    private static Map<String, String> text(List<KeyValue> attributes) {
        Map<String, String> values = new TreeMap<>();
        for (KeyValue kv : attributes) {
            var v = kv.getValue();
            values.put(
                    kv.getKey(),
                    v.hasStringValue()
                            ? v.getStringValue()
                            : v.hasIntValue()
                                    ? String.valueOf(v.getIntValue())
                                    : v.hasBoolValue()
                                            ? String.valueOf(v.getBoolValue())
                                            : v.hasDoubleValue()
                                                    ? String.valueOf(v.getDoubleValue())
                                                    : v.toString().trim());
        }
        return values;
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
