package org.mlgateway.emotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.VariableInfo;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.ensemble.WeightedEnsembleModel;
import org.tribuo.math.la.DenseMatrix;

class EmotionTrainerTest {

    @Test
    void classWeightsFavourRareLabelsAndAverageOnePerRow() {
        Map<String, Integer> counts = Map.of("common", 90, "rare", 10);
        Map<String, Float> balanced =
                TrainEmotionModelTest.config("--class-weight 1").classWeights(counts);
        assertEquals(90 * balanced.get("common") + 10 * balanced.get("rare"), 100, 1e-3, "mean weight 1");
        assertEquals(9.0, balanced.get("rare") / balanced.get("common"), 1e-5, "balanced: inverse frequency");
        Map<String, Float> half =
                TrainEmotionModelTest.config("--class-weight 0.5").classWeights(counts);
        assertEquals(3.0, half.get("rare") / half.get("common"), 1e-5, "p = 0.5: its square root");
        Map<String, Float> none =
                TrainEmotionModelTest.config("--class-weight 0").classWeights(counts);
        assertEquals(none.get("rare"), none.get("common"), 0);
    }

    /** Cross-validation hands the same examples to every fold: training must not leave weights on them. */
    @Test
    void weighsCopiesNotTheCallersExamples(@TempDir Path dir) throws IOException {
        List<LabeledText> rows = new ArrayList<>();
        for (LabeledText row : EmotionCsv.read(TrainEmotionModelTest.tinyCsv(dir))) {
            if (!row.label().equals("fun") || rows.size() % 4 == 0) {
                rows.add(row); // fewer "fun" rows: unequal class weights
            }
        }
        MutableDataset<Label> data =
                new MutableDataset<>(new EmotionDataSource(rows, EmotionFeaturizer.standard(), "t"));
        List<Float> before = new ArrayList<>();
        for (Example<Label> e : data) {
            before.add(e.getWeight());
        }
        Model<Label> model = TrainEmotionModelTest.config("--seed 1 --min-count 1 --epochs 1 --class-weight 1")
                .trainer()
                .train(data);
        List<Float> after = new ArrayList<>();
        for (Example<Label> e : data) {
            after.add(e.getWeight());
        }
        assertEquals(before, after);
        assertTrue(model.getFeatureIDMap().size() > 0);
    }

    /**
     * views: a linear model per view, the character n-grams and the rest, each blind to the other view (its
     * weights there stay 0), their distributions averaged; a sentence known to one view only is still answered.
     */
    @Test
    void viewsAverageAWordModelAndACharacterModel(@TempDir Path dir) throws IOException {
        MutableDataset<Label> data = new MutableDataset<>(new EmotionDataSource(
                EmotionCsv.read(TrainEmotionModelTest.tinyCsv(dir)), EmotionFeaturizer.standard(), "t"));
        Model<Label> model = TrainEmotionModelTest.config("--seed 1 --min-count 1 --epochs 2 --model views")
                .trainer()
                .train(data);
        WeightedEnsembleModel<Label> views = assertInstanceOf(WeightedEnsembleModel.class, model);
        assertEquals(2, views.getNumModels());
        for (int block = 0; block < 2; block++) {
            LinearSGDModel member =
                    assertInstanceOf(LinearSGDModel.class, views.getModels().get(block));
            DenseMatrix w = member.getWeightsCopy();
            int ownNonZero = 0;
            for (VariableInfo f : member.getFeatureIDMap()) {
                int id = member.getFeatureIDMap().getID(f.getName());
                for (int k = 0; k < w.getDimension1Size(); k++) {
                    if (FeatureWeighting.block(f.getName()) == block) {
                        ownNonZero += w.get(k, id) != 0 ? 1 : 0;
                    } else {
                        assertEquals(0, w.get(k, id), 0, f.getName() + " is outside view " + block);
                    }
                }
            }
            assertTrue(ownNonZero > 0, "view " + block + " learnt something");
        }
        EmotionFeaturizer featurizer = EmotionFeaturizer.standard();
        for (String s : List.of("I love it so much", "zzlovezz")) { // the second: character n-grams only
            Example<Label> e = featurizer.toExample(s, LabelFactory.UNKNOWN_LABEL, model.getFeatureIDMap());
            Map<String, Label> both = model.predict(e).getOutputScores();
            Map<String, Label> words = views.getModels().get(0).predict(e).getOutputScores();
            Map<String, Label> chars = views.getModels().get(1).predict(e).getOutputScores();
            both.forEach((label, p) -> assertEquals(
                    (words.get(label).getScore() + chars.get(label).getScore()) / 2,
                    p.getScore(),
                    1e-12,
                    label + " of " + s));
        }
    }
}
