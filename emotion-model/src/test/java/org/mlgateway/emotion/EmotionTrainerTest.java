package org.mlgateway.emotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.tribuo.classification.Label;

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
}
