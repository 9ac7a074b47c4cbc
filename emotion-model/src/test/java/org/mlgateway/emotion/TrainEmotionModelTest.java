package org.mlgateway.emotion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole pipeline on a tiny synthetic file: trains in well under a second. */
class TrainEmotionModelTest {

    static Path tinyCsv(Path dir) throws IOException {
        StringBuilder csv = new StringBuilder("label,text\n");
        String[][] words = {
            {"love", "love adore sweet hugs"}, {"sadness", "sad cry tears alone"}, {"fun", "lol party haha fun"}
        };
        for (int i = 0; i < 60; i++) {
            String[] w = words[i % 3];
            csv.append(w[0])
                    .append(",\"")
                    .append(w[1])
                    .append(", row ")
                    .append(i)
                    .append("\"\n");
        }
        Path f = dir.resolve("tiny.csv");
        Files.writeString(f, csv);
        return f;
    }

    /** Trainer options as on the command line, on top of the defaults. */
    static TrainerConfig config(String options) {
        TrainEmotionModel.TrainOptions o = new TrainEmotionModel.TrainOptions();
        assertTrue(Cli.parse(options.split(" "), o));
        return o.config();
    }

    static TrainerConfig tinyConfig(int epochs) {
        return config("--seed 1 --folds 3 --min-count 1 --epochs " + epochs);
    }

    @Test
    void trainsWritesModelAndCardThatTheClassifierLoads(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("model");
        Map<String, Object> card = TrainEmotionModel.train(tinyCsv(dir), tinyConfig(3), out, null);

        Path modelFile = out.resolve(EmotionClassifier.MODEL_FILE);
        EmotionClassifier c = EmotionClassifier.fromFile(modelFile);
        assertEquals(List.of("fun", "love", "sadness"), c.labels());
        assertEquals(ModelVersion.of(Files.readAllBytes(modelFile)), card.get("modelVersion"));
        assertEquals(c.modelVersion(), card.get("modelVersion"));
        assertEquals("love", c.predict("sweet hugs").label());
        assertEquals("sadness", c.predict("tears").label());

        JsonNode json = new ObjectMapper()
                .readTree(out.resolve(EmotionClassifier.CARD_FILE).toFile());
        assertEquals(c.modelVersion(), json.get("modelVersion").asText());
        assertEquals(
                EmotionCsv.sha256(dir.resolve("tiny.csv")),
                json.at("/dataset/sha256").asText());
        assertEquals(60, json.at("/dataset/rows").asInt());
        assertEquals(6, json.at("/dataset/validationRows").asInt());
        int trained = 0;
        for (String label : c.labels()) {
            int n = json.at("/dataset/trainLabelCounts/" + label).asInt();
            assertTrue(
                    n > 0 && n < json.at("/dataset/labelCounts/" + label).asInt(),
                    label + ": a share of its rows trained on");
            trained += n;
        }
        assertEquals(54, trained, "trainLabelCounts covers exactly the training split");
        assertEquals(1.0, json.at("/validation/metrics/accuracy").asDouble(), 1e-9);
        assertEquals(3, json.at("/trainer/epochs").asInt());
        assertEquals(EmotionFeaturizer.STANDARD, json.at("/featurizer/features").asText());
        assertTrue(json.at("/validation/metrics/perLabel/love/support").asInt() > 0);
    }

    /** make train is reproducible: the same data and options give the same model file, byte for byte. */
    @Test
    void theSameOptionsGiveTheSameModelFileByteForByte(@TempDir Path dir) throws IOException {
        Path csv = tinyCsv(dir);
        String options = "--folds 3 --min-count 1 --epochs 2 --class-weight 0.5 --calibrate true";
        Map<String, Object> a = TrainEmotionModel.train(csv, config("--seed 1 " + options), dir.resolve("a"), null);
        Map<String, Object> b = TrainEmotionModel.train(csv, config("--seed 1 " + options), dir.resolve("b"), null);
        Map<String, Object> c = TrainEmotionModel.train(csv, config("--seed 2 " + options), dir.resolve("c"), null);
        assertArrayEquals(
                Files.readAllBytes(dir.resolve("a").resolve(EmotionClassifier.MODEL_FILE)),
                Files.readAllBytes(dir.resolve("b").resolve(EmotionClassifier.MODEL_FILE)));
        assertEquals(a.get("modelVersion"), b.get("modelVersion"));
        assertEquals(
                a.get("crossValidation").toString(), b.get("crossValidation").toString());
        assertNotEquals(a.get("modelVersion"), c.get("modelVersion"), "another seed, another model");
    }

