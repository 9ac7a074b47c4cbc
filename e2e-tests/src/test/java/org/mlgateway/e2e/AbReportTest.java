package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/ab-report.sh on prediction logs with known contents: the join, the agreement, the confusion, the latency. No stack needed. */
class AbReportTest {

    @Test
    void joinsByRequestIdAndCountsAgreementConfusionAndLatency(@TempDir Path dir) throws Exception {
        Path champion1 = dir.resolve("api-v1-1");
        Path champion2 = dir.resolve("api-v1-2");
        Path candidate = dir.resolve("api-candidate");
        // 10 requests: the candidate agrees on 7; r8-r10 it calls "neutral" where the champion said "worry".
        List<String> a1 = new ArrayList<>();
        List<String> a2 = new ArrayList<>();
        List<String> b = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            String champ = i <= 4 ? "love" : i <= 7 ? "neutral" : "worry";
            String cand = i <= 7 ? champ : "neutral";
            (i % 2 == 0 ? a2 : a1).add(line("r" + i, "api-v1-" + (i % 2 == 0 ? 2 : 1), "8b357f0c0dbd", champ, i));
            b.add(line("r" + i, "api-candidate", "2ad2d1fb30b4", cand, i + 0.5));
        }
        a1.add(line("", "api-v1-1", "8b357f0c0dbd", "love", 1)); // a direct call, no request id: never joined
        b.add(line("r99", "api-candidate", "2ad2d1fb30b4", "fun", 1)); // no champion line: not joined
        write(champion1.resolve("predictions.1.jsonl"), a1.subList(0, 2));
        write(champion1.resolve("predictions.0.jsonl"), a1.subList(2, a1.size()));
        write(champion2.resolve("predictions.0.jsonl"), a2);
        write(candidate.resolve("predictions.0.jsonl"), b);

        String report = run(champion1.toString(), champion2.toString(), "--", candidate.toString());
        assertTrue(report.contains("Champion:  11 predictions, model 8b357f0c0dbd"), report);
        assertTrue(report.contains("Candidate: 11 predictions, model 2ad2d1fb30b4"), report);
        assertTrue(report.contains("Joined by request id (and place in a batch): 10"), report);
        assertTrue(report.contains("Agreement: 7 of 10 (70 %)"), report);
        assertTrue(report.contains("  worry -> neutral: 3  (differ)"), report);
        assertTrue(report.contains("  love -> love: 4"), report);
        assertTrue(report.contains("  neutral -> neutral: 3"), report);
        assertTrue(report.indexOf("(differ)") < report.indexOf("love -> love"), "disagreements first:\n" + report);
        // Champion latencies 1..10 ms: p50 5, p99 10; the candidate 0.5 ms slower on each request.
        assertTrue(report.contains("  champion   p50 5 ms, p99 10 ms"), report);
        assertTrue(report.contains("  candidate  p50 5.5 ms, p99 10.5 ms"), report);
        assertTrue(report.contains("median per request: 0.5 ms"), report);
    }

    @Test
    void joinsTheSentencesOfABatchByTheirPlaceInIt(@TempDir Path dir) throws Exception {
        // One mirrored batch of three sentences (one request id), and a /predict call: each sentence meets its own
        // twin.
        List<String> a = List.of(
                line("b1", 0, "love", 1),
                line("b1", 1, "worry", 1),
                line("b1", 2, "fun", 1),
                line("p1", -1, "love", 2));
        List<String> b = List.of(
                line("b1", 2, "fun", 3),
                line("b1", 0, "love", 3),
                line("b1", 1, "neutral", 3),
                line("p1", -1, "love", 4));
        write(dir.resolve("champion/predictions.0.jsonl"), a);
        write(dir.resolve("candidate/predictions.0.jsonl"), b);

        String report = run(
                dir.resolve("champion").toString(),
                "--",
                dir.resolve("candidate").toString());
        assertTrue(report.contains("Joined by request id (and place in a batch): 4"), report);
        assertTrue(report.contains("Agreement: 3 of 4 (75 %)"), report);
        assertTrue(report.contains("  worry -> neutral: 1  (differ)"), report);
    }

    /** A line of a batch's sentence (batchIndex -1: a /predict call, no batch_index field). */
    private static String line(String id, int batchIndex, String label, double latencyMs) {
        String line = line(id, "api-v1-1", "8b357f0c0dbd", label, latencyMs);
        return batchIndex < 0 ? line : line.replace("}", ",\"batch_index\":" + batchIndex + "}");
    }

    @Test
    void saysWhatIsMissingWhenASideHasNoLog(@TempDir Path dir) throws Exception {
        Path champion = dir.resolve("api-v1-1");
        write(champion.resolve("predictions.0.jsonl"), List.of(line("r1", "api-v1-1", "v", "love", 1)));
        Command.Result result = abReport(
                        champion.toString(), "--", dir.resolve("api-candidate").toString())
                .run();
        String out = result.output();
        assertEquals(1, result.exitCode(), out);
        assertTrue(out.contains("the candidate has no prediction log"), out);
    }

    private static String line(String id, String server, String version, String label, double latencyMs) {
        return String.format(
                java.util.Locale.ROOT,
                "{\"request_id\":\"%s\",\"time\":\"2026-11-28T07:00:00Z\",\"server\":\"%s\","
                        + "\"variant\":\"v1\",\"model_version\":\"%s\",\"label\":\"%s\",\"top_probability\":0.5,\"latency_ms\":%s}",
                id,
                server,
                version,
                label,
                latencyMs);
    }

    private static void write(Path file, List<String> lines) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, lines);
    }

    private static String run(String... args) {
        return abReport(args).succeeds();
    }

    private static Command abReport(String... args) {
        List<String> command = new ArrayList<>(List.of("bash", "scripts/ab-report.sh"));
        command.addAll(List.of(args));
        return Command.of(command);
    }
}
