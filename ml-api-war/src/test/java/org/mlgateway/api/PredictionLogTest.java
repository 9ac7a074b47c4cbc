package org.mlgateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictionLogTest {

    @Test
    void writesOneJsonLinePerPredictionWithTheTextOnlyWhenGiven(@TempDir Path dir) throws IOException {
        try (PredictionLog log = new PredictionLog(dir, 1 << 20, "api-v1-1", "v1", "8b357f0c0dbd")) {
            log.append(new PredictionLog.Line(
                    "abc123", "4bf92f3577b34da6a3ce929d0e0e4736", -1, 1_700_000_000_000L, "love", 0.42, 1_250, null));
            log.append(new PredictionLog.Line(
                    "def456", null, 3, 1_700_000_000_001L, "worry", 0.3, 800, "a \"quoted\"\nline"));
        }
        List<String> lines = Files.readAllLines(dir.resolve("predictions.0.jsonl"));
        assertEquals(2, lines.size(), String.join("\n", lines));
        JsonObject first = Json.createReader(new StringReader(lines.get(0))).readObject();
        assertEquals("abc123", first.getString("request_id"));
        assertEquals("2023-11-14T22:13:20Z", first.getString("time"));
        assertEquals("api-v1-1", first.getString("server"));
        assertEquals("v1", first.getString("variant"));
        assertEquals("8b357f0c0dbd", first.getString("model_version"));
        assertEquals("love", first.getString("label"));
        assertEquals(0.42, first.getJsonNumber("top_probability").doubleValue(), 1e-12);
        assertEquals(1.25, first.getJsonNumber("latency_ms").doubleValue(), 1e-12);
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", first.getString("trace_id"));
        assertFalse(first.containsKey("batch_index"), "a /predict line has no place in a batch");
        assertFalse(first.containsKey("sentence"), "no text unless asked for");
        JsonObject second = Json.createReader(new StringReader(lines.get(1))).readObject();
        assertEquals("a \"quoted\"\nline", second.getString("sentence"), "escaped, one line");
        assertEquals("", second.getString("trace_id"), "no trace: empty, as a missing request id");
        assertEquals(3, second.getInt("batch_index"));
    }

    @Test
    void rotatesWithinItsDiskCap(@TempDir Path dir) throws Exception {
        long cap = 5 * 8192;
        try (PredictionLog log = new PredictionLog(dir, cap, "api-v1-1", "v1", "8b357f0c0dbd")) {
            for (int i = 0; i < 5_000; i++) {
                log.append(
                        new PredictionLog.Line("id-" + i, null, -1, 1_700_000_000_000L + i, "neutral", 0.5, 900, null));
                if (i % 500 == 0) {
                    Thread.sleep(20); // let the writer keep up: this test is about rotation, not dropping
                }
            }
        }
        long jsonl;
        long total;
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = files.filter(f -> f.toString().endsWith(".jsonl")).toList();
            jsonl = all.size();
            total = 0;
            for (Path f : all) {
                total += Files.size(f);
            }
        }
        assertEquals(PredictionLog.FILES, jsonl, "rotated into " + PredictionLog.FILES + " files");
        // A batch may overshoot a file's limit once before it rotates: at most one batch (PredictionLog.BATCH lines)
        // per file.
        assertTrue(total <= cap + PredictionLog.FILES * PredictionLog.BATCH * 200L, "bytes on disk: " + total);
        String kept = Files.readString(dir.resolve("predictions.0.jsonl"))
                + Files.readString(dir.resolve("predictions.1.jsonl"));
        assertTrue(kept.contains("\"request_id\":\"id-4999\""), "the newest line is in the newest files");
        assertFalse(
                Files.readString(dir.resolve("predictions.4.jsonl")).contains("\"request_id\":\"id-0\""),
                "the oldest lines rotated away");
    }

    @Test
    void neverBlocksARequestAndCountsWhatItDrops(@TempDir Path dir) throws IOException {
        try (PredictionLog log = new PredictionLog(dir, 1 << 20, "api-v1-1", "v1", "8b357f0c0dbd")) {
            long start = System.nanoTime();
            for (int i = 0; i < 200_000; i++) {
                log.append(new PredictionLog.Line("id-" + i, null, -1, 1_700_000_000_000L, "neutral", 0.5, 900, null));
            }
            // 200,000 offers to a 10,000-line queue: whatever the writer keeps up with, the rest is dropped, not waited
            // for.
            assertTrue(log.dropped() > 0, "dropped " + log.dropped());
            assertTrue(System.nanoTime() - start > 0);
        }
    }

    @Test
    void aFolderThatCannotBeWrittenFailsAtOpenNotPerRequest(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("not-a-folder");
        Files.writeString(file, "x");
        try {
            new PredictionLog(file, 1 << 20, "api-v1-1", "v1", "v").close();
            throw new AssertionError("opened a log inside a file");
        } catch (IOException expected) {
            // PredictResource then serves without a log.
        }
    }
}
