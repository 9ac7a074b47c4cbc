package org.mlgateway.api;

import jakarta.json.bind.annotation.JsonbProperty;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.util.SortedMap;

/** v2 ("debug") answer: the label plus every label's probability. */
@JsonbPropertyOrder({"predictionValue", "predictionProbaDict"})
public record PredictionV2(
        @JsonbProperty("prediction value") String predictionValue,
        @JsonbProperty("prediction_proba_dict") SortedMap<String, Double> predictionProbaDict) {}
