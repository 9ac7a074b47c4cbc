package org.mlgateway.api;

import jakarta.json.bind.annotation.JsonbProperty;

/** v1 answer, field name kept from the original service (space included) so its clients keep working. */
public record PredictionV1(
        @JsonbProperty("prediction value") String predictionValue) {}
