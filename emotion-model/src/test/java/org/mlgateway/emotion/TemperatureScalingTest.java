package org.mlgateway.emotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Example;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.MutableOutputInfo;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;

class TemperatureScalingTest {

    private static final String[] LABELS = {"a", "b", "c"};

    /**
     * Predictions twice as sure as the truth they are drawn from (scores times 2): the fitted temperature
     * is about 2, and dividing by it brings the log loss down.
     */
    @Test
    void fitsTheTemperatureOfOverconfidentPredictions() {
        MutableOutputInfo<Label> info = new LabelFactory().generateInfo();
        for (String l : LABELS) {
            info.observe(new Label(l));
        }
        ImmutableOutputInfo<Label> labels = info.generateImmutableOutputInfo();
        Random random = new Random(7);
        List<Prediction<Label>> predictions = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            double[] z = {random.nextGaussian(), random.nextGaussian(), random.nextGaussian()};
            double[] truth = softmax(z, 1);
            double u = random.nextDouble();
            int label = u < truth[0] ? 0 : u < truth[0] + truth[1] ? 1 : 2;
            predictions.add(prediction(LABELS[label], softmax(z, 2), labels));
        }
        double t = TemperatureScaling.fit(predictions, labels);
        assertEquals(2.0, t, 0.1);
        assertTrue(EmotionCrossValidation.logLoss(predictions, labels, t)
                < EmotionCrossValidation.logLoss(predictions, labels, 1) - 0.05);
        assertTrue(EmotionCrossValidation.ece(predictions, labels, t)
                < EmotionCrossValidation.ece(predictions, labels, 1));
    }

    /** The scaled model's own Tribuo predictions are the original's divided by T; its arg-max is the same. */
    @Test
    void theScaledModelPredictsTheScaledProbabilities(@TempDir Path dir) throws IOException {
        EmotionFeaturizer featurizer = EmotionFeaturizer.standard();
        Model<Label> model = TrainEmotionModelTest.tinyConfig(3)
                .trainer()
                .train(new MutableDataset<>(
                        new EmotionDataSource(EmotionCsv.read(TrainEmotionModelTest.tinyCsv(dir)), featurizer, "t")));
        Model<Label> scaled = TemperatureScaling.apply(model, 2.5);
        for (String text : List.of("sweet hugs", "tears alone", "lol party", "sad party hugs")) {
            Example<Label> example = featurizer.toExample(text, LabelFactory.UNKNOWN_LABEL);
            Prediction<Label> before = model.predict(example);
            Prediction<Label> after = scaled.predict(example);
            double[] expected = TemperatureScaling.scaled(before, model.getOutputIDInfo(), 2.5);
            for (Label l : after.getOutputScores().values()) {
                assertEquals(
                        expected[model.getOutputIDInfo().getID(l)], l.getScore(), 1e-12, text + " " + l.getLabel());
            }
            assertEquals(before.getOutput().getLabel(), after.getOutput().getLabel(), text);
        }
        Model<Label> fm = TrainEmotionModelTest.config("--seed 1 --folds 3 --min-count 1 --epochs 1 --model fm")
                .trainer()
                .train(new MutableDataset<>(
                        new EmotionDataSource(EmotionCsv.read(TrainEmotionModelTest.tinyCsv(dir)), featurizer, "t")));
        assertThrows(IllegalArgumentException.class, () -> TemperatureScaling.apply(fm, 2));
    }

    private static Prediction<Label> prediction(String truth, double[] p, ImmutableOutputInfo<Label> labels) {
        Map<String, Label> scores = new LinkedHashMap<>();
        int best = 0;
        for (int k = 0; k < p.length; k++) {
            scores.put(LABELS[k], new Label(LABELS[k], p[k]));
            best = p[k] > p[best] ? k : best;
        }
        Example<Label> example = new ArrayExample<>(new Label(truth), new String[] {"x"}, new double[] {1});
        return new Prediction<>(new Label(LABELS[best], p[best]), scores, 1, example, true);
    }

    private static double[] softmax(double[] z, double scale) {
        double[] q = new double[z.length];
        double sum = 0;
        for (int k = 0; k < z.length; k++) {
            q[k] = Math.exp(z[k] * scale);
            sum += q[k];
        }
        for (int k = 0; k < z.length; k++) {
            q[k] /= sum;
        }
        return q;
    }
}
