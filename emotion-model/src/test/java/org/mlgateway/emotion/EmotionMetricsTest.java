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
        var model = TrainEmotionModelTest.tinyConfig(3).trainer().train(new MutableDataset<>(new EmotionDataSource(train, f, "t")));
        EmotionClassifier c = new EmotionClassifier(model, f, "test");
        // The model gets the words right; one row's truth disagrees with them on purpose.
        List<LabeledText> rows = List.of(new LabeledText("love", "sweet hugs"), new LabeledText("love", "adore"),
                new LabeledText("sadness", "sweet hugs"), new LabeledText("sadness", "tears"), new LabeledText("fun", "lol party"));
        EmotionMetrics m = EmotionMetrics.evaluate(c, rows, "hand-counted");

        assertEquals(5, m.examples());
        assertEquals(0.8, m.accuracy(), 1e-12);
        // love: tp 2, fp 1; sadness: tp 1, fn 1; fun: all right.
        assertEquals(new EmotionMetrics.PerLabel(2.0 / 3, 1.0, 0.8, 2), m.perLabel().get("love"));
        assertEquals(new EmotionMetrics.PerLabel(1.0, 0.5, 2.0 / 3, 2), m.perLabel().get("sadness"));
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

    @Test
    void refusesLabelsTheModelDoesNotKnow(@TempDir Path dir) throws IOException {
        EmotionFeaturizer f = EmotionFeaturizer.standard();
        List<LabeledText> train = EmotionCsv.read(TrainEmotionModelTest.tinyCsv(dir));
        var model = TrainEmotionModelTest.tinyConfig(1).trainer().train(new MutableDataset<>(new EmotionDataSource(train, f, "t")));
        EmotionClassifier c = new EmotionClassifier(model, f, "test");
        assertThrows(IllegalArgumentException.class,
                () -> EmotionMetrics.evaluate(c, List.of(new LabeledText("joy", "hi")), "unknown label"));
    }
}
