package org.mlgateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;

/** Calls through the gateway that several end-to-end tests share. */
final class GatewayCalls {

    static final ObjectMapper JSON = new ObjectMapper();

    private GatewayCalls() {}

    /** POST /predict with the configured credentials, optionally in an experiment group. */
    static Response predict(String sentence, String experimentGroup) {
        var request = StackEnv.authenticated().contentType(ContentType.JSON).body(Map.of("sentence", sentence));
        if (experimentGroup != null) {
            request.header("X-Experiment-Group", experimentGroup);
        }
        return request.post("/predict");
    }

    static JsonNode json(Response response) {
        try {
            return JSON.readTree(response.asString());
        } catch (Exception e) {
            throw new AssertionError("Not JSON (status " + response.statusCode() + "): " + response.asString(), e);
        }
    }

    /**
     * Keeps a sequence of requests at half the configured rate limit, so tests that are not about
     * the limit never meet it.
     */
    static void paceBelowRateLimit() {
        int rate = StackEnv.intSetting("RATE_LIMIT");
        try {
            Thread.sleep(Math.max(1, 2000 / rate));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A java.net.http client that trusts only the gateway's certificate and never follows redirects. */
    static HttpClient httpClient() {
        return httpClient(Duration.ofSeconds(5));
    }

    static HttpClient httpClient(Duration connectTimeout) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(TrustStores.sslContext(StackEnv.certificate(), "TLS"))
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(connectTimeout)
                .build();
    }

    static String basicAuthorization() {
        String token = StackEnv.user() + ":" + StackEnv.password();
        return "Basic "
                + java.util.Base64.getEncoder().encodeToString(token.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
