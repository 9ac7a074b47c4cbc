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
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** limit_req: a burst far above the rate is partly refused with 429, never with a 5xx, and passes quickly. */
class GatewayRateLimitIT {

    private static final int BURST_REQUESTS = 300;

    @Test
    void burstIsLimitedWithoutServerErrorsAndServiceComesBack() throws Exception {
        // Generous: hundreds of handshakes at once are slow on a busy machine, and this is not a latency test.
        HttpClient client = GatewayCalls.httpClient(Duration.ofSeconds(30));
        URI predict = URI.create(StackEnv.gatewayUrl() + "/predict");
        openConnections(client, BURST_REQUESTS);

        List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
        for (int i = 0; i < BURST_REQUESTS; i++) {
            pending.add(client.sendAsync(predictRequest(predict, "Burst request " + i), HttpResponse.BodyHandlers.ofString()));
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();

        Map<Integer, Integer> statuses = new TreeMap<>();
        HttpResponse<String> limited = null;
        for (CompletableFuture<HttpResponse<String>> future : pending) {
            HttpResponse<String> response = future.join();
            statuses.merge(response.statusCode(), 1, Integer::sum);
            if (response.statusCode() == 429 && limited == null) {
                limited = response;
            }
        }

        assertTrue(statuses.keySet().stream().noneMatch(status -> status >= 500), "no 5xx in the burst: " + statuses);
        assertTrue(statuses.keySet().stream().allMatch(status -> status == 200 || status == 429), "only 200 and 429: " + statuses);
        assertTrue(limited != null, "at least one request was limited: " + statuses);
        assertEquals("1", limited.headers().firstValue("Retry-After").orElse(null));
        assertTrue(limited.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode body = GatewayCalls.JSON.readTree(limited.body());
        assertEquals("too_many_requests", body.get("error").asText());

        // Poll until a normal request passes again; fail if that takes more than 2 seconds.
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        int lastStatus;
        do {
            lastStatus = client.send(predictRequest(predict, "Back to normal"), HttpResponse.BodyHandlers.ofString()).statusCode();
            if (lastStatus == 200) {
                return;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        fail("no successful request within 2 s after the burst; last status " + lastStatus);
    }

    /**
     * TLS handshakes would spread the burst over seconds; with the connections opened beforehand
     * (on the unlimited health URL) and kept alive, the requests arrive at nearly the same time.
     */
    private static void openConnections(HttpClient client, int count) {
        HttpRequest health = HttpRequest.newBuilder(URI.create(StackEnv.gatewayUrl() + "/gateway-health")).build();
        List<CompletableFuture<HttpResponse<Void>>> opening = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            opening.add(client.sendAsync(health, HttpResponse.BodyHandlers.discarding()));
        }
        // Some may fail on a loaded machine; the burst then opens those connections itself.
        CompletableFuture.allOf(opening.toArray(CompletableFuture[]::new)).exceptionally(failure -> null).join();
    }

    private static HttpRequest predictRequest(URI predict, String sentence) {
        return HttpRequest.newBuilder(predict)
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", GatewayCalls.basicAuthorization())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"sentence\": \"" + sentence + "\"}"))
                .build();
    }
}
