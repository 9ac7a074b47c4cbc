package it.org.mlgateway.api;

import static io.restassured.RestAssured.given;

import java.net.URL;
import org.mlgateway.testsupport.MetricsText;

/** A deployment's server's /metrics (Prometheus text), as the tests read it. */
final class ServerMetrics {

    private ServerMetrics() {}

    /** The server root: health, metrics and OpenAPI have their own context roots. */
    static String server(URL base) {
        return base.getProtocol() + "://" + base.getHost() + ":" + base.getPort();
    }

    /** Sums the samples of one metric whose labels include all the given pairs; NaN samples count as NaN. */
    static double sum(URL base, String name, String... labels) {
        String text = given().baseUri(server(base))
                .get("/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        return MetricsText.sum(text, name, labels);
    }
}
