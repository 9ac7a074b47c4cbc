package org.mlgateway.emotion;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Deterministic stratified hold-out: within each label the rows are shuffled with a fixed seed and
 * the first {@code fraction} of them go to validation, so every label (even the 98-row "anger") is
 * represented in proportion and the split is the same on every run.
 */
public record ValidationSplit(List<LabeledText> train, List<LabeledText> validation) {

    public static ValidationSplit stratified(List<LabeledText> rows, double fraction, long seed) {
        Map<String, List<Integer>> byLabel = new TreeMap<>();
        for (int i = 0; i < rows.size(); i++) {
            byLabel.computeIfAbsent(rows.get(i).label(), k -> new ArrayList<>()).add(i);
        }
        Random rng = new Random(seed);
        boolean[] held = new boolean[rows.size()];
        for (List<Integer> idx : byLabel.values()) {
            Collections.shuffle(idx, rng);
            int n = (int) Math.round(idx.size() * fraction);
            for (int k = 0; k < n; k++) {
                held[idx.get(k)] = true;
            }
        }
        List<LabeledText> train = new ArrayList<>();
        List<LabeledText> validation = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            (held[i] ? validation : train).add(rows.get(i));
        }
        return new ValidationSplit(List.copyOf(train), List.copyOf(validation));
    }
}
