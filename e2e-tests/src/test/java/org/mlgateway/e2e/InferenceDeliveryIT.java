package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.mlgateway.testsupport.OpenInferenceProtocol;
import org.mlgateway.testsupport.OtlpReceiver;

/**
 * The Open Inference Protocol's inference in the delivery of a candidate, as /predict is in it: split to
 * the candidate at a canary share, gated by make canary's queries, and mirrored to it in shadow, where
 * each sentence is compared with the champion. The candidate exports its spans (TRACES_OTLP_ENDPOINT) to
 * a receiver of this test on loopback: one request with a known traceparent shows its trace id in the
 * gateway's access log, in the candidate's prediction log and in the candidate's span.
 */
@Tag("disruptive")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InferenceDeliveryIT {

    private static final String CANDIDATE = "api-candidate";
    private static final int CANDIDATE_PORT = StackEnv.intSetting("CANDIDATE_PORT");
    private static final Path LOGS = StackEnv.stateDir().resolve("logs");
    private static final OpenInferenceProtocol PROTOCOL = OpenInferenceProtocol.forBasePath("");
    private static OtlpReceiver receiver;

    @BeforeAll
    static void startCandidate() throws Exception {
        StackServers.requireAllReady();
        receiver = OtlpReceiver.start();
        Path war = StackServers.deployedWar(StackServers.v1().get(0), "v1");
        delivery(Map.of("TRACES_OTLP_ENDPOINT", receiver.endpoint()), "candidate-start", war.toString());
    }

    @AfterAll
    static void stopCandidate() throws Exception {
        try {
            delivery(Map.of(), "candidate-stop");
        } finally {
            receiver.close();
        }
    }

    private static Response infer(List<String> sentences, String traceparent) {
        return StackEnv.authenticated()
                .filter(PROTOCOL.conforming())
                .header("traceparent", traceparent)
                .contentType("application/json")
                .body(OpenInferenceProtocolIT.request(null, sentences))
                .post("/v2/models/emotion/infer");
    }

    @Test
    @Order(1)
    void atACanaryShareTheCandidateAnswersAndOneTraceIdRunsThroughLogsAndSpan() throws Exception {
        delivery(Map.of(), "traffic", "0", "100");
        TimeUnit.SECONDS.sleep(2); // a reload: new workers take the new share
        String trace = InferenceTrail.newTraceId();
        Response answer =
                infer(List.of("I love this", "so sad today", "whatever"), "00-" + trace + "-b7ad6b7169203331-01");
        assertEquals(200, answer.statusCode(), answer.asString());

        JsonNode access = InferenceTrail.accessLogLine(trace);
        assertEquals(
                "127.0.0.1:" + CANDIDATE_PORT,
                access.path("upstream_addr").asText(),
                "the candidate answered: " + access);
        for (JsonNode line : InferenceTrail.predictionLines(
                CANDIDATE, access.path("request_id").asText(), 3)) {
            assertEquals(trace, line.path("trace_id").asText(), line.toString());
        }
        OtlpReceiver.ReceivedSpan span = receiver.await(s -> s.traceId().equals(trace), Duration.ofSeconds(60));
        System.out.println("Span the candidate exported: " + span);
        assertEquals(CANDIDATE, span.service(), span.toString());
        assertEquals("b7ad6b7169203331", span.parentSpanId(), "a child of the client's span: " + span);

        // make canary's request gate counts it: the query the run sends, on Prometheus.
        String version = StackServers.modelVersion(StackServers.v1().get(0));
        Path queries = LOGS.resolve("inference-delivery-queries.tsv");
        assertEquals(
                0,
                StackServers.runScript(
                        queries,
                        Map.of(),
                        Duration.ofSeconds(30),
                        "scripts/canary.sh",
                        "queries",
                        "canary",
                        "300",
                        "600",
                        version));
        String requests = Files.readAllLines(queries).stream()
                .filter(l -> l.startsWith("error_ratio\trequests\t"))
                .findFirst()
                .orElseThrow()
                .substring("error_ratio\trequests\t".length());
        double counted =
                PrometheusQueries.poll(Duration.ofSeconds(90), () -> PrometheusQueries.scalar(requests), v -> v >= 1);
        assertTrue(
                counted >= 1,
                "the canary's request gate counts the candidate's inference: " + requests + " = " + counted);
    }

    @Test
    @Order(2)
    void inShadowEachSentenceOfTheChampionsBatchIsMirroredAndCompared() throws Exception {
        delivery(Map.of(), "traffic", "100", "0");
        TimeUnit.SECONDS.sleep(2);
        double compared = InferenceTrail.metric(CANDIDATE_PORT, "shadow_comparisons_total");
        String trace = InferenceTrail.newTraceId();
        List<String> sentences = List.of("we won!!", "my cat is sick", "going to bed", "this is so much fun");
        Response answer = infer(sentences, "00-" + trace + "-00f067aa0ba902b7-01");
        assertEquals(200, answer.statusCode(), answer.asString());

        JsonNode access = InferenceTrail.accessLogLine(trace);
        String champion = StackServers.v1().stream()
                .filter(s -> access.path("upstream_addr").asText().equals("127.0.0.1:" + s.port()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("a v1 server answered: " + access))
                .name();
        String requestId = access.path("request_id").asText();
        List<JsonNode> served = InferenceTrail.predictionLines(champion, requestId, sentences.size());
        List<JsonNode> mirrored = InferenceTrail.predictionLines(CANDIDATE, requestId, sentences.size());
        for (int i = 0; i < sentences.size(); i++) {
            assertEquals(
                    i,
                    mirrored.get(i).path("batch_index").asInt(),
                    mirrored.get(i).toString());
            assertEquals(
                    served.get(i).path("label").asText(),
                    mirrored.get(i).path("label").asText(),
                    "the champion's own model");
            assertEquals(trace, mirrored.get(i).path("trace_id").asText());
        }
        double after = PrometheusQueries.poll(
                Duration.ofSeconds(10),
                () -> metric("shadow_comparisons_total"),
                v -> v >= compared + sentences.size());
        assertEquals(
                compared + sentences.size(),
                after,
                0.0,
                "each sentence of the copy is compared with the champion's model");
        assertNotEquals(CANDIDATE, champion);
        OtlpReceiver.ReceivedSpan copy = receiver.await(s -> s.traceId().equals(trace), Duration.ofSeconds(60));
        assertEquals(
                "00f067aa0ba902b7",
                copy.parentSpanId(),
                "the mirrored copy carries the client's trace context: " + copy);
    }

    private static double metric(String name) {
        try {
            return InferenceTrail.metric(CANDIDATE_PORT, name);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void delivery(Map<String, String> env, String... args) throws Exception {
        String[] command = Stream.concat(Stream.of("bash", "scripts/delivery.sh"), Stream.of(args))
                .toArray(String[]::new);
        Path log = LOGS.resolve("inference-delivery-" + args[0] + ".log");
        int exit = StackServers.runScript(
                log, new HashMap<>(env), Duration.ofSeconds(StackEnv.intSetting("READY_TIMEOUT") + 60), command);
        assertEquals(0, exit, String.join(" ", command) + ":\n" + Files.readString(log));
    }
}
