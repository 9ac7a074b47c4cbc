package org.mlgateway.api;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far the labels a server predicted lately are from the labels its model was trained on: the
 * Jensen-Shannon divergence, in bits (0 = the same distribution, 1 = nothing in common), between the
 * predicted-label distribution of the last {@code window} predictions and the training distribution
 * of the model card. A model that meets different tweets than it learnt from, or a broken one that
 * answers one label for everything, moves it; PredictionDrift alerts on it.
 *
 * <p>Lock-free, so a prediction never waits for another: a ring of the last labels and a count per label.
 */
final class LabelDrift {

    private final Map<String, Integer> index = new HashMap<>();
    private final double[] training;
    private final int window;
    private final AtomicIntegerArray ring;
    private final AtomicIntegerArray counts;
    private final AtomicLong recorded = new AtomicLong();

    /** @param trainCounts training rows per label; a label missing there has training share 0 */
    LabelDrift(List<String> labels, Map<String, Integer> trainCounts, int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1: " + window);
        }
        this.window = window;
        this.training = new double[labels.size()];
        double total = 0;
        for (int i = 0; i < labels.size(); i++) {
            index.put(labels.get(i), i);
            training[i] = trainCounts.getOrDefault(labels.get(i), 0);
            total += training[i];
        }
        if (!(total > 0)) {
            throw new IllegalArgumentException("no training counts for the labels " + labels);
        }
        for (int i = 0; i < training.length; i++) {
            training[i] /= total;
        }
        this.ring = new AtomicIntegerArray(window);
        this.counts = new AtomicIntegerArray(labels.size());
    }

    void record(String label) {
        Integer i = index.get(label);
        if (i == null) {
            return; // not a label of this model: nothing to compare
        }
        long n = recorded.getAndIncrement();
        int slot = (int) (n % window);
        // The ring holds label + 1, so 0 means an empty slot.
        int previous = ring.getAndSet(slot, i + 1);
        if (previous > 0) {
            counts.decrementAndGet(previous - 1);
        }
        counts.incrementAndGet(i);
    }

    /** The divergence over the last {@code window} predictions; NaN until there have been that many. */
    double divergence() {
        if (recorded.get() < window) {
            return Double.NaN;
        }
        double[] recent = new double[training.length];
        double total = 0;
        for (int i = 0; i < recent.length; i++) {
            recent[i] = Math.max(0, counts.get(i));
            total += recent[i];
        }
        if (total == 0) {
            return Double.NaN;
        }
        for (int i = 0; i < recent.length; i++) {
            recent[i] /= total;
        }
        return jensenShannon(recent, training);
    }

    /** Jensen-Shannon divergence in bits of two distributions over the same labels (each summing to 1). */
    static double jensenShannon(double[] p, double[] q) {
        double js = 0;
        for (int i = 0; i < p.length; i++) {
            double m = (p[i] + q[i]) / 2;
            if (p[i] > 0) {
                js += p[i] * log2(p[i] / m) / 2;
            }
            if (q[i] > 0) {
                js += q[i] * log2(q[i] / m) / 2;
            }
        }
        return Math.max(0, Math.min(1, js)); // rounding may step a hair outside [0, 1]
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
