package org.mlgateway.emotion;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Evaluator CLI: scores a {@code label,text} CSV with a trained model and prints the metrics as JSON
 * on stdout (logs go to stderr).
 *
 * <pre>EvaluateEmotionModel --dataset file.csv [--model emotion-model.tribuo.gz]</pre>
 */
public final class EvaluateEmotionModel {

    static final String DEFAULT_MODEL = "ml-api-war/src/main/resources/model/" + TrainEmotionModel.MODEL_FILE;
    static final String USAGE = "usage: EvaluateEmotionModel --dataset file.csv [--model " + DEFAULT_MODEL + "]";

    private EvaluateEmotionModel() {
    }

    public static void main(String[] argv) throws IOException {
        Args args = new Args(argv, Set.of("--dataset", "--model"), Set.of(), USAGE);
        if (!args.has("--dataset")) {
            System.err.println(USAGE);
            System.exit(2);
        }
        Path dataset = Path.of(args.get("--dataset", null));
        Path modelPath = Path.of(args.get("--model", DEFAULT_MODEL));
        EmotionClassifier classifier = Files.exists(modelPath) || args.has("--model")
                ? EmotionClassifier.fromFile(modelPath)
                : EmotionClassifier.fromClasspath("model/" + TrainEmotionModel.MODEL_FILE);
        List<LabeledText> rows = EmotionCsv.read(dataset);
        EmotionMetrics metrics = evaluate(classifier, rows);

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("modelVersion", classifier.modelVersion());
        report.put("dataset", TrainEmotionModel.displayPath(dataset));
        report.put("datasetSha256", EmotionCsv.sha256(dataset));
        report.put("examples", metrics.examples());
        report.put("accuracy", metrics.accuracy());
        report.put("macroF1", metrics.macroF1());
        report.put("logLoss", metrics.logLoss());
        report.put("perLabel", metrics.perLabel());
        System.out.println(TrainEmotionModel.toJson(report));
    }

    /** Predicts every row through the serving wrapper and scores the answers. */
    static EmotionMetrics evaluate(EmotionClassifier classifier, List<LabeledText> rows) {
        List<Prediction> predictions = new ArrayList<>(rows.size());
        for (LabeledText r : rows) {
            predictions.add(classifier.predict(r.text()));
        }
        return EmotionMetrics.compute(classifier.labels(), TrainEmotionModel.truths(rows), predictions);
    }
}
