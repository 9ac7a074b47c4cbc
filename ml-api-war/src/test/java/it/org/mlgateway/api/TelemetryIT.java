package it.org.mlgateway.api;

import static it.org.mlgateway.api.InferenceCalls.conforming;
import static it.org.mlgateway.api.InferenceCalls.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mlgateway.testsupport.OtlpReceiver;

/**
 * MicroProfile Telemetry: with the SDK turned on and an OTLP endpoint set, the server exports a span of
 * each request in the trace its traceparent names; with the WAR's default (the SDK off), the same
 * endpoint gets nothing.
 */
@ExtendWith(ArquillianExtension.class)
class TelemetryIT {

    private static final OtlpReceiver RECEIVER = start();
    /** Exports every 200 ms (the default is 5 s): both deployments alike, so "nothing" is judged on the same clock. */
    private static final String EXPORT =
            "otel.exporter.otlp.endpoint=" + RECEIVER.endpoint() + "\notel.bsp.schedule.delay=200\n";

    private static OtlpReceiver start() {
        try {
            return OtlpReceiver.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Deployment(name = "traced", testable = false)
    static WebArchive traced() {
        return Deployments.variant(
                "v1", "ml-api-traced", EXPORT + "otel.sdk.disabled=false\notel.service.name=api-traced\n");
    }

    @Deployment(name = "default", testable = false)
    static WebArchive untraced() {
        return Deployments.variant("v1", "ml-api-untraced", EXPORT + "otel.service.name=api-untraced\n");
    }

    @AfterAll
    static void stop() {
        RECEIVER.close();
    }

    @Test
    void aSpanInTheClientsTraceChildOfItsSpanReachesTheReceiverAndTheDefaultExportsNothing(
            @ArquillianResource @OperateOnDeployment("traced") URL traced,
            @ArquillianResource @OperateOnDeployment("default") URL untraced)
            throws Exception {
        String quietTrace = "0af7651916cd43dd8448eb211c80319c";
        conforming(untraced)
                .contentType("application/json")
                .header("traceparent", "00-" + quietTrace + "-b7ad6b7169203331-01")
                .body(request(null, List.of("nobody sees this")))
                .post("v2/models/emotion/infer")
                .then()
                .statusCode(200);

        String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        conforming(traced)
                .contentType("application/json")
                .header("traceparent", "00-" + trace + "-00f067aa0ba902b7-01")
                .body(request(null, List.of("I love this", "so sad")))
                .post("v2/models/emotion/infer")
                .then()
                .statusCode(200);
        OtlpReceiver.ReceivedSpan span = RECEIVER.await(s -> s.traceId().equals(trace), Duration.ofSeconds(30));
        System.out.println("Exported span: " + span);
        assertEquals("00f067aa0ba902b7", span.parentSpanId(), "a child of the client's span");
        assertEquals("api-traced", span.service());
        assertTrue(
                span.attributes().values().stream().anyMatch(v -> v.contains("/v2/models/")),
                "the route: " + span.attributes());

        // Ten export intervals after the traced server's span arrived: the other would have exported too, were it on.
        Thread.sleep(2_000);
        assertEquals(
                List.of(),
                RECEIVER.spans().stream()
                        .filter(s ->
                                s.traceId().equals(quietTrace) || s.service().equals("api-untraced"))
                        .toList(),
                "the WAR's default exports nothing, even with an endpoint");
    }
}
