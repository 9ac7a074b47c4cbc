package org.mlgateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LabelDriftTest {

    private static final List<String> LABELS = List.of("joy", "neutral", "worry");

    @Test
    void jensenShannonOnKnownDistributions() {
        double[] q = {0.5, 0.5};
        assertEquals(0.0, LabelDrift.jensenShannon(q, q), 1e-12, "identical");
        assertEquals(1.0, LabelDrift.jensenShannon(new double[] {1, 0}, new double[] {0, 1}), 1e-12, "disjoint");
        // p = (1, 0), q = (1/2, 1/2): m = (3/4, 1/4); JS = 1/2 log2(4/3) + 1/4 log2(2/3) + 1/4 log2(2) = 0.3113
        double expected = 0.5 * log2(4.0 / 3) + 0.25 * log2(2.0 / 3) + 0.25 * log2(2);
        assertEquals(expected, LabelDrift.jensenShannon(new double[] {1, 0}, q), 1e-12);
        assertEquals(0.31127812445913283, expected, 1e-12);
        // Symmetric.
        assertEquals(
                LabelDrift.jensenShannon(new double[] {0.2, 0.8}, q),
                LabelDrift.jensenShannon(q, new double[] {0.2, 0.8}),
                1e-15);
    }

    @Test
    void isNaNUntilTheWindowIsFullThenFollowsTheLastPredictionsOnly() {
        LabelDrift drift = new LabelDrift(LABELS, Map.of("joy", 1, "neutral", 2, "worry", 1), 4);
        assertTrue(Double.isNaN(drift.divergence()), "no prediction yet");
        for (String l : List.of("joy", "neutral", "neutral")) {
            drift.record(l);
        }
        assertTrue(Double.isNaN(drift.divergence()), "3 of 4");
        drift.record("worry");
        assertEquals(0.0, drift.divergence(), 1e-12, "exactly the training shares: 1/4, 1/2, 1/4");
        // Four more "neutral" push every earlier prediction out of the window: (0, 1, 0) against (1/4, 1/2, 1/4).
        for (int i = 0; i < 4; i++) {
            drift.record("neutral");
        }
        // m = (1/8, 3/4, 1/8): JS = 1/2 log2(4/3) + 1/2 (2 * 1/4 log2(2) + 1/2 log2(2/3)) = 0.3113
        assertEquals(0.31127812445913283, drift.divergence(), 1e-12);
        assertEquals(jsByHand(new double[] {0, 1, 0}, new double[] {0.25, 0.5, 0.25}), drift.divergence(), 1e-12);
        drift.record("not-a-label");
        assertEquals(
                jsByHand(new double[] {0, 1, 0}, new double[] {0.25, 0.5, 0.25}),
                drift.divergence(),
                1e-12,
                "an unknown label changes nothing");
    }

    @Test
    void aLabelTheTrainingNeverSawCountsAsFarFromIt() {
        LabelDrift drift = new LabelDrift(LABELS, Map.of("joy", 1, "neutral", 1), 2);
        drift.record("worry");
        drift.record("worry");
        assertEquals(1.0, drift.divergence(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new LabelDrift(LABELS, Map.of("other", 5), 10));
        assertThrows(IllegalArgumentException.class, () -> new LabelDrift(LABELS, Map.of("joy", 1), 0));
    }

    @Test
    void concurrentPredictionsKeepTheCountsConsistent() throws Exception {
        LabelDrift drift = new LabelDrift(LABELS, Map.of("joy", 1, "neutral", 1, "worry", 1), 300);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            pool.submit(() -> {
                for (int i = 0; i < 30_000; i++) {
                    drift.record(LABELS.get(i % 3));
                }
            });
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
        // Whatever the interleaving, the window holds 300 labels, about a third each: close to the training shares.
        assertTrue(drift.divergence() < 0.05, "divergence " + drift.divergence());
    }

    private static double jsByHand(double[] p, double[] q) {
        double js = 0;
        for (int i = 0; i < p.length; i++) {
            double m = (p[i] + q[i]) / 2;
            js += (p[i] > 0 ? p[i] * log2(p[i] / m) : 0) / 2 + (q[i] > 0 ? q[i] * log2(q[i] / m) : 0) / 2;
        }
        return js;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
