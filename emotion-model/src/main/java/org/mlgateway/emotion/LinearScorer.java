package org.mlgateway.emotion;

import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.util.ExpNormalizer;

/**
 * The class probabilities of a Tribuo {@link LinearSGDModel} for a sparse input, computed from the weights
 * copied once at load, with the same arithmetic in the same order, so the doubles are Tribuo's bit for bit:
 * per label, the products weight × value added one feature at a time in ascending feature id from 0.0,
 * then the bias, then Tribuo's own softmax ({@link ExpNormalizer}).
 *
 * <p>Why: Tribuo's predict builds a SparseVector (looking every name up again), a Prediction with a map of
 * Label objects, and reads the weights label by label (13 rows: 13 cache misses per feature). Here the
 * weights are stored feature by feature, so one feature's 13 weights are neighbours.
 *
 * <p>Immutable: safe to share between threads.
 */
final class LinearScorer {

    private static final ExpNormalizer SOFTMAX = new ExpNormalizer();

    private final int labels;
    private final int features;
    /** weights[id * labels + k] = Tribuo's weight of feature id for label id k. */
    private final double[] weights;
    /** Tribuo's bias column (its extra feature of value 1), or null if the model has none. */
    private final double[] bias;

    private LinearScorer(DenseMatrix w, int features) {
        this.labels = w.getDimension1Size();
        this.features = features;
        this.weights = new double[features * labels];
        for (int k = 0; k < labels; k++) {
            for (int f = 0; f < features; f++) {
                weights[f * labels + k] = w.get(k, f);
            }
        }
        if (w.getDimension2Size() == features + 1) {
            this.bias = new double[labels];
            for (int k = 0; k < labels; k++) {
                bias[k] = w.get(k, features);
            }
        } else {
            this.bias = null;
        }
    }

    /**
     * The scorer of a linear SGD classifier with the weight layout Tribuo 4.3 uses (a labels × features
     * matrix, plus a bias column or not); null for any other model, which then keeps Tribuo's own predict.
     * The caller still checks the scores against Tribuo's (the softmax is an assumption).
     */
    static LinearScorer of(Model<Label> model) {
        if (model.getClass() != LinearSGDModel.class
                || !(((LinearSGDModel) model).getModelParameters() instanceof LinearParameters)) {
            return null;
        }
        DenseMatrix w = ((LinearSGDModel) model).getWeightsCopy();
        int features = model.getFeatureIDMap().size();
        int columns = w.getDimension2Size();
        if (w.getDimension1Size() != model.getOutputIDInfo().size() || (columns != features && columns != features + 1)) {
            return null;
        }
        return new LinearScorer(w, features);
    }

    /**
     * Probabilities by Tribuo label id for the features {@code ids[0..n)} (ascending, distinct, each below
     * {@link #features()}) with {@code values[0..n)}.
     */
    double[] probabilities(int[] ids, double[] values, int n) {
        double[] s = new double[labels];
        // Four labels at a time, their sums in registers (all 13 at once kept them in memory: 3.2 us per
        // tweet instead of 2.1). Each label's sum still adds the features in ascending id order from 0.0.
        int k = 0;
        for (; k + 4 <= labels; k += 4) {
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            for (int j = 0; j < n; j++) {
                int at = ids[j] * labels + k;
                double v = values[j];
                s0 += weights[at] * v;
                s1 += weights[at + 1] * v;
                s2 += weights[at + 2] * v;
                s3 += weights[at + 3] * v;
            }
            s[k] = s0;
            s[k + 1] = s1;
            s[k + 2] = s2;
            s[k + 3] = s3;
        }
        for (; k < labels; k++) {
            double sk = 0;
            for (int j = 0; j < n; j++) {
                sk += weights[ids[j] * labels + k] * values[j];
            }
            s[k] = sk;
        }
        if (bias != null) {
            for (k = 0; k < labels; k++) {
                s[k] += bias[k]; // times the bias feature's value, 1: exact
            }
        }
        SOFTMAX.normalizeInPlace(s);
        return s;
    }

    int features() {
        return features;
    }
}
