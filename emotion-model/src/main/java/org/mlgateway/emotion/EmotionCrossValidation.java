package org.mlgateway.emotion;

import com.oracle.labs.mlrg.olcut.util.Pair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tribuo.Dataset;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.evaluation.CrossValidation;
import org.tribuo.evaluation.DescriptiveStats;
import org.tribuo.evaluation.EvaluationAggregator;

/**
 * k-fold cross-validation of one {@link TrainerConfig} on the training rows, with Tribuo's
 * {@link CrossValidation} (its {@code KFoldSplitter}: the rows shuffled with the seed, then cut into k
 * folds) and {@link LabelEvaluator}: per fold, a model trained on the other folds is scored on it. The
 * figures are the mean and standard deviation over the folds ({@link EvaluationAggregator}).
 *
 * <p>Calibration is judged without looking at the fold judged: the temperature for fold i is fitted on
 * the held-out predictions of the other folds ({@link TemperatureScaling}), which came from models that
 * never saw their own rows. The temperature of the final model is fitted on the held-out predictions of
 * all k folds.
 */
public final class EmotionCrossValidation {

    /** Mean and standard deviation over the folds. */
    public record Stat(double mean, double std) {
        static Stat of(DescriptiveStats s) {
            return new Stat(s.getMean(), s.getStandardDeviation());
        }
    }

    /**
     * @param folds          k
     * @param metrics        accuracy, macroF1, logLoss, ece; with calibration also temperature (the one fitted for each
     *                       fold), calibratedLogLoss and calibratedEce
     * @param recall         per label
     * @param minRecall      the lowest per-label mean recall
     * @param temperature    fitted on all held-out folds (1 without calibration): the final model's
     */
    public record Result(
            int folds, Map<String, Stat> metrics, Map<String, Stat> recall, double minRecall, double temperature) {}

    private EmotionCrossValidation() {}

    public static Result run(TrainerConfig config, Dataset<Label> rows) {
        CrossValidation<Label, LabelEvaluation> cv =
                new CrossValidation<>(config.foldTrainer(), rows, new LabelEvaluator(), config.folds(), config.seed());
        List<Pair<LabelEvaluation, Model<Label>>> folds = cv.evaluate();
        List<LabelEvaluation> evaluations = new ArrayList<>();
        for (Pair<LabelEvaluation, Model<Label>> fold : folds) {
            evaluations.add(fold.getA());
        }
        ImmutableOutputInfo<Label> labels = folds.get(0).getB().getOutputIDInfo();

        Map<String, Stat> metrics = new LinkedHashMap<>();
        metrics.put("accuracy", Stat.of(EvaluationAggregator.summarize(evaluations, LabelEvaluation::accuracy)));
        metrics.put("macroF1", Stat.of(EvaluationAggregator.summarize(evaluations, LabelEvaluation::macroAveragedF1)));
        metrics.put(
                "logLoss",
                Stat.of(EvaluationAggregator.summarize(evaluations, e -> logLoss(e.getPredictions(), labels, 1))));
        metrics.put(
                "ece", Stat.of(EvaluationAggregator.summarize(evaluations, e -> ece(e.getPredictions(), labels, 1))));
        double temperature = 1;
        if (config.calibrate()) {
            Map<LabelEvaluation, Double> crossFitted = new LinkedHashMap<>();
            for (LabelEvaluation judged : evaluations) {
                List<Prediction<Label>> others = new ArrayList<>();
                for (LabelEvaluation e : evaluations) {
                    if (e != judged) {
                        others.addAll(e.getPredictions());
                    }
                }
                crossFitted.put(judged, TemperatureScaling.fit(others, labels));
            }
            metrics.put("temperature", Stat.of(EvaluationAggregator.summarize(evaluations, crossFitted::get)));
            metrics.put(
                    "calibratedLogLoss",
                    Stat.of(EvaluationAggregator.summarize(
                            evaluations, e -> logLoss(e.getPredictions(), labels, crossFitted.get(e)))));
            metrics.put(
                    "calibratedEce",
                    Stat.of(EvaluationAggregator.summarize(
                            evaluations, e -> ece(e.getPredictions(), labels, crossFitted.get(e)))));
            List<Prediction<Label>> all = new ArrayList<>();
            evaluations.forEach(e -> all.addAll(e.getPredictions()));
            temperature = TemperatureScaling.fit(all, labels);
        }
        Map<String, Stat> recall = new TreeMap<>();
        double minRecall = 1;
        for (Label label : labels.getDomain()) {
            Stat r = Stat.of(EvaluationAggregator.summarize(evaluations, e -> e.recall(label)));
            recall.put(label.getLabel(), r);
            minRecall = Math.min(minRecall, r.mean());
        }
        return new Result(folds.size(), metrics, recall, minRecall, temperature);
    }

    /** Log loss of predictions (each carrying its true label) once scaled by the temperature. */
    static double logLoss(List<Prediction<Label>> predictions, ImmutableOutputInfo<Label> labels, double temperature) {
        double loss = 0;
        for (Prediction<Label> p : predictions) {
            double[] q = TemperatureScaling.scaled(p, labels, temperature);
            loss -= Math.log(Math.min(
                    1.0,
                    Math.max(EmotionMetrics.EPS, q[labels.getID(p.getExample().getOutput())])));
        }
        return loss / predictions.size();
    }

    /** Expected calibration error of predictions once scaled by the temperature. */
    static double ece(List<Prediction<Label>> predictions, ImmutableOutputInfo<Label> labels, double temperature) {
        double[] confidence = new double[predictions.size()];
        boolean[] correct = new boolean[predictions.size()];
        for (int i = 0; i < confidence.length; i++) {
            Prediction<Label> p = predictions.get(i);
            double[] q = TemperatureScaling.scaled(p, labels, temperature);
            int best = 0;
            for (int k = 1; k < q.length; k++) {
                if (q[k] > q[best]) {
                    best = k;
                }
            }
            confidence[i] = q[best];
            correct[i] = best == labels.getID(p.getExample().getOutput());
        }
        return EmotionMetrics.calibrationError(confidence, correct);
    }
}
