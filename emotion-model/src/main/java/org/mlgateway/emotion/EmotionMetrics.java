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
 * The evaluator step, shared by the trainer (validation split) and the evaluator CLI (any file). Tribuo's
 * {@link LabelEvaluator} gives accuracy, macro-F1 and per-label precision/recall/F1/support; Tribuo has no
 * log loss, so that one is ours: mean negative log probability of the true label, clipped at 1e-15 as
 * scikit-learn does, on the probabilities the API answers.
 */
public record EmotionMetrics(int examples, double accuracy, double macroF1, double logLoss,
                             Map<String, PerLabel> perLabel) {

    static final double EPS = 1e-15;

    private static final LabelFactory LABELS = new LabelFactory();

    public record PerLabel(double precision, double recall, double f1, int support) {
    }

    /** Predicts every row through the serving wrapper and scores the answers. */
    public static EmotionMetrics evaluate(EmotionClassifier classifier, List<LabeledText> rows, String description) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("nothing to evaluate: " + description);
        }
        List<org.tribuo.Prediction<Label>> predictions = new ArrayList<>(rows.size());
        double loss = 0;
        for (LabeledText row : rows) {
            if (!classifier.labels().contains(row.label())) {
                throw new IllegalArgumentException("label '" + row.label() + "' is not one of the model's labels "
                        + classifier.labels());
            }
            org.tribuo.Prediction<Label> p = classifier.predict(row.text(), LABELS.generateOutput(row.label()));
            predictions.add(p);
            loss += logLoss(classifier.toPrediction(p), row.label());
        }
        LabelEvaluation evaluation = new LabelEvaluator().evaluate(classifier.model(), predictions,
                new SimpleDataSourceProvenance(description, LABELS));
        return of(evaluation, classifier.labels(), loss / rows.size());
    }

    /** Tribuo's figures for the given labels (alphabetical in the card), plus our log loss. */
    static EmotionMetrics of(LabelEvaluation evaluation, List<String> labels, double logLoss) {
        Map<String, PerLabel> per = new LinkedHashMap<>();
        for (String name : labels) {
            Label l = new Label(name);
            per.put(name, new PerLabel(evaluation.precision(l), evaluation.recall(l), evaluation.f1(l),
                    (int) evaluation.getConfusionMatrix().support(l)));
        }
        int n = evaluation.getPredictions().size();
        return new EmotionMetrics(n, evaluation.accuracy(), evaluation.macroAveragedF1(), logLoss, per);
    }

    /** One example's log loss: -ln p(true label), p clipped to [1e-15, 1]. */
    static double logLoss(Prediction prediction, String truth) {
        double p = prediction.probabilities().getOrDefault(truth, 0.0);
        return -Math.log(Math.min(1.0, Math.max(EPS, p)));
    }
}
