package org.mlgateway.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Two sets of servers compared from their prediction logs alone (make ab-report): the champion's
 * lines and a candidate's are joined by request id (Nginx's X-Request-ID, the same on a mirrored
 * request) and, for a batch of the Open Inference Protocol, the sentence's place in it
 * (batch_index); then agreement, the confusion between the two models' labels and the latency
 * difference. Each folder holds predictions.N.jsonl files (docs/monitoring.md).
 */
final class AbReport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Comparator<List<String>> BY_LABELS =
            Comparator.comparing((List<String> k) -> k.get(0)).thenComparing(k -> k.get(1));

    private AbReport() {}

    /** A line of the log: the fields the report reads. */
    private record Prediction(String key, boolean identified, String version, String label, double latencyMs) {

        static Prediction of(JsonNode line) {
            String id = line.path("request_id").asText("");
            String batchIndex =
                    line.hasNonNull("batch_index") ? line.get("batch_index").asText() : "";
            return new Prediction(
                    id + "#" + batchIndex,
                    !id.isEmpty(),
                    line.path("model_version").asText(""),
                    line.path("label").asText(""),
                    line.path("latency_ms").asDouble());
        }
    }

    private record Pair(Prediction champion, Prediction candidate) {}

    /** The report of CHAMPION's and CANDIDATE's folders to OUT; 1 with a message when a side has no log. */
    static int run(List<Path> champion, List<Path> candidate, PrintStream out, PrintStream err) throws IOException {
        List<Prediction> a = lines(champion);
        List<Prediction> b = lines(candidate);
        if (a.isEmpty() || b.isEmpty()) {
            err.println("ERROR: nothing to compare: "
                    + (a.isEmpty()
                            ? "the champion has no prediction log"
                            : "the candidate has no prediction log (is it running, with shadow traffic?)"));
            return 1;
        }
        Map<String, Prediction> byKey = new HashMap<>();
        a.stream().filter(Prediction::identified).forEach(p -> byKey.put(p.key(), p));
        List<Pair> pairs = b.stream()
                .filter(p -> p.identified() && byKey.containsKey(p.key()))
                .map(p -> new Pair(byKey.get(p.key()), p))
                .toList();
        long agree = pairs.stream()
                .filter(p -> p.champion().label().equals(p.candidate().label()))
                .count();
        out.println("Champion:  " + a.size() + " predictions, model " + versions(a));
        out.println("Candidate: " + b.size() + " predictions, model " + versions(b));
        out.println("Joined by request id (and place in a batch): " + pairs.size());
        out.println("Agreement: " + agree + " of " + pairs.size() + " (" + percent(agree, pairs.size()) + ")");
        out.println();
        out.println("Confusion (champion label -> candidate label: requests), disagreements first:");
        Map<List<String>, Long> confusion = pairs.stream()
                .collect(Collectors.groupingBy(
                        p -> List.of(p.champion().label(), p.candidate().label()),
                        () -> new TreeMap<>(BY_LABELS),
                        Collectors.counting()));
        confusion.entrySet().stream()
                .sorted(Comparator.comparing((Map.Entry<List<String>, Long> e) ->
                                e.getKey().get(0).equals(e.getKey().get(1)))
                        .thenComparing(e -> -e.getValue()))
                .forEach(e -> {
                    String from = e.getKey().get(0);
                    String to = e.getKey().get(1);
                    out.println(
                            "  " + from + " -> " + to + ": " + e.getValue() + (from.equals(to) ? "" : "  (differ)"));
                });
        List<Double> la = pairs.stream().map(p -> p.champion().latencyMs()).toList();
        List<Double> lb = pairs.stream().map(p -> p.candidate().latencyMs()).toList();
        List<Double> diff = pairs.stream()
                .map(p -> p.candidate().latencyMs() - p.champion().latencyMs())
                .toList();
        out.println();
        out.println("Latency on the server, joined requests:");
        out.println("  champion   p50 " + ms(quantile(la, 0.5)) + ", p99 " + ms(quantile(la, 0.99)));
        out.println("  candidate  p50 " + ms(quantile(lb, 0.5)) + ", p99 " + ms(quantile(lb, 0.99)));
        out.println("  candidate minus champion, median per request: " + ms(quantile(diff, 0.5)));
        return 0;
    }

    /** Every line of every non-empty predictions.N.jsonl in DIRS. */
    private static List<Prediction> lines(List<Path> dirs) throws IOException {
        List<Prediction> lines = new ArrayList<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            List<Path> files;
            try (Stream<Path> list = Files.list(dir)) {
                files = list.filter(f -> f.getFileName().toString().matches("predictions\\..*\\.jsonl"))
                        .sorted()
                        .toList();
            }
            for (Path file : files) {
                for (String line : Files.readAllLines(file)) {
                    if (!line.isBlank()) {
                        lines.add(Prediction.of(JSON.readTree(line)));
                    }
                }
            }
        }
        return lines;
    }

    private static String versions(List<Prediction> lines) {
        return String.join(
                ", ", new TreeSet<>(lines.stream().map(Prediction::version).toList()));
    }

    private static String percent(long part, long whole) {
        return whole == 0 ? "-" : Gate.decimal(roundHalfAway(part * 1000.0 / whole) / 10) + " %";
    }

    /** The nearest-rank quantile Q of VALUES; null for none. */
    static Double quantile(List<Double> values, double q) {
        if (values.isEmpty()) {
            return null;
        }
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get((int) Math.ceil(q * sorted.size()) - 1);
    }

    private static String ms(Double value) {
        return value == null ? "-" : Gate.decimal(roundHalfAway(value * 100) / 100) + " ms";
    }

    private static double roundHalfAway(double value) {
        return Math.signum(value) * Math.round(Math.abs(value));
    }
}
