package org.mlgateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ShadowComparisonTest {

    @Test
    void meanAbsoluteDifferenceOverTheLabelsBothKnow() {
        Map<String, Double> champion = Map.of("love", 0.5, "worry", 0.3, "neutral", 0.2);
        assertEquals(0.0, ShadowComparison.meanAbsoluteDifference(champion, champion), 0);
        // |0.5-0.2| + |0.3-0.3| + |0.2-0.5| = 0.6 over 3 labels
        assertEquals(
                0.2,
                ShadowComparison.meanAbsoluteDifference(champion, Map.of("love", 0.2, "worry", 0.3, "neutral", 0.5)),
                1e-12);
        // A label only one model has is left out: |0.5-0.4| + |0.3-0.6| over the 2 shared labels
        assertEquals(
                0.2,
                ShadowComparison.meanAbsoluteDifference(champion, Map.of("love", 0.4, "worry", 0.6, "fun", 0.0)),
                1e-12);
        assertTrue(
                Double.isNaN(ShadowComparison.meanAbsoluteDifference(champion, Map.of("fun", 1.0))), "nothing shared");
    }
}
