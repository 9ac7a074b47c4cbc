package org.mlgateway.emotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole pipeline on a tiny synthetic file: trains in well under a second. */
class TrainEmotionModelTest {

    static Path tinyCsv(Path dir) throws IOException {
        StringBuilder csv = new StringBuilder("label,text\n");
        String[][] words = {{"love", "love adore sweet hugs"}, {"sadness", "sad cry tears alone"},
                {"fun", "lol party haha fun"}};
        for (int i = 0; i < 60; i++) {
            String[] w = words[i % 3];
            csv.append(w[0]).append(",\"").append(w[1]).append(", row ").append(i).append("\"\n");
        }
        Path f = dir.resolve("tiny.csv");
        Files.writeString(f, csv);
        return f;
    }

    static TrainerConfig tinyConfig(int epochs) {
        return new TrainerConfig(1L, 0.2, 1, epochs, 0.1, 0.1, 1, false);
    }

    @Test
    void trainsWritesModelAndCardThatTheClassifierLoads(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("model");
        Map<String, Object> card = TrainEmotionModel.train(tinyCsv(dir), tinyConfig(3), EmotionFeaturizer.standard(), out);

        Path modelFile = out.resolve(EmotionClassifier.MODEL_FILE);
        EmotionClassifier c = EmotionClassifier.fromFile(modelFile);
        assertEquals(List.of("fun", "love", "sadness"), c.labels());
        assertEquals(ModelVersion.of(Files.readAllBytes(modelFile)), card.get("modelVersion"));
        assertEquals(c.modelVersion(), card.get("modelVersion"));
        assertEquals("love", c.predict("sweet hugs").label());
        assertEquals("sadness", c.predict("tears").label());

        JsonNode json = new ObjectMapper().readTree(out.resolve(EmotionClassifier.CARD_FILE).toFile());
        assertEquals(c.modelVersion(), json.get("modelVersion").asText());
        assertEquals(EmotionCsv.sha256(dir.resolve("tiny.csv")), json.at("/dataset/sha256").asText());
        assertEquals(60, json.at("/dataset/rows").asInt());
        assertEquals(12, json.at("/dataset/validationRows").asInt());
        int trained = 0;
        for (String label : c.labels()) {
            int n = json.at("/dataset/trainLabelCounts/" + label).asInt();
            assertTrue(n > 0 && n < json.at("/dataset/labelCounts/" + label).asInt(), label + ": a share of its rows trained on");
            trained += n;
        }
        assertEquals(48, trained, "trainLabelCounts covers exactly the training split");
        assertEquals(1.0, json.at("/validation/metrics/accuracy").asDouble(), 1e-9);
        assertEquals(3, json.at("/trainer/epochs").asInt());
        assertEquals(5, json.at("/featurizer/charNgrams/max").asInt());
        assertTrue(json.at("/validation/metrics/perLabel/love/support").asInt() > 0);
    }

    @Test
    void sameSeedSameMetricsAndDifferentConfigDifferentVersion(@TempDir Path dir) throws IOException {
        Path csv = tinyCsv(dir);
        Map<String, Object> a = TrainEmotionModel.train(csv, tinyConfig(2), EmotionFeaturizer.standard(), null);
        Map<String, Object> b = TrainEmotionModel.train(csv, tinyConfig(2), EmotionFeaturizer.standard(), null);
        Map<String, Object> c = TrainEmotionModel.train(csv, tinyConfig(4), EmotionFeaturizer.standard(), null);
        assertEquals(((Map<?, ?>) a.get("validation")).get("metrics"), ((Map<?, ?>) b.get("validation")).get("metrics"));
        assertNotEquals(a.get("modelVersion"), c.get("modelVersion"));
    }

    @Test
    void commandLineOptionsReachTheTrainer(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("cli");
        TrainEmotionModel.main(new String[] {"--dataset", tinyCsv(dir).toString(), "--out", out.toString(),
            "--epochs", "2", "--seed", "9", "--min-count", "1", "--averaging", "true"});
        JsonNode card = new ObjectMapper().readTree(out.resolve(EmotionClassifier.CARD_FILE).toFile());
        assertEquals(2, card.at("/trainer/epochs").asInt());
        assertEquals(9, card.at("/trainer/seed").asLong());
        assertEquals(1, card.at("/trainer/minFeatureCount").asInt());
        assertTrue(card.at("/trainer/optimiser").asText().startsWith("ParameterAveraging("), "boolean option");
        assertEquals(card.get("modelVersion").asText(),
                ModelVersion.of(Files.readAllBytes(out.resolve(EmotionClassifier.MODEL_FILE))));
    }

    @Test
    void dryRunWritesNothing(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("none");
        TrainEmotionModel.main(new String[] {"--dataset", tinyCsv(dir).toString(), "--out", out.toString(),
            "--epochs", "1", "--dry-run", "true"});
        assertFalse(Files.exists(out));
    }
}
