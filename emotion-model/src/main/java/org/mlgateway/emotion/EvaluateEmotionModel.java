package org.mlgateway.emotion;

import com.oracle.labs.mlrg.olcut.config.Option;
import com.oracle.labs.mlrg.olcut.config.Options;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluator CLI: scores a {@code label,text} CSV with a trained model and prints the metrics as JSON
 * on stdout (logs go to stderr). Options: {@link EvaluateOptions} ({@code --help} lists them).
 */
public final class EvaluateEmotionModel {

    private EvaluateEmotionModel() {}

    /** Command-line options (OLCUT). */
    public static final class EvaluateOptions implements Options {
        @Override
        public String getOptionsDescription() {
            return "Scores a label,text CSV with a trained emotion model and prints the metrics as JSON.";
        }

        @Option(longName = "dataset", usage = "label,text CSV to score (required)")
        public Path dataset;

        @Option(longName = "model", usage = "model file (default: the committed model, from the classpath)")
        public Path model;
    }

    public static void main(String[] argv) throws IOException {
        EvaluateOptions o = new EvaluateOptions();
        if (!Cli.parse(argv, o)) {
            return;
        }
        if (o.dataset == null) {
            System.err.println(
                    "--dataset is required\n" + Options.formatUsage(Options.getUsage(EvaluateOptions.class)));
            System.exit(Cli.USAGE_ERROR);
        }
        EmotionClassifier classifier = o.model != null
                ? EmotionClassifier.fromFile(o.model)
                : EmotionClassifier.fromClasspath(EmotionClassifier.MODEL_RESOURCE);
        List<LabeledText> rows = EmotionCsv.read(o.dataset);
        String datasetSha = EmotionCsv.sha256(o.dataset);
        EmotionMetrics metrics =
                EmotionMetrics.evaluate(classifier, rows, o.dataset.getFileName() + " sha256=" + datasetSha);

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("modelVersion", classifier.modelVersion());
        report.put("dataset", Cli.displayPath(o.dataset));
        report.put("datasetSha256", datasetSha);
        report.put("examples", metrics.examples());
        report.put("accuracy", metrics.accuracy());
        report.put("macroF1", metrics.macroF1());
        report.put("logLoss", metrics.logLoss());
        report.put("perLabel", metrics.perLabel());
        System.out.println(Cli.toJson(report));
    }
}
