package org.mlgateway.emotion;

import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tribuo.CategoricalInfo;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.ImmutableDataset;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.Model;
import org.tribuo.Trainer;
import org.tribuo.VariableInfo;
import org.tribuo.classification.Label;
import org.tribuo.classification.WeightedLabels;
import org.tribuo.classification.ensemble.FullyWeightedVotingCombiner;
import org.tribuo.dataset.MinimumCardinalityDataset;
import org.tribuo.ensemble.WeightedEnsembleModel;
import org.tribuo.provenance.TrainerProvenance;

/**
 * The training step as one Tribuo {@link Trainer}, so that Tribuo's {@code CrossValidation} runs exactly
 * what the final training runs, fold by fold: rare features dropped (counted on the rows at hand, never
 * on a held-out fold), class weights, then the learner of the {@link TrainerConfig}.
 */
final class EmotionTrainer implements Trainer<Label> {

    private final TrainerConfig config;
    private final Trainer<Label> learner;
    private final boolean compact;

    /** @param compact whether the model's feature statistics are made small for its file (see below) */
    EmotionTrainer(TrainerConfig config, boolean compact) {
        this.config = config;
        this.learner = config.learner();
        this.compact = compact;
    }

    @Override
    public Model<Label> train(Dataset<Label> examples, Map<String, Provenance> runProvenance) {
        return train(examples, runProvenance, INCREMENT_INVOCATION_COUNT);
    }

    @Override
    public Model<Label> train(Dataset<Label> examples, Map<String, Provenance> runProvenance, int invocationCount) {
        // MinimumCardinalityDataset copies the examples: their weights can be set without touching the caller's.
        Dataset<Label> data = new MinimumCardinalityDataset<>(examples, config.minFeatureCount());
        if (compact) {
            data = compactFeatureStatistics(data);
        }
        if (config.classWeight() > 0) {
            Map<String, Integer> counts = new HashMap<>();
            for (Example<Label> e : data) {
                counts.merge(e.getOutput().getLabel(), 1, Integer::sum);
            }
            Map<String, Float> weights = config.classWeights(counts);
            if (learner instanceof WeightedLabels weighted) { // LibLinear weighs labels, not examples
                Map<Label, Float> byLabel = new HashMap<>();
                weights.forEach((label, w) -> byLabel.put(new Label(label), w));
                weighted.setLabelWeights(byLabel);
            } else {
                for (Example<Label> e : data) {
                    e.setWeight(weights.get(e.getOutput().getLabel()));
                }
            }
        }
        if (config.model().equals("views")) {
            return trainViews(data, runProvenance, invocationCount);
        }
        return learner.train(data, runProvenance, invocationCount);
    }

    /**
     * One model per view, the character n-grams and the other features, each trained on a copy of the rows
     * that holds only its view's features, then their distributions averaged. Every member keeps the whole
     * feature map (Tribuo's ensemble requires one domain): the other view's weights stay 0, and a sentence
     * without a feature of one view is still scored by it (its bias).
     */
    private Model<Label> trainViews(Dataset<Label> data, Map<String, Provenance> runProvenance, int invocationCount) {
        List<Model<Label>> members = new ArrayList<>();
        for (int block = 0; block < 2; block++) {
            Dataset<Label> view = ImmutableDataset.copyDataset(data);
            for (Example<Label> e : view) {
                List<Feature> others = new ArrayList<>();
                for (Feature f : e) {
                    if (FeatureWeighting.block(f.getName()) != block) {
                        others.add(f);
                    }
                }
                e.removeFeatures(others);
            }
            members.add(learner.train(view, runProvenance, invocationCount));
        }
        return WeightedEnsembleModel.createEnsembleFromExistingModels(
                "views", members, new FullyWeightedVotingCombiner());
    }

    /**
     * Tribuo keeps a value histogram (CategoricalInfo) for every feature seen with fewer than 50 distinct
     * values, i.e. most rare n-grams, and stores it in the model file. The model only needs names and ids,
     * so the histograms are collapsed into summary statistics (RealInfo): same features, same training,
     * about half the file. Only for a model to be written: a cross-validation fold is the same without it.
     */
    static Dataset<Label> compactFeatureStatistics(Dataset<Label> dataset) {
        List<VariableInfo> infos = new ArrayList<>(dataset.getFeatureMap().size());
        for (VariableInfo info : dataset.getFeatureMap()) {
            infos.add(info instanceof CategoricalInfo c ? c.generateRealInfo() : info);
        }
        return ImmutableDataset.copyDataset(dataset, new ImmutableFeatureMap(infos), dataset.getOutputIDInfo());
    }

    @Override
    public int getInvocationCount() {
        return learner.getInvocationCount();
    }

    @Override
    public void setInvocationCount(int count) {
        learner.setInvocationCount(count);
    }

    @Override
    public TrainerProvenance getProvenance() {
        return learner.getProvenance();
    }

    @Override
    public String toString() {
        return "EmotionTrainer(minFeatureCount=" + config.minFeatureCount() + ",classWeight=" + config.classWeight()
                + ",learner=" + learner + ")";
    }
}
