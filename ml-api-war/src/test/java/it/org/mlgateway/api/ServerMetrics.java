package it.org.mlgateway.api;

import static io.restassured.RestAssured.given;

import java.net.URL;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
        Matcher line = Pattern.compile("(?m)^" + name + "\\{([^}]*)\\} (\\S+)$").matcher(text);
        double sum = 0;
        while (line.find()) {
            boolean all = true;
            for (String pair : labels) {
                all &= line.group(1).contains(pair);
            }
            if (all) {
                sum += Double.parseDouble(line.group(2));
            }
        }
        return sum;
    }
}
