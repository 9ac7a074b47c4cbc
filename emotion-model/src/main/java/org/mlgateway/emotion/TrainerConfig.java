package org.mlgateway.emotion;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.ensemble.FullyWeightedVotingCombiner;
import org.tribuo.classification.liblinear.LibLinearClassificationTrainer;
import org.tribuo.classification.liblinear.LinearClassificationType;
import org.tribuo.classification.sgd.fm.FMClassificationTrainer;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.ensemble.BaggingTrainer;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.math.optimisers.ParameterAveraging;

/**
 * Everything that decides the trained model besides the data: features, learner and its settings, and
 * whether it is calibrated. Made from the trainer's command-line options
 * ({@link TrainEmotionModel.TrainOptions}), whose defaults are the shipped model's; {@code make tune}
 * compares several by cross-validation.
 *
 * @param seed             seeds the validation split, the folds and the learner
 * @param folds            k of the k-fold cross-validation on the training rows (under 2: none, and no calibration)
 * @param features         the featurizer's {@link FeatureSet} spec
 * @param minFeatureCount  features seen in fewer training examples are dropped (size, noise)
 * @param model            the learner: {@code linear} (Tribuo's SGD logistic regression), {@code fm} (factorization
 *                         machine), {@code liblinear} (LibLinear's L2-regularised logistic regression), {@code views}
 *                         (two linear models, one on the character n-grams and one on the other features, their
 *                         distributions averaged)
 * @param members          above 1: that many models on bootstrap samples, their distributions averaged (Tribuo's
 *                         BaggingTrainer with a FullyWeightedVotingCombiner)
 * @param epochs           SGD passes over the training rows; few, as SGD without L2 overfits
 * @param learningRate     AdaGrad's initial learning rate
 * @param epsilon          AdaGrad's epsilon
 * @param minibatch        SGD minibatch size
 * @param averaging        Polyak parameter averaging, a cheap regulariser
 * @param classWeight      p of the class weights (N / (labels * rows of the label))^p: 0 none, 1 balanced
 * @param factors          factorization machine: factor size
 * @param cost             LibLinear: C, the inverse of the L2 regularisation strength
 * @param calibrate        temperature scaling, fitted on the cross-validation's held-out folds
 */
public record TrainerConfig(
        long seed,
        int folds,
        String features,
        int minFeatureCount,
        String model,
        int members,
        int epochs,
        double learningRate,
        double epsilon,
        int minibatch,
        boolean averaging,
        double classWeight,
        int factors,
        double cost,
        boolean calibrate) {

    /** Share of each label held out for the final validation, never used for selection. */
    public static final double VALIDATION_FRACTION = 0.10;

    public TrainerConfig {
        FeatureSet.parse(features);
        if (!List.of("linear", "fm", "liblinear", "views").contains(model)) {
            throw new IllegalArgumentException("model must be linear, fm, liblinear or views: " + model);
        }
        if (model.equals("views") && members > 1) {
            throw new IllegalArgumentException("views is an ensemble already: members must be 1");
        }
        if (calibrate && (folds < 2 || !model.equals("linear") || members > 1)) {
            throw new IllegalArgumentException("calibration needs folds >= 2 and a single linear model");
        }
    }

    public static TrainerConfig defaults() {
        return new TrainEmotionModel.TrainOptions().config();
    }

    public FeatureSet featureSet() {
        return FeatureSet.parse(features);
    }

    /** The whole training step, for one dataset of featurized rows: pruning, class weights, learner. */
    public Trainer<Label> trainer() {
        return new EmotionTrainer(this, true);
    }

    /** The same for a cross-validation fold, whose model is never written. */
    Trainer<Label> foldTrainer() {
        return new EmotionTrainer(this, false);
    }

    /** The Tribuo learner itself (for views, the learner of each view). */
    Trainer<Label> learner() {
        Trainer<Label> learner = switch (model) {
            case "fm" ->
                new FMClassificationTrainer(
                        new LogMulticlass(), optimiser(), epochs, -1, minibatch, seed, factors, 0.1);
            case "liblinear" ->
                new LibLinearClassificationTrainer(
                        new LinearClassificationType(LinearClassificationType.LinearType.L2R_LR), cost, 1000, 0.01);
            default -> new LinearSGDTrainer(new LogMulticlass(), optimiser(), epochs, -1, minibatch, seed);
        };
        return members > 1 ? new BaggingTrainer<>(learner, new FullyWeightedVotingCombiner(), members, seed) : learner;
    }

    private StochasticGradientOptimiser optimiser() {
        StochasticGradientOptimiser optimiser = new AdaGrad(learningRate, epsilon);
        return averaging ? new ParameterAveraging(optimiser) : optimiser;
    }

    /** As the model card records it. */
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("features", features);
        d.put("minFeatureCount", minFeatureCount);
        d.put("model", model);
        d.put("members", members);
        if (!model.equals("liblinear")) {
            d.put("objective", "LogMulticlass (multinomial logistic regression)");
            d.put(
                    "optimiser",
                    (averaging ? "ParameterAveraging(" : "") + "AdaGrad(learningRate=" + learningRate + ", epsilon="
                            + epsilon + ")" + (averaging ? ")" : ""));
            d.put("epochs", epochs);
            d.put("minibatchSize", minibatch);
        }
        if (model.equals("fm")) {
            d.put("factors", factors);
        }
        if (model.equals("liblinear")) {
            d.put("cost", cost);
        }
        if (model.equals("views")) {
            d.put(
                    "views",
                    "a linear model on the character n-grams and one on the other features, their probabilities "
                            + "averaged (Tribuo's WeightedEnsembleModel with a FullyWeightedVotingCombiner)");
        }
        d.put("classWeight", classWeight == 0 ? "none" : "(N / (labels * rows of the label))^" + classWeight);
        d.put(
                "calibration",
                calibrate ? "temperature scaling fitted on the held-out folds of the cross-validation" : "none");
        d.put("seed", seed);
        d.put("folds", folds);
        d.put("validationFraction", VALIDATION_FRACTION);
        d.put("validationSplit", "stratified per label, java.util.Random(seed) shuffle");
        d.put("tribuoTrainerToString", learner().toString());
        return d;
    }

    /** Example weights per label for these label counts: (N / (labels * n))^p, scaled to a mean of 1 per row. */
    Map<String, Float> classWeights(Map<String, Integer> counts) {
        Map<String, Double> raw = new HashMap<>();
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        double sum = 0;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            double w = Math.pow((double) total / (counts.size() * e.getValue()), classWeight);
            raw.put(e.getKey(), w);
            sum += w * e.getValue();
        }
        Map<String, Float> weights = new HashMap<>();
        for (Map.Entry<String, Double> e : raw.entrySet()) {
            weights.put(e.getKey(), (float) (e.getValue() * total / sum));
        }
        return weights;
    }
}