    /** The card carries the recipe's cross-validation, the calibration and make tune's table. */
    @Test
    void theCardHoldsCrossValidationCalibrationAndTheTuningTable(@TempDir Path dir) throws IOException {
        Path table = dir.resolve("cv-table.json");
        Files.writeString(table, "{\"selected\": \"x\", \"candidates\": []}");
        TrainEmotionModel.train(
                tinyCsv(dir),
                config("--seed 1 --folds 3 --min-count 1 --epochs 2 --calibrate true"),
                dir.resolve("m"),
                table);
        JsonNode card = new ObjectMapper()
                .readTree(dir.resolve("m").resolve(EmotionClassifier.CARD_FILE).toFile());
        assertEquals(3, card.at("/crossValidation/result/folds").asInt());
        for (String metric :
                List.of("accuracy", "macroF1", "logLoss", "ece", "temperature", "calibratedLogLoss", "calibratedEce")) {
            assertTrue(
                    card.at("/crossValidation/result/metrics/" + metric + "/mean")
                            .isNumber(),
                    metric);
        }
        assertTrue(card.at("/crossValidation/result/recall/love/mean").isNumber());
        double t = card.at("/calibration/temperature").asDouble();
        assertTrue(t >= TemperatureScaling.MIN && t <= TemperatureScaling.MAX, "temperature " + t);
        assertEquals(
                card.at("/validation/metrics/ece").asDouble(),
                card.at("/calibration/validationAfter/ece").asDouble(),
                0);
        int answers = 0;
        for (JsonNode bin : card.at("/calibration/reliabilityAfter")) {
            answers += bin.get("answers").asInt();
            assertTrue(
                    bin.get("meanConfidence").asDouble() >= bin.get("from").asDouble()
                            && bin.get("meanConfidence").asDouble()
                                    <= bin.get("to").asDouble(),
                    bin.toString());
        }
        assertEquals(card.at("/dataset/validationRows").asInt(), answers, "every validation row in one bin");
        assertEquals("x", card.at("/tuning/selected").asText());
    }

    @Test
    void commandLineOptionsReachTheTrainer(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("cli");
        TrainEmotionModel.main(new String[] {
            "--dataset",
            tinyCsv(dir).toString(),
            "--out",
            out.toString(),
            "--epochs",
            "2",
            "--seed",
            "9",
            "--min-count",
            "1",
            "--averaging",
            "true",
            "--folds",
            "0",
            "--features",
            "words+negation+emoji",
            "--class-weight",
            "0.5"
        });
        JsonNode card = new ObjectMapper()
                .readTree(out.resolve(EmotionClassifier.CARD_FILE).toFile());
        assertEquals(2, card.at("/trainer/epochs").asInt());
        assertEquals("words+negation+emoji", card.at("/featurizer/features").asText());
        assertEquals(
                "words+negation+emoji",
                EmotionClassifier.fromFile(out.resolve(EmotionClassifier.MODEL_FILE))
                        .featurizer()
                        .featureSet()
                        .toString(),
                "the classifier takes its features from the card");
        assertTrue(card.at("/trainer/classWeight").asText().endsWith("^0.5"));
        assertTrue(card.at("/crossValidation").isMissingNode(), "no folds, no cross-validation");
        assertEquals(9, card.at("/trainer/seed").asLong());
        assertEquals(1, card.at("/trainer/minFeatureCount").asInt());
        assertTrue(card.at("/trainer/optimiser").asText().startsWith("ParameterAveraging("), "boolean option");
        assertEquals(
                card.get("modelVersion").asText(),
                ModelVersion.of(Files.readAllBytes(out.resolve(EmotionClassifier.MODEL_FILE))));
    }

    @Test
    void dryRunWritesNothing(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("none");
        TrainEmotionModel.main(new String[] {
            "--dataset", tinyCsv(dir).toString(), "--out", out.toString(), "--epochs", "1", "--dry-run", "true"
        });
        assertFalse(Files.exists(out));
    }
}
