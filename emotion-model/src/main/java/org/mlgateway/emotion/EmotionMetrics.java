package org.mlgateway.emotion;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * The evaluator step, shared by the trainer (validation split and cross-validation) and the evaluator CLI
 * (any file). Tribuo's {@link LabelEvaluator} gives accuracy, macro-F1 and per-label precision/recall/F1/
 * support; Tribuo has neither log loss nor a calibration measure, so those two are ours, on the
 * probabilities the API answers: log loss, the mean negative log probability of the true label clipped at
 * 1e-15 as scikit-learn does, and the expected calibration error (ECE: the answers binned by their
 * confidence, the top probability, in 15 equal bins; the mean over answers of |accuracy - confidence| of
 * their bin, as in Guo et al., 2017).
 */
public record EmotionMetrics(
        int examples, double accuracy, double macroF1, double logLoss, double ece, Map<String, PerLabel> perLabel) {

    static final double EPS = 1e-15;
    static final int CALIBRATION_BINS = 15;

    private static final LabelFactory LABELS = new LabelFactory();

    public record PerLabel(double precision, double recall, double f1, int support) {}

    /** Predicts every row through the serving wrapper and scores the answers. */
    public static EmotionMetrics evaluate(EmotionClassifier classifier, List<LabeledText> rows, String description) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("nothing to evaluate: " + description);
        }
        List<org.tribuo.Prediction<Label>> predictions = new ArrayList<>(rows.size());
        double loss = 0;
        double[] confidence = new double[rows.size()];
        boolean[] correct = new boolean[rows.size()];
        for (LabeledText row : rows) {
            if (!classifier.labels().contains(row.label())) {
                throw new IllegalArgumentException(
                        "label '" + row.label() + "' is not one of the model's labels " + classifier.labels());
            }
            org.tribuo.Prediction<Label> p = classifier.predict(row.text(), LABELS.generateOutput(row.label()));
            Prediction answer = EmotionClassifier.toPrediction(p);
            confidence[predictions.size()] = answer.probabilities().get(answer.label());
            correct[predictions.size()] = answer.label().equals(row.label());
            predictions.add(p);
            loss += logLoss(answer, row.label());
        }
        LabelEvaluation evaluation = new LabelEvaluator()
                .evaluate(classifier.model(), predictions, new SimpleDataSourceProvenance(description, LABELS));
        return of(evaluation, classifier.labels(), loss / rows.size(), calibrationError(confidence, correct));
    }

    /** Tribuo's figures for the given labels (alphabetical in the card), plus our log loss. */
    static EmotionMetrics of(LabelEvaluation evaluation, List<String> labels, double logLoss, double ece) {
        Map<String, PerLabel> per = new LinkedHashMap<>();
        for (String name : labels) {
            Label l = new Label(name);
            per.put(name, new PerLabel(evaluation.precision(l), evaluation.recall(l), evaluation.f1(l), (int)
                    evaluation.getConfusionMatrix().support(l)));
        }
        int n = evaluation.getPredictions().size();
        return new EmotionMetrics(n, evaluation.accuracy(), evaluation.macroAveragedF1(), logLoss, ece, per);
    }

    /** One bin of a reliability diagram: answers whose confidence is in [from, to), how sure they were, how often right. */
    public record Bin(double from, double to, int answers, double meanConfidence, double accuracy) {}

    /** The reliability diagram of a classifier on these rows: the bins of {@link #calibrationError} that hold answers. */
    public static List<Bin> reliability(EmotionClassifier classifier, List<LabeledText> rows) {
        int[] n = new int[CALIBRATION_BINS];
        double[] confidence = new double[CALIBRATION_BINS];
        double[] right = new double[CALIBRATION_BINS];
        for (LabeledText row : rows) {
            Prediction p = classifier.predict(row.text());
            double c = p.probabilities().get(p.label());
            int bin = Math.min(CALIBRATION_BINS - 1, (int) (c * CALIBRATION_BINS));
            n[bin]++;
            confidence[bin] += c;
            right[bin] += p.label().equals(row.label()) ? 1 : 0;
        }
        List<Bin> bins = new ArrayList<>();
        for (int b = 0; b < CALIBRATION_BINS; b++) {
            if (n[b] > 0) {
                bins.add(new Bin(
                        (double) b / CALIBRATION_BINS,
                        (double) (b + 1) / CALIBRATION_BINS,
                        n[b],
                        confidence[b] / n[b],
                        right[b] / n[b]));
            }
        }
        return bins;
    }

    /** The expected calibration error of answers with these confidences (top probabilities), right or not. */
    static double calibrationError(double[] confidence, boolean[] correct) {
        double[] gap = new double[CALIBRATION_BINS];
        for (int i = 0; i < confidence.length; i++) {
            int bin = Math.min(CALIBRATION_BINS - 1, (int) (confidence[i] * CALIBRATION_BINS));
            gap[bin] += (correct[i] ? 1 : 0) - confidence[i];
        }
        double sum = 0;
        for (double g : gap) {
            sum += Math.abs(g);
        }
        return confidence.length == 0 ? 0 : sum / confidence.length;
    }

    /** One example's log loss: -ln p(true label), p clipped to [1e-15, 1]. */
    static double logLoss(Prediction prediction, String truth) {
        double p = prediction.probabilities().getOrDefault(truth, 0.0);
        return -Math.log(Math.min(1.0, Math.max(EPS, p)));
    }
}
