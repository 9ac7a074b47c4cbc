package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Warm before ready: a restarted server warms its request path on loopback and is not ready until
 * then; meanwhile it refuses client predictions with 503 (Nginx serves them elsewhere) and its own
 * warm-up requests are not counted in its application metrics. Disruptive: restarts api-v1-3 (the last v1 server).
 */
@Tag("disruptive")
class WarmUpIT {

    private static final HttpClient DIRECT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3))
            .build();
    private static final Pattern WARM_UP_DONE =
            Pattern.compile("^(done|stopped at [^ ]+) after (\\d+) requests in ([0-9.]+) s$");
    /** api.warm-up.clients, the default the stack runs with. */
    private static final int WARM_UP_CONNECTIONS = 2;

    @Test
    void aRestartedServerIsWarmBeforeReadyAndCountsNoneOfItsWarmUp() throws Exception {
        StackServers.requireAllReady();
        List<StackServers.Server> v1 = StackServers.v1();
        StackServers.Server server = v1.get(v1.size() - 1);
        long oldPid = StackServers.process(server).pid();

        // Not waiting for supervisorctl: its restart returns only after startsecs.
        Thread restart = new Thread(() -> {
            try {
                StackServers.supervisorctl("restart", server.name());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        restart.start();

        // Until ready: every direct prediction that the server answers is a 503 warming_up, and the
        // gateway answers every client with 200 all along.
        long deadline = System.nanoTime()
                + Duration.ofSeconds(StackEnv.intSetting("READY_TIMEOUT")).toNanos();
        int warmingAnswers = 0;
        int gatewayRequests = 0;
        // Client predictions it answered: one sent just as it turned ready (through the gateway, or the
        // direct one below between the readiness check and the request) is served and counted.
        int servedByIt = 0;

        List<String> gatewayFailures = new ArrayList<>();
        List<String> gatewayRequestIds = new ArrayList<>();
        GatewayFiles.LogPosition logStart = GatewayFiles.accessLogPosition();
        awaitNewProcess(server, oldPid, deadline);
        while (!StackServers.ready(server)) {
            assertTrue(System.nanoTime() < deadline, server.name() + " is ready within READY_TIMEOUT");
            HttpResponse<String> direct = predictDirect(server, "/predict", null);
            if (direct != null && direct.statusCode() == 200) {
                servedByIt++;
            } else if (direct != null) {
                assertEquals(
                        503, direct.statusCode(), "a server that is not ready refuses predictions: " + direct.body());
                JsonNode error = GatewayCalls.JSON.readTree(direct.body());
                assertEquals("warming_up", error.path("error").asText(), direct.body());
                assertEquals("1", direct.headers().firstValue("Retry-After").orElse(null), "Retry-After");
                warmingAnswers++;
            }
            var answer = GatewayCalls.predict("is anyone warm?", null);
            gatewayRequests++;
            gatewayRequestIds.add(answer.header("X-Request-ID"));
            if (answer.statusCode() != 200) {
                gatewayFailures.add(answer.statusCode() + " " + answer.asString());
            }
            GatewayCalls.paceBelowRateLimit();
        }
        restart.join(TimeUnit.SECONDS.toMillis(60));
        assertEquals(
                List.of(), gatewayFailures, "the gateway served every client while " + server.name() + " warmed up");
        // Which of them it answered: the gateway's access log says (clients are not told).
        Map<String, GatewayFiles.Answer> answers =
                GatewayFiles.answersByRequestId(GatewayFiles.accessLogSince(logStart));
        for (String id : gatewayRequestIds) {
            GatewayFiles.Answer logged = answers.get(id);
            assertTrue(logged != null, "the gateway logged request " + id);
            if (server.name().equals(logged.server())) {
                servedByIt++;
            }
        }
        assertTrue(warmingAnswers > 0, server.name() + " answered 503 warming_up at least once before it was ready");

        // Ready: the readiness data says how much warm-up ran, and none of it is in the metrics.
        HttpResponse<String> readiness = get(server, "/health/ready");
        String summary = GatewayCalls.JSON
                .readTree(readiness.body())
                .path("checks")
                .get(0)
                .path("data")
                .path("warmUp")
                .asText();
        Matcher m = WARM_UP_DONE.matcher(summary);
        assertTrue(m.matches(), "warm-up summary: " + summary);
        assertTrue(Long.parseLong(m.group(2)) > 0, "warm-up sent requests: " + summary);
        System.out.printf(
                "Warm-up of %s: %s; %d gateway requests, %d direct 503 warming_up meanwhile%n",
                server.name(), summary, gatewayRequests, warmingAnswers);

        String metrics = get(server, "/metrics").body();
        assertEquals(
                servedByIt,
                sum(metrics, "predictions_total\\{[^}]*\\}"),
                "only client predictions counted after warm-up:\n" + grep(metrics, "predictions_total"));
        assertEquals(
                servedByIt,
                sum(metrics, "inference_seconds_count\\{[^}]*\\}"),
                "only client inferences timed after warm-up");
        // The base request metrics do count the warm-up: they describe the server's HTTP work. Liberty
        // loses one count when the two warm-up connections make the method's first requests together
        // (seen: 2,392 counted for 2,393 sent), so one per warm-up connection may be missing.
        // One warm-up request in nine is the Open Inference Protocol's inference (WarmUp): both resources count.
        double restCount = sum(
                metrics,
                "REST_request_seconds_count\\{class=\"org.mlgateway.api.(?:PredictResource|InferenceModelResource)\"[^}]*\\}");
        long warmUpRequests = Long.parseLong(m.group(2));
        assertTrue(
                restCount >= warmUpRequests - WARM_UP_CONNECTIONS,
                "the warm-up ran POST /predict and the protocol's inference itself: " + restCount + " counted, "
                        + warmUpRequests + " sent");

        // A client cannot pass for the warm-up: its guessed token changes nothing, and each prediction counts.
        assertEquals(200, predictDirect(server, "/predict", null).statusCode(), "a prediction once ready");
        HttpResponse<String> guessed = predictDirect(server, "/predict", "0123456789abcdef0123456789abcdef");
        assertEquals(200, guessed.statusCode(), "a prediction with a made-up warm-up token: " + guessed.body());
        assertEquals(
                servedByIt + 2.0,
                sum(get(server, "/metrics").body(), "predictions_total\\{[^}]*\\}"),
                "both predictions counted");
    }

    /** supervisord stops the old JVM first: readiness means something only once the new one runs. */
    private static void awaitNewProcess(StackServers.Server server, long oldPid, long deadline) throws Exception {
        while (true) {
            try {
                if (StackServers.process(server).pid() != oldPid) {
                    return;
                }
            } catch (IllegalStateException notRunning) {
                // between the two processes
            }
            assertTrue(System.nanoTime() < deadline, server.name() + " runs in a new process within READY_TIMEOUT");
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }

    private static HttpResponse<String> predictDirect(StackServers.Server server, String path, String warmUpToken) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"sentence\": \"are you warm yet?\"}"));
        if (warmUpToken != null) {
            request.header("X-Warm-Up", warmUpToken);
        }
        try {
            return DIRECT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException notListening) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(e);
        }
    }

    private static HttpResponse<String> get(StackServers.Server server, String path) throws Exception {
        return DIRECT.send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The sum of every sample of one metric in Prometheus text format; 0 when it has none. */
    private static double sum(String exposition, String seriesRegex) {
        Matcher m = Pattern.compile("(?m)^" + seriesRegex + " ([0-9.eE+-]+)$").matcher(exposition);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
        }
        return total;
    }

    private static String grep(String text, String word) {
        return text.lines().filter(l -> l.contains(word)).reduce("", (a, b) -> a + b + "\n");
    }
}
