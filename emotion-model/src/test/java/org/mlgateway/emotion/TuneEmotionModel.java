package org.mlgateway.emotion;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.tribuo.Dataset;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.dataset.MinimumCardinalityDataset;

/**
 * Developer tool (not a test): grid over trainer settings on the validation split of train.csv, featurizing
 * once. Run: java -cp ... org.mlgateway.emotion.TuneEmotionModel train.csv "minCount:epochs:lr:avg" ...
 */
public final class TuneEmotionModel {
    public static void main(String[] args) throws Exception {
        TrainerConfig d = TrainerConfig.defaults();
        EmotionFeaturizer featurizer = new EmotionFeaturizer(Integer.getInteger("charMin", 2), Integer.getInteger("charMax", 5), !Boolean.getBoolean("noBigrams"), Boolean.getBoolean("blocks"));
        List<LabeledText> rows = EmotionCsv.read(Path.of(args[0]));
        ValidationSplit split = ValidationSplit.stratified(rows, d.validationFraction(), d.seed());
        MutableDataset<Label> full = new MutableDataset<>(new EmotionDataSource(split.train(), featurizer, "tune"));
        for (int i = 1; i < args.length; i++) {
            String[] p = args[i].split(":");
            TrainerConfig c = new TrainerConfig(d.seed(), d.validationFraction(), Integer.parseInt(p[0]),
                    Integer.parseInt(p[1]), Double.parseDouble(p[2]), p.length > 4 ? Double.parseDouble(p[4]) : d.epsilon(), d.minibatch(), p[3].equals("1"));
            long t = System.nanoTime();
            Dataset<Label> ds = TrainEmotionModel.compactFeatureStatistics(new MinimumCardinalityDataset<>(full, c.minFeatureCount()));
            Model<Label> model = c.trainer().train(ds);
            byte[] bytes = TrainEmotionModel.serialize(model);
            EmotionMetrics m = EmotionMetrics.evaluate(new EmotionClassifier(model, featurizer, "x"), split.validation(), "tune");
            System.out.printf(Locale.ROOT, "%s features=%d size=%.2fMB acc=%.4f f1=%.4f logloss=%.4f time=%.0fs%n",
                    args[i], ds.getFeatureMap().size(), bytes.length / 1e6, m.accuracy(), m.macroF1(), m.logLoss(),
                    (System.nanoTime() - t) / 1e9);
        }
    }
}
