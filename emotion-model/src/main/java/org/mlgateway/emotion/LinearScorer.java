package org.mlgateway.emotion;

import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.util.ExpNormalizer;

/**
 * The class probabilities of a Tribuo {@link LinearSGDModel} for known feature ids and values, from its
 * weights copied once at load feature by feature: a feature's 13 weights are neighbours in memory, where
 * Tribuo's labels × features matrix puts them 13 rows apart, 13 cache misses per feature once the weights
 * have left the cache, as they do in a busy server (three model copies and Nginx on two cores). Per label
 * the products are added in ascending feature id, then the bias, then Tribuo's own softmax
 * ({@link ExpNormalizer}); a test holds the answers to Tribuo's predict within 1e-6.
 *
 * <p>Immutable: safe to share between threads.
 */
final class LinearScorer {

    private static final ExpNormalizer SOFTMAX = new ExpNormalizer();

    private final int labels;
    /** weights[id * labels + k] = Tribuo's weight of feature id for label id k. */
    private final double[] weights;
    /** Tribuo's bias column (its extra feature of value 1). */
    private final double[] bias;

    private LinearScorer(DenseMatrix w, int features) {
        this.labels = w.getDimension1Size();
        this.weights = new double[features * labels];
        this.bias = new double[labels];
        for (int k = 0; k < labels; k++) {
            for (int f = 0; f < features; f++) {
                weights[f * labels + k] = w.get(k, f);
            }
            bias[k] = w.get(k, features);
        }
    }

    /** The scorer of a linear SGD model with Tribuo's weight layout (labels × features plus bias); null for any other. */
    static LinearScorer of(Model<Label> model) {
        if (!(model instanceof LinearSGDModel linear)) {
            return null;
        }
        DenseMatrix w = linear.getWeightsCopy();
        int features = model.getFeatureIDMap().size();
        if (w.getDimension1Size() != model.getOutputIDInfo().size() || w.getDimension2Size() != features + 1) {
            return null;
        }
        return new LinearScorer(w, features);
    }

    /** Probabilities by Tribuo label id for the features {@code ids} (ascending, distinct) with {@code values}. */
    double[] probabilities(int[] ids, double[] values) {
        double[] s = new double[labels];
        for (int j = 0; j < ids.length; j++) {
            int at = ids[j] * labels;
            double v = values[j];
            for (int k = 0; k < labels; k++) {
                s[k] += weights[at + k] * v;
            }
        }
        for (int k = 0; k < labels; k++) {
            s[k] += bias[k];
        }
        SOFTMAX.normalizeInPlace(s);
        return s;
    }
}
