package org.mlgateway.emotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

class TuneEmotionModelTest {

    @Test
    void everyLineChangesTheFirstLinesRecipe(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("candidates.txt");
        Files.writeString(file, """
                # comment
                base: --seed 3 --folds 4 --epochs 2 --features words

                more-epochs: --epochs 7
                chars: --features words+chars=2-3 --calibrate true
                """);
        List<TuneEmotionModel.Candidate> c = TuneEmotionModel.readCandidates(file);
        assertEquals(
                List.of("base", "more-epochs", "chars"),
                c.stream().map(TuneEmotionModel.Candidate::name).toList());
        assertEquals(2, c.get(0).config().epochs());
        assertEquals(7, c.get(1).config().epochs());
        assertEquals("words", c.get(1).config().features(), "kept from the first line");
        assertEquals(4, c.get(2).config().folds());
        assertEquals(2, c.get(2).config().epochs(), "kept from the first line, not the previous one");
        assertTrue(c.get(2).config().calibrate());
        Files.writeString(file, "base: --epochs\n");
        assertThrows(IllegalArgumentException.class, () -> TuneEmotionModel.readCandidates(file));
    }

    @Test
    void theBarIsAgainstTheFirstCandidate() {
        EmotionCrossValidation.Result reference = result(0.37, 0.18, 1.84, 0.0);
        assertTrue(TuneEmotionModel.meetsBar(result(0.38, 0.20, 1.81, 0.01), reference));
        assertFalse(TuneEmotionModel.meetsBar(result(0.379, 0.20, 1.81, 0.01), reference), "accuracy");
        assertFalse(TuneEmotionModel.meetsBar(result(0.38, 0.199, 1.81, 0.01), reference), "macro-F1");
        assertFalse(TuneEmotionModel.meetsBar(result(0.38, 0.20, 1.811, 0.01), reference), "log loss");
        assertFalse(TuneEmotionModel.meetsBar(result(0.38, 0.20, 1.81, 0.0), reference), "a label never found");
    }

    /** A whole run on a tiny file: one row per candidate, in order, with its figures, and a selection. */
    @Test
    void writesTheTable(@TempDir Path dir) throws IOException {
        Path candidates = dir.resolve("candidates.txt");
        Files.writeString(
                candidates, "one-epoch: --seed 1 --folds 3 --min-count 1 --epochs 1\ncalibrated: --calibrate true\n");
        Path out = dir.resolve("cv-table.json");
        TuneEmotionModel.main(new String[] {
            "--dataset",
            TrainEmotionModelTest.tinyCsv(dir).toString(),
            "--candidates",
            candidates.toString(),
            "--out",
            out.toString()
        });
        JsonNode table = new ObjectMapper().readTree(out.toFile());
        assertEquals(54, table.get("trainRows").asInt(), "the validation split is left out");
        assertEquals(2, table.get("candidates").size());
        assertEquals("one-epoch", table.at("/candidates/0/name").asText());
        assertTrue(
                table.at("/candidates/1/result/metrics/calibratedLogLoss/mean").isNumber());
        assertTrue(table.at("/candidates/0/result/metrics/accuracy/std").isNumber());
        assertTrue(table.get("selected").isTextual());

        // Again, reusing that table: the unchanged first line is taken from it, the changed second one is run.
        Files.writeString(
                candidates, "one-epoch: --seed 1 --folds 3 --min-count 1 --epochs 1\ntwo-epochs: --epochs 2\n");
        Path again = dir.resolve("again.json");
        TuneEmotionModel.main(new String[] {
            "--dataset",
            TrainEmotionModelTest.tinyCsv(dir).toString(),
            "--candidates",
            candidates.toString(),
            "--out",
            again.toString(),
            "--reuse",
            out.toString()
        });
        JsonNode second = new ObjectMapper().readTree(again.toFile());
        assertEquals(table.at("/candidates/0"), second.at("/candidates/0"));
        assertEquals("two-epochs", second.at("/candidates/1/name").asText());
    }

    private static EmotionCrossValidation.Result result(
            double accuracy, double macroF1, double logLoss, double minRecall) {
        return new EmotionCrossValidation.Result(
                5,
                Map.of(
                        "accuracy",
                        new EmotionCrossValidation.Stat(accuracy, 0),
                        "macroF1",
                        new EmotionCrossValidation.Stat(macroF1, 0),
                        "logLoss",
                        new EmotionCrossValidation.Stat(logLoss, 0)),
                Map.of(),
                minRecall,
                1);
    }
}
