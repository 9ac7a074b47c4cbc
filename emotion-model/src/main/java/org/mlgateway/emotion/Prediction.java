package org.mlgateway.emotion;

import java.util.SortedMap;

/**
 * One prediction: the most probable label and the probability of every label (they sum to 1).
 */
public record Prediction(String label, SortedMap<String, Double> probabilities) {}
