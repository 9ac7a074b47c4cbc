package org.mlgateway.emotion;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

class EmotionMetricsTest {

    private static Prediction p(String label, double a, double b, double c) {
        TreeMap<String, Double> m = new TreeMap<>();
        m.put("a", a);
        m.put("b", b);
        m.put("c", c);
        return new Prediction(label, m);
    }

    @Test
    void handComputedCase() {
        List<String> labels = List.of("a", "b", "c");
        List<String> truth = List.of("a", "a", "b", "c");
        List<Prediction> preds = List.of(
                p("a", 0.8, 0.1, 0.1),   // right
                p("b", 0.4, 0.5, 0.1),   // wrong: a predicted as b
                p("b", 0.2, 0.7, 0.1),   // right
                p("a", 0.5, 0.0, 0.5));  // wrong (tie broken to a), true c
        EmotionMetrics m = EmotionMetrics.compute(labels, truth, preds);

        assertEquals(0.5, m.accuracy(), 1e-12);
        double logLoss = -(Math.log(0.8) + Math.log(0.4) + Math.log(0.7) + Math.log(0.5)) / 4;
        assertEquals(logLoss, m.logLoss(), 1e-12);
        // a: tp1 fp1 fn1 -> P=R=F1=0.5; b: tp1 fp1 fn0 -> P=.5 R=1 F1=2/3; c: tp0 -> F1 0.
        assertEquals(0.5, m.perLabel().get("a").f1(), 1e-12);
        assertEquals(0.5, m.perLabel().get("b").precision(), 1e-12);
        assertEquals(1.0, m.perLabel().get("b").recall(), 1e-12);
        assertEquals(2.0 / 3, m.perLabel().get("b").f1(), 1e-12);
        assertEquals(0.0, m.perLabel().get("c").f1(), 1e-12);
        assertEquals(1, m.perLabel().get("c").support());
        assertEquals((0.5 + 2.0 / 3 + 0) / 3, m.macroF1(), 1e-12);
    }

    @Test
    void zeroProbabilityIsClippedNotInfinite() {
        EmotionMetrics m = EmotionMetrics.compute(List.of("a", "b", "c"), List.of("b"), List.of(p("a", 1, 0, 0)));
        assertEquals(-Math.log(EmotionMetrics.EPS), m.logLoss(), 1e-9);
    }
}
