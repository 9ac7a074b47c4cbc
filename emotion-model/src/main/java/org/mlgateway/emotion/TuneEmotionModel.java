package org.mlgateway.emotion;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.oracle.labs.mlrg.olcut.config.Option;
import com.oracle.labs.mlrg.olcut.config.Options;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;

/**
 * {@code make tune}: model selection by k-fold cross-validation on the training rows only (the validation
 * split stays unseen). Each candidate is one line of trainer options ({@link TrainEmotionModel.TrainOptions},
 * parsed by OLCUT as the trainer parses them) in a candidates file; each is cross-validated
 * ({@link EmotionCrossValidation}) and printed as it finishes. The first candidate is the reference, and
 * every other line gives only what it changes from the reference ({@link #readCandidates}); the
 * selected one is the candidate with the lowest log loss (calibrated, if it calibrates) among those that beat
 * the reference by the bar ({@link #BAR}), or, if none does, the reference itself. Writes the table as JSON,
 * which the trainer copies into the model card.
 */
public final class TuneEmotionModel {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Against the reference, in cross-validation: accuracy, macro-F1 up by, log loss down by, and no label's recall 0. */
    static final Map<String, Double> BAR = Map.of("accuracy", 0.01, "macroF1", 0.02, "logLoss", 0.03);

    private TuneEmotionModel() {}

    /** Command-line options (OLCUT). */
    public static final class TuneOptions implements Options {
        @Override
        public String getOptionsDescription() {
            return "Cross-validates candidate trainer settings on the training rows and writes the table.";
        }

        @Option(longName = "dataset", usage = "label,text CSV (its validation split is left out)")
        public Path dataset = Path.of("../shared/data/emotion/train.csv");

        @Option(longName = "candidates", usage = "one candidate a line: NAME: trainer options; # comments")
        public Path candidates = Path.of("emotion-model/tune/candidates.txt");

        @Option(longName = "out", usage = "JSON table to write")
        public Path out = Path.of("emotion-model/tune/cv-table.json");

        @Option(
                longName = "reuse",
                usage = "tables of earlier runs: a candidate with the same name and options on the "
                        + "same data is taken from them, not run again (the runs are deterministic)")
        public List<Path> reuse = List.of();
    }

    record Candidate(String name, String options, TrainerConfig config) {}

    public static void main(String[] argv) throws IOException {
        TuneOptions o = new TuneOptions();
        if (!Cli.parse(argv, o)) {
            return;
        }
        List<Candidate> candidates = readCandidates(o.candidates);
        List<LabeledText> rows = EmotionCsv.read(o.dataset);
        String sha = EmotionCsv.sha256(o.dataset);
        long seed = candidates.get(0).config().seed();
        ValidationSplit split = ValidationSplit.stratified(rows, TrainerConfig.VALIDATION_FRACTION, seed);
        System.out.printf(
                Locale.ROOT,
                "%d candidates, %d-fold cross-validation on the %d training rows of %s%n",
                candidates.size(),
                candidates.get(0).config().folds(),
                split.train().size(),
                o.dataset);

        Map<String, JsonNode> earlier = earlierRows(o.reuse, sha);
        List<Map<String, Object>> table = new ArrayList<>();
        String featurized = null;
        MutableDataset<Label> data = null;
        for (int i = 0; i < candidates.size(); i++) {
            Candidate c = candidates.get(i);
            if (c.config().seed() != seed) {
                throw new IllegalArgumentException(
                        c.name() + ": every candidate must use the same seed (split and folds)");
            }
            JsonNode done = earlier.get(c.name() + ": " + c.options());
            if (done != null) {
                System.out.printf(Locale.ROOT, "[%d/%d] %s: from an earlier run%n", i + 1, candidates.size(), c.name());
                table.add(JSON.convertValue(done, new TypeReference<Map<String, Object>>() {}));
                table.get(i).put("result", JSON.treeToValue(done.get("result"), EmotionCrossValidation.Result.class));
                continue;
            }
            long started = System.nanoTime();
            System.out.printf(Locale.ROOT, "[%d/%d] %s: %s%n", i + 1, candidates.size(), c.name(), c.options());
            if (!c.config().features().equals(featurized)) {
                data = new MutableDataset<>(new EmotionDataSource(
                        split.train(), new EmotionFeaturizer(c.config().featureSet()), "tune"));
                featurized = c.config().features();
            }
            EmotionCrossValidation.Result result = EmotionCrossValidation.run(c.config(), data);
            double seconds = (System.nanoTime() - started) / 1e9;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", c.name());
            row.put("options", c.options());
            row.put("result", result);
            row.put("seconds", Math.round(seconds));
            table.add(row);
            System.out.println("    " + line(result) + String.format(Locale.ROOT, "  (%.0f s)", seconds));
            write(o.out, table, seed, sha, split); // after each candidate: a long run can be reused if it stops
        }
        Map<String, Object> selected = write(o.out, table, seed, sha, split);
        System.out.println("\nSelected: " + selected.get("name")
                + (selected == table.get(0) ? " (no candidate meets the bar)" : "") + "\nWrote " + o.out);
    }

