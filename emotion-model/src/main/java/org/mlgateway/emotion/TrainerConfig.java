package org.mlgateway.emotion;

import java.util.LinkedHashMap;
import java.util.Map;

import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.math.optimisers.ParameterAveraging;

/**
 * Everything that decides the trained model besides the data and the featurizer. Defaults are the
 * shipped configuration; they were chosen on the validation split (recorded in the model card).
 *
 * @param seed               seeds the validation split and SGD's shuffling
 * @param validationFraction share of each label held out for validation
 * @param minFeatureCount    features seen in fewer training examples are dropped (size, noise)
 * @param epochs             passes over the training set; few, as SGD without L2 overfits
 * @param learningRate       AdaGrad's initial learning rate
 * @param epsilon            AdaGrad's epsilon
 * @param minibatch          SGD minibatch size
 * @param averaging          Polyak parameter averaging, a cheap regulariser that calibrates well
 */
public record TrainerConfig(long seed, double validationFraction, int minFeatureCount, int epochs,
                            double learningRate, double epsilon, int minibatch, boolean averaging) {

    public static TrainerConfig defaults() {
        return new TrainerConfig(20240611L, 0.10, 8, 5, 0.1, 0.1, 1, false);
    }

    /** The Tribuo trainer: multinomial logistic regression (log loss => probabilities) fit by SGD. */
    public LinearSGDTrainer trainer() {
        StochasticGradientOptimiser optimiser = new AdaGrad(learningRate, epsilon);
        if (averaging) {
            optimiser = new ParameterAveraging(optimiser);
        }
        return new LinearSGDTrainer(new LogMulticlass(), optimiser, epochs, -1, minibatch, seed);
    }

    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("trainer", "org.tribuo.classification.sgd.linear.LinearSGDTrainer");
        d.put("objective", "LogMulticlass (multinomial logistic regression)");
        d.put("optimiser", (averaging ? "ParameterAveraging(" : "") + "AdaGrad(learningRate=" + learningRate
                + ", epsilon=" + epsilon + ")" + (averaging ? ")" : ""));
        d.put("epochs", epochs);
        d.put("minibatchSize", minibatch);
        d.put("seed", seed);
        d.put("validationFraction", validationFraction);
        d.put("validationSplit", "stratified per label, java.util.Random(seed) shuffle");
        d.put("minFeatureCount", minFeatureCount);
        d.put("tribuoTrainerToString", trainer().toString());
        return d;
    }
}
