package org.mlgateway.emotion;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Classification metrics from true labels and predicted distributions: accuracy, macro-F1 (unweighted
 * mean over all model labels, a label never predicted nor present counts as F1 0), log loss (mean
 * negative log probability of the true label, probabilities clipped at 1e-15 as scikit-learn does)
 * and per-label precision/recall/F1/support.
 */
public record EmotionMetrics(int examples, double accuracy, double macroF1, double logLoss,
                             Map<String, PerLabel> perLabel) {

    static final double EPS = 1e-15;

    public record PerLabel(double precision, double recall, double f1, int support) {
    }

    public static EmotionMetrics compute(List<String> labels, List<String> truth, List<Prediction> predictions) {
        if (truth.size() != predictions.size() || truth.isEmpty()) {
            throw new IllegalArgumentException("need as many predictions as true labels, and at least one");
        }
        Map<String, int[]> counts = new LinkedHashMap<>(); // tp, fp, fn, support
        for (String l : labels) {
            counts.put(l, new int[4]);
        }
        int correct = 0;
        double loss = 0;
        for (int i = 0; i < truth.size(); i++) {
            String t = truth.get(i);
            Prediction p = predictions.get(i);
            int[] tc = counts.get(t);
            if (tc == null) {
                throw new IllegalArgumentException("label '" + t + "' is not one of the model's labels " + labels);
            }
            tc[3]++;
            if (t.equals(p.label())) {
                correct++;
                tc[0]++;
            } else {
                tc[2]++;
                counts.get(p.label())[1]++;
            }
            double pt = p.probabilities().getOrDefault(t, 0.0);
            loss -= Math.log(Math.min(1.0, Math.max(EPS, pt)));
        }
        Map<String, PerLabel> per = new LinkedHashMap<>();
        double f1Sum = 0;
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
            int[] c = e.getValue();
            double precision = c[0] + c[1] == 0 ? 0 : (double) c[0] / (c[0] + c[1]);
            double recall = c[0] + c[2] == 0 ? 0 : (double) c[0] / (c[0] + c[2]);
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            per.put(e.getKey(), new PerLabel(precision, recall, f1, c[3]));
            f1Sum += f1;
        }
        int n = truth.size();
        return new EmotionMetrics(n, (double) correct / n, f1Sum / labels.size(), loss / n, per);
    }
}