    /**
     * The candidates of a file: the first line's options on top of the trainer's defaults, every other line's on
     * top of the first's, so each line says what it changes and the table keeps its meaning when the defaults
     * move to the selected recipe.
     */
    /** Writes the table with the selection among its rows so far; returns the selected row. */
    private static Map<String, Object> write(
            Path file, List<Map<String, Object>> table, long seed, String sha, ValidationSplit split)
            throws IOException {
        EmotionCrossValidation.Result reference = result(table.get(0));
        Map<String, Object> selected = table.get(0);
        for (Map<String, Object> row : table) {
            boolean meets = meetsBar(result(row), reference);
            row.put("meetsBar", meets);
            if (meets && (selected == table.get(0) || logLoss(result(row)) < logLoss(result(selected)))) {
                selected = row;
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(
                "description",
                "make tune: " + reference.folds() + "-fold cross-validation (Tribuo CrossValidation, seed "
                        + seed + ") of each candidate on the " + split.train().size()
                        + " training rows of the dataset; the "
                        + split.validation().size()
                        + "-row validation split is not used. Mean and standard deviation over the folds. "
                        + "logLoss and ece are before calibration; calibrated* use, per fold, the temperature fitted on the other "
                        + "folds. Selected: the lowest log loss (calibrated if the candidate calibrates) among the candidates "
                        + "that beat the first one by accuracy +" + BAR.get("accuracy") + ", macro-F1 +"
                        + BAR.get("macroF1")
                        + ", log loss -" + BAR.get("logLoss")
                        + " with no label's mean recall at 0; the first if none does.");
        out.put("datasetSha256", sha);
        out.put("trainRows", split.train().size());
        out.put("selected", selected.get("name"));
        out.put("candidates", table);
        Files.writeString(file, Cli.toJson(out) + "\n");
        return selected;
    }

    private static Map<String, JsonNode> earlierRows(List<Path> tables, String datasetSha) throws IOException {
        Map<String, JsonNode> rows = new LinkedHashMap<>();
        for (Path file : tables) {
            JsonNode table = JSON.readTree(file.toFile());
            if (!datasetSha.equals(table.path("datasetSha256").asText())) {
                throw new IllegalArgumentException(file + " is a table of another dataset");
            }
            for (JsonNode row : table.path("candidates")) {
                rows.put(row.path("name").asText() + ": " + row.path("options").asText(), row);
            }
        }
        return rows;
    }

    static List<Candidate> readCandidates(Path file) throws IOException {
        List<Candidate> candidates = new ArrayList<>();
        Map<String, String> reference = null;
        for (String line : Files.readAllLines(file)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int colon = l.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("not 'NAME: options': " + line);
            }
            String name = l.substring(0, colon).strip();
            String options = l.substring(colon + 1).strip();
            Map<String, String> merged = new LinkedHashMap<>(reference == null ? Map.of() : reference);
            String[] tokens = options.isEmpty() ? new String[0] : options.split("\\s+");
            if (tokens.length % 2 != 0) {
                throw new IllegalArgumentException(name + ": options come in pairs, --name value: " + options);
            }
            for (int t = 0; t < tokens.length; t += 2) {
                merged.put(tokens[t], tokens[t + 1]);
            }
            if (reference == null) {
                reference = merged;
            }
            List<String> args = new ArrayList<>();
            merged.forEach((k, v) -> {
                args.add(k);
                args.add(v);
            });
            TrainEmotionModel.TrainOptions o = new TrainEmotionModel.TrainOptions();
            if (!Cli.parse(args.toArray(new String[0]), o)) {
                throw new IllegalArgumentException("bad options for " + name);
            }
            candidates.add(new Candidate(name, options, o.config()));
        }
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("no candidates in " + file);
        }
        return candidates;
    }

    static boolean meetsBar(EmotionCrossValidation.Result r, EmotionCrossValidation.Result reference) {
        return r.metrics().get("accuracy").mean()
                        >= reference.metrics().get("accuracy").mean() + BAR.get("accuracy")
                && r.metrics().get("macroF1").mean()
                        >= reference.metrics().get("macroF1").mean() + BAR.get("macroF1")
                && logLoss(r) <= logLoss(reference) - BAR.get("logLoss")
                && r.minRecall() > 0;
    }

    /** The log loss of what would be served: calibrated if the candidate calibrates. */
    static double logLoss(EmotionCrossValidation.Result r) {
        return r.metrics()
                .getOrDefault("calibratedLogLoss", r.metrics().get("logLoss"))
                .mean();
    }

    private static EmotionCrossValidation.Result result(Map<String, Object> row) {
        return (EmotionCrossValidation.Result) row.get("result");
    }

    static String line(EmotionCrossValidation.Result r) {
        StringBuilder s = new StringBuilder();
        r.metrics().forEach((k, v) -> s.append(String.format(Locale.ROOT, "%s %.4f±%.4f  ", k, v.mean(), v.std())));
        s.append(String.format(Locale.ROOT, "min recall %.3f (", r.minRecall()));
        r.recall().forEach((k, v) -> s.append(String.format(Locale.ROOT, "%s %.2f ", k, v.mean())));
        return s.toString().strip() + ")";
    }
}
