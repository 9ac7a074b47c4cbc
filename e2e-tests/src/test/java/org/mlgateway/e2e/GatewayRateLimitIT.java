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

/**
 * limit_req: a burst far above the rate is partly refused with 429 (JSON, Retry-After), never with a
 * 5xx; RATE_BURST requests sent at once are all served (so a burst of 1 fails); afterwards a client at half
 * the configured rate is served in full (so a limit of 1 r/s fails).
 */
class GatewayRateLimitIT {

    @Test
    void burstIsLimitedWithoutServerErrorsAndServiceComesBack() throws Exception {
        // Three times the burst allowance at once (300 at the defaults): whatever the settings, far
        // more than the allowance plus what the rate refills while they arrive.
        int burst = StackEnv.intSetting("RATE_BURST");
        int burstRequests = 3 * burst;
        // Generous: hundreds of handshakes at once are slow on a busy machine, and this is not a latency test.
        HttpClient client = GatewayCalls.httpClient(Duration.ofSeconds(30));
        URI predict = URI.create(StackEnv.gatewayUrl() + "/predict");
        openConnections(client, burstRequests);

        // RATE_BURST requests at once fit the burst allowance exactly: all are served. Sent within a
        // fraction of a second, so a burst of 1 (a 100 r/s rate alone) would serve only a few of them.
        Map<Integer, Integer> allowance = sendAtOnce(client, predict, burst, "Allowance request ");
        assertEquals(Map.of(200, burst), allowance, burst + " requests at once, the burst allowance, are all served");
        Thread.sleep(1000L * burst / StackEnv.intSetting("RATE_LIMIT") + 1000); // the allowance refills

        List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
        for (int i = 0; i < burstRequests; i++) {
            pending.add(client.sendAsync(
                    predictRequest(predict, "Burst request " + i), HttpResponse.BodyHandlers.ofString()));
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();

        Map<Integer, Integer> statuses = new TreeMap<>();
        HttpResponse<String> limited = null;
        for (CompletableFuture<HttpResponse<String>> future : pending) {
            HttpResponse<String> response = future.join();
            statuses.merge(response.statusCode(), 1, Integer::sum);
            if (response.statusCode() == 429) {
                limited = response;
                // Every refusal, not just one: JSON with its code, and when to come back.
                assertEquals(
                        "1", response.headers().firstValue("Retry-After").orElse(null), "Retry-After on every 429");
                assertEquals(
                        "too_many_requests",
                        GatewayCalls.JSON
                                .readTree(response.body())
                                .path("error")
                                .asText(),
                        response.body());
            }
        }
        int served = statuses.getOrDefault(200, 0);
        System.out.printf(
                "Rate limit burst of %d: %s (RATE_LIMIT %s r/s, RATE_BURST %d)%n",
                burstRequests, statuses, StackEnv.setting("RATE_LIMIT"), burst);
        assertTrue(
                served >= burst,
                "the burst allowance is served at once: " + served + " of " + burstRequests + " got 200, RATE_BURST is "
                        + burst + ": " + statuses);

        assertTrue(statuses.keySet().stream().noneMatch(status -> status >= 500), "no 5xx in the burst: " + statuses);
        assertTrue(
                statuses.keySet().stream().allMatch(status -> status == 200 || status == 429),
                "only 200 and 429: " + statuses);
        assertTrue(limited != null, "at least one request was limited: " + statuses);
        assertEquals("1", limited.headers().firstValue("Retry-After").orElse(null));
        assertTrue(limited.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode body = GatewayCalls.JSON.readTree(limited.body());
        assertEquals("too_many_requests", body.get("error").asText());

        awaitServedAgain(client, predict);
        assertSustainedRateIsServed(client, predict);
    }

    /**
     * Once the burst has drained (RATE_BURST / RATE_LIMIT seconds, plus a margin), a client sending at
     * half RATE_LIMIT for 2 s is served every time.
     */
    private static void assertSustainedRateIsServed(HttpClient client, URI predict) throws Exception {
        int rate = StackEnv.intSetting("RATE_LIMIT");
        Thread.sleep(1000L * StackEnv.intSetting("RATE_BURST") / rate + 1000);
        int requests = rate; // 2 s at half the rate
        long period = 2_000_000_000L / requests;
        long next = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> paced = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            next += period;
            paced.add(client.sendAsync(
                    predictRequest(predict, "Paced request " + i), HttpResponse.BodyHandlers.ofString()));
        }
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (CompletableFuture<HttpResponse<String>> future : paced) {
            statuses.merge(future.join().statusCode(), 1, Integer::sum);
        }
        assertEquals(
                Map.of(200, requests),
                statuses,
                requests + " requests at half of RATE_LIMIT (" + rate + " r/s) are all served");
    }

    private static Map<Integer, Integer> sendAtOnce(HttpClient client, URI predict, int count, String sentence) {
        List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            pending.add(client.sendAsync(predictRequest(predict, sentence + i), HttpResponse.BodyHandlers.ofString()));
        }
        Map<Integer, Integer> statuses = new TreeMap<>();
        pending.forEach(future -> statuses.merge(future.join().statusCode(), 1, Integer::sum));
        return statuses;
    }

    /** Polls until a normal request passes again; fails if that takes more than 2 seconds. */
    private static void awaitServedAgain(HttpClient client, URI predict) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        int lastStatus;
        do {
            lastStatus = client.send(predictRequest(predict, "Back to normal"), HttpResponse.BodyHandlers.ofString())
                    .statusCode();
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
        HttpRequest health = HttpRequest.newBuilder(URI.create(StackEnv.gatewayUrl() + "/gateway-health"))
                .build();
        List<CompletableFuture<HttpResponse<Void>>> opening = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            opening.add(client.sendAsync(health, HttpResponse.BodyHandlers.discarding()));
        }
        // Some may fail on a loaded machine; the burst then opens those connections itself.
        CompletableFuture.allOf(opening.toArray(CompletableFuture[]::new))
                .exceptionally(failure -> null)
                .join();
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
