package org.mlgateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.function.Predicate;

/** The live Prometheus's HTTP API, as the monitoring tests read it. */
final class PrometheusQueries {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PrometheusQueries() {}

    /** The result vector of an instant query (an empty array when nothing matches). */
    static JsonNode query(String expr) {
        Response response = RestAssured.given()
                .baseUri(StackEnv.prometheusUrl())
                .queryParam("query", expr)
                .get("/api/v1/query");
        try {
            JsonNode body = JSON.readTree(response.asString());
            if (response.statusCode() != 200
                    || !"success".equals(body.path("status").asText())) {
                throw new AssertionError(
                        "query " + expr + " failed (" + response.statusCode() + "): " + response.asString());
            }
            return body.path("data").path("result");
        } catch (java.io.IOException e) {
            throw new AssertionError("Prometheus answered no JSON for " + expr + ": " + response.asString(), e);
        }
    }

    /** The single value of an aggregating query such as sum(...), or NaN when there is no series. */
    static double scalar(String expr) {
        JsonNode result = query(expr);
        return result.isEmpty()
                ? Double.NaN
                : Double.parseDouble(result.get(0).path("value").get(1).asText());
    }

    /** Re-runs check every second until it holds or the timeout passes; returns the last value it saw. */
    static <T> T poll(Duration timeout, java.util.function.Supplier<T> read, Predicate<T> check) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T value = read.get();
        while (!check.test(value) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            value = read.get();
        }
        return value;
    }
}
