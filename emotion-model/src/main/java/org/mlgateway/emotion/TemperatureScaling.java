package org.mlgateway.emotion;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.Arrays;
import java.util.List;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.protos.ClassificationLinearSGDProto;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.protos.core.ModelProto;

/**
 * Temperature scaling (Guo et al., 2017): one number T divides a softmax model's scores, so its
 * probabilities say how often it is right (T above 1 when the model is too sure of itself) while its
 * arg-max, hence accuracy and F1, stays as it is. Tribuo has no calibration of its own; here T is fitted
 * on predictions for rows the model did not train on (the held-out folds of a cross-validation) by
 * minimising their log loss, then built into the weights of the served model, so Tribuo's own
 * predict gives the calibrated probabilities and the model file stays a plain Tribuo model.
 */
public final class TemperatureScaling {

    /** The range searched: wide enough for any sensible model, bounded so a degenerate fit stays finite. */
    static final double MIN = 0.05;

    static final double MAX = 20;

    private TemperatureScaling() {}

    /**
     * The temperature that minimises the log loss of these predictions (each carrying its true label).
     * Softmax scores divided by T are the probabilities raised to 1/T, renormalised, so the predictions'
     * own probabilities suffice. Golden-section search on ln T; 1 when the loss does not depend on T.
     */
    public static double fit(List<Prediction<Label>> predictions, ImmutableOutputInfo<Label> labels) {
        double[][] logP = new double[predictions.size()][];
        int[] truth = new int[predictions.size()];
        for (int i = 0; i < logP.length; i++) {
            Prediction<Label> p = predictions.get(i);
            logP[i] = logProbabilities(p, labels);
            truth[i] = labels.getID(p.getExample().getOutput());
        }
        double lo = Math.log(MIN);
        double hi = Math.log(MAX);
        if (logLoss(logP, truth, MIN) == logLoss(logP, truth, MAX)) {
            return 1.0;
        }
        double g = (Math.sqrt(5) - 1) / 2;
        for (int step = 0; step < 60; step++) {
            double a = hi - g * (hi - lo);
            double b = lo + g * (hi - lo);
            if (logLoss(logP, truth, Math.exp(a)) < logLoss(logP, truth, Math.exp(b))) {
                hi = b;
            } else {
                lo = a;
            }
        }
        return Math.exp((lo + hi) / 2);
    }

    /** Probabilities by label id, raised to 1/T and renormalised: what the model scaled by T answers. */
    static double[] scaled(Prediction<Label> p, ImmutableOutputInfo<Label> labels, double temperature) {
        double[] logP = logProbabilities(p, labels);
        return softmax(logP, temperature);
    }

    private static double[] logProbabilities(Prediction<Label> p, ImmutableOutputInfo<Label> labels) {
        double[] logP = new double[labels.size()];
        Arrays.fill(logP, Math.log(EmotionMetrics.EPS));
        for (Label l : p.getOutputScores().values()) {
            logP[labels.getID(l)] = Math.log(Math.max(EmotionMetrics.EPS, l.getScore()));
        }
        return logP;
    }

    private static double[] softmax(double[] logP, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : logP) {
            max = Math.max(max, v);
        }
        double[] q = new double[logP.length];
        double sum = 0;
        for (int k = 0; k < q.length; k++) {
            q[k] = Math.exp((logP[k] - max) / temperature);
            sum += q[k];
        }
        for (int k = 0; k < q.length; k++) {
            q[k] /= sum;
        }
        return q;
    }

    private static double logLoss(double[][] logP, int[] truth, double temperature) {
        double loss = 0;
        for (int i = 0; i < logP.length; i++) {
            double[] q = softmax(logP[i], temperature);
            loss -= Math.log(Math.max(EmotionMetrics.EPS, q[truth[i]]));
        }
        return loss / logP.length;
    }

    /**
     * A linear SGD model whose scores are divided by T: its weights, bias included, divided by T. Tribuo
     * models are immutable, so the new one is made from the original's protobuf form with the scaled weights
     * ({@code getModelParameters} gives a copy). Other models are refused.
     */
    @SuppressWarnings("unchecked")
    public static Model<Label> apply(Model<Label> model, double temperature) {
        if (!(model instanceof LinearSGDModel linear)) {
            throw new IllegalArgumentException("temperature scaling is built for linear SGD models, not "
                    + model.getClass().getName());
        }
        DenseMatrix weights = linear.getWeightsCopy();
        weights.scaleInPlace(1.0 / temperature);
        try {
            ModelProto proto = linear.serialize();
            ClassificationLinearSGDProto data = proto.getSerializedData().unpack(ClassificationLinearSGDProto.class);
            data = data.toBuilder()
                    .setParams(new LinearParameters(weights).serialize())
                    .build();
            return (Model<Label>) Model.deserialize(
                    proto.toBuilder().setSerializedData(Any.pack(data)).build());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("Tribuo could not read back its own model", e);
        }
    }
}
