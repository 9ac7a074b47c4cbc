package org.mlgateway.delivery;

import java.math.BigDecimal;
import java.util.Map;

/**
 * One gate of the analysis file: QUERY's value must stay at most (max) or at least (min) THRESHOLD,
 * judged once REQUESTS counts at least MIN_REQUESTS.
 */
public record Gate(
        String name, String phase, boolean max, Number threshold, long minRequests, String query, String requests) {

    static Gate of(Map<String, Object> gate) {
        boolean max = gate.containsKey("max");
        return new Gate(
                String.valueOf(gate.get("name")),
                String.valueOf(gate.get("phase")),
                max,
                (Number) gate.get(max ? "max" : "min"),
                ((Number) gate.get("minRequests")).longValue(),
                String.valueOf(gate.get("query")),
                String.valueOf(gate.get("requests")));
    }

    /** The comparison a value must pass: {@code <=} for a maximum, {@code >=} for a minimum. */
    public String op() {
        return max ? "<=" : ">=";
    }

    /** The threshold as the file writes it: 0.01, 1.5, 500 (never 1.0E-4 or 500.0). */
    public String thresholdText() {
        return decimal(threshold);
    }

    /** What the gate is judged on: its value, and no value at all while the requests are too few. */
    public String judged() {
        return "(" + query + ") and on() ((" + requests + ") >= " + minRequests + ")";
    }

    /** The query of KIND: query (the value), requests (what minRequests counts) or judged. */
    public String queryOf(String kind) {
        return switch (kind) {
            case "query" -> query;
            case "requests" -> requests;
            case "judged" -> judged();
            default -> throw new IllegalArgumentException("no query kind " + kind);
        };
    }

    /** N as a plain decimal without trailing zeros: 0.01, 1.5, 500, 0 (never 1.0E-4, 500.0 or -0). */
    static String decimal(Number n) {
        return new BigDecimal(n.toString()).stripTrailingZeros().toPlainString();
    }
}
