package org.mlgateway.emotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.MutableDataset;

class EmotionMetricsTest {

    @Test
    void tribuoFiguresAndOurLogLossOnAHandCountedCase(@TempDir Path dir) throws IOException {
        EmotionFeaturizer f = EmotionFeaturizer.standard();
        List<LabeledText> train = EmotionCsv.read(TrainEmotionModelTest.tinyCsv(dir));
        var model = TrainEmotionModelTest.tinyConfig(3)
                .trainer()
                .train(new MutableDataset<>(new EmotionDataSource(train, f, "t")));
        EmotionClassifier c = new EmotionClassifier(model, f, "test");
        // The model gets the words right; one row's truth disagrees with them on purpose.
        List<LabeledText> rows = List.of(
                new LabeledText("love", "sweet hugs"),
                new LabeledText("love", "adore"),
                new LabeledText("sadness", "sweet hugs"),
                new LabeledText("sadness", "tears"),
                new LabeledText("fun", "lol party"));
        EmotionMetrics m = EmotionMetrics.evaluate(c, rows, "hand-counted");

        assertEquals(5, m.examples());
        assertEquals(0.8, m.accuracy(), 1e-12);
        // love: tp 2, fp 1; sadness: tp 1, fn 1; fun: all right.
        assertEquals(
                new EmotionMetrics.PerLabel(2.0 / 3, 1.0, 0.8, 2), m.perLabel().get("love"));
        assertEquals(
                new EmotionMetrics.PerLabel(1.0, 0.5, 2.0 / 3, 2), m.perLabel().get("sadness"));
        assertEquals(new EmotionMetrics.PerLabel(1.0, 1.0, 1.0, 1), m.perLabel().get("fun"));
        assertEquals((0.8 + 2.0 / 3 + 1.0) / 3, m.macroF1(), 1e-12);
        double loss = 0;
        for (LabeledText r : rows) {
            loss -= Math.log(c.predict(r.text()).probabilities().get(r.label()));
        }
        assertEquals(loss / rows.size(), m.logLoss(), 1e-12);
    }

    @Test
    void logLossClipsAZeroProbabilityInsteadOfBeingInfinite() {
        TreeMap<String, Double> p = new TreeMap<>();
        p.put("a", 1.0);
        p.put("b", 0.0);
        assertEquals(-Math.log(EmotionMetrics.EPS), EmotionMetrics.logLoss(new Prediction("a", p), "b"), 1e-9);
        assertEquals(0.0, EmotionMetrics.logLoss(new Prediction("a", p), "a"), 0.0);
    }

    /** ECE: per confidence bin, |accuracy - mean confidence|, weighted by the bin's share of the answers. */
    @Test
    void calibrationErrorWeighsEachBinsGap() {
        // Bin [0.8, 0.867): 4 answers at 0.85, 2 right (gap 0.35); bin [0.333, 0.4): 2 at 0.35, 1 right (gap 0.15).
        double[] confidence = {0.85, 0.85, 0.85, 0.85, 0.35, 0.35};
        boolean[] correct = {true, true, false, false, true, false};
        assertEquals((4 * 0.35 + 2 * 0.15) / 6, EmotionMetrics.calibrationError(confidence, correct), 1e-12);
        assertEquals(
                0.0,
                EmotionMetrics.calibrationError(new double[] {0.5, 0.5}, new boolean[] {true, false}),
                1e-12,
                "right as often as it is sure: calibrated");
    }

    @Test
    void refusesLabelsTheModelDoesNotKnow(@TempDir Path dir) throws IOException {
        EmotionFeaturizer f = EmotionFeaturizer.standard();
        List<LabeledText> train = EmotionCsv.read(TrainEmotionModelTest.tinyCsv(dir));
        var model = TrainEmotionModelTest.tinyConfig(1)
                .trainer()
                .train(new MutableDataset<>(new EmotionDataSource(train, f, "t")));
        EmotionClassifier c = new EmotionClassifier(model, f, "test");
        assertThrows(
                IllegalArgumentException.class,
                () -> EmotionMetrics.evaluate(c, List.of(new LabeledText("joy", "hi")), "unknown label"));
    }
}
