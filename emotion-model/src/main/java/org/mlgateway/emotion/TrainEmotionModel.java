package org.mlgateway.emotion;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;
import java.util.zip.GZIPOutputStream;

import com.oracle.labs.mlrg.olcut.config.Option;
import com.oracle.labs.mlrg.olcut.config.Options;

import org.tribuo.CategoricalInfo;
import org.tribuo.Dataset;
import org.tribuo.ImmutableDataset;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.VariableInfo;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.dataset.MinimumCardinalityDataset;

/**
 * Trainer CLI: train.csv → stratified split → Tribuo dataset → SGD logistic regression → evaluation on
 * the held-out split → model file plus model card. Options: {@link TrainOptions} ({@code --help} lists them).
 * The shipped model is the one trained on 90% of the rows; the card's metrics are its scores on the other 10%.
 */
public final class TrainEmotionModel {

    private static final Logger LOG = Logger.getLogger(TrainEmotionModel.class.getName());

    private TrainEmotionModel() {
    }

    /** Command-line options (OLCUT); the defaults are the shipped model's settings. */
    public static final class TrainOptions implements Options {
        private static final TrainerConfig D = TrainerConfig.defaults();

        @Override
        public String getOptionsDescription() {
            return "Trains the emotion model and writes it with its model card.";
        }

        @Option(longName = "dataset", usage = "label,text CSV to train on")
        public Path dataset = Path.of("../shared/data/emotion/train.csv");
        @Option(longName = "out", usage = "folder for the model file and its card")
        public Path out = Path.of("emotion-model/src/main/resources/model");
        @Option(longName = "seed", usage = "seed of the validation split and of SGD")
        public long seed = D.seed();
        @Option(longName = "epochs", usage = "passes over the training set")
        public int epochs = D.epochs();
        @Option(longName = "lr", usage = "AdaGrad learning rate")
        public double learningRate = D.learningRate();
        @Option(longName = "epsilon", usage = "AdaGrad epsilon")
        public double epsilon = D.epsilon();
        @Option(longName = "minibatch", usage = "SGD minibatch size")
        public int minibatch = D.minibatch();
        @Option(longName = "min-count", usage = "drop features seen in fewer training examples")
        public int minCount = D.minFeatureCount();
        @Option(longName = "averaging", usage = "Polyak parameter averaging")
        public boolean averaging = D.averaging();
        @Option(longName = "dry-run", usage = "train and evaluate, write nothing")
        public boolean dryRun;

        TrainerConfig config() {
            return new TrainerConfig(seed, D.validationFraction(), minCount, epochs, learningRate, epsilon, minibatch,
                    averaging);
        }
    }

    public static void main(String[] argv) throws IOException {
        TrainOptions o = new TrainOptions();
        if (!Cli.parse(argv, o)) {
            return;
        }
        Map<String, Object> card = train(o.dataset, o.config(), EmotionFeaturizer.standard(), o.dryRun ? null : o.out);
        LOG.info("validation: " + card.get("validation"));
    }

    /** Runs the whole pipeline; writes model and card into {@code out} unless it is null. Returns the card. */
    static Map<String, Object> train(Path datasetFile, TrainerConfig config, EmotionFeaturizer featurizer, Path out)
            throws IOException {
        long started = System.nanoTime();

        // 1. Data source: the rows and the exact bytes they came from.
        String datasetSha = EmotionCsv.sha256(datasetFile);
        List<LabeledText> rows = EmotionCsv.read(datasetFile);
        ValidationSplit split = ValidationSplit.stratified(rows, config.validationFraction(), config.seed());
        LOG.info(() -> String.format("read %d rows (sha256 %s): %d train, %d validation",
                rows.size(), datasetSha, split.train().size(), split.validation().size()));

        // 2. Dataset: featurize the training rows, then drop rare features (model size, noise).
        String origin = datasetFile.getFileName() + " sha256=" + datasetSha + " split=train seed=" + config.seed();
        MutableDataset<Label> full = new MutableDataset<>(new EmotionDataSource(split.train(), featurizer, origin));
        Dataset<Label> trainSet = compactFeatureStatistics(new MinimumCardinalityDataset<>(full, config.minFeatureCount()));
        LOG.info(() -> String.format("features: %d extracted, %d kept (seen in >= %d examples)",
                full.getFeatureMap().size(), trainSet.getFeatureMap().size(), config.minFeatureCount()));

        // 3. Trainer and 4. model.
        Trainer<Label> trainer = config.trainer();
        Model<Label> model = trainer.train(trainSet);
        double trainSeconds = (System.nanoTime() - started) / 1e9;
        LOG.info(() -> String.format("trained %s in %.1f s", trainer, trainSeconds));

        // The model file's bytes name its version; evaluation then runs on the model as it will be served.
        byte[] modelBytes = serialize(model);
        EmotionClassifier classifier = new EmotionClassifier(model, featurizer, ModelVersion.of(modelBytes));

        // 5. Evaluator: the held-out 10%, through the same wrapper the API uses.
        EmotionMetrics metrics = EmotionMetrics.evaluate(classifier, split.validation(),
                datasetFile.getFileName() + " sha256=" + datasetSha + " split=validation seed=" + config.seed());

        Map<String, Object> card = new LinkedHashMap<>();
        card.put("modelVersion", classifier.modelVersion());
        card.put("modelFile", EmotionClassifier.MODEL_FILE);
        card.put("modelFormat", "Tribuo protobuf (Model.serializeToStream), gzip-compressed");
        card.put("modelFileSha256", EmotionCsv.sha256(modelBytes));
        card.put("modelFileBytes", modelBytes.length);
        card.put("trainedAt", OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).toString());
        card.put("trainingSeconds", Math.round(trainSeconds * 10) / 10.0);
        card.put("tribuoVersion", org.tribuo.Tribuo.VERSION);
        card.put("labels", classifier.labels());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("path", Cli.displayPath(datasetFile));
        data.put("sha256", datasetSha);
        data.put("rows", rows.size());
        data.put("trainRows", split.train().size());
        data.put("validationRows", split.validation().size());
        data.put("labelCounts", labelCounts(rows));
        // The rows the model learnt from: a server compares its predicted labels with these (drift).
        data.put("trainLabelCounts", labelCounts(split.train()));
        card.put("dataset", data);
        card.put("featurizer", featurizer.describe());
        Map<String, Object> features = new LinkedHashMap<>();
        features.put("extracted", full.getFeatureMap().size());
        features.put("kept", trainSet.getFeatureMap().size());
        card.put("features", features);
        card.put("trainer", config.describe());
        Map<String, Object> validation = new LinkedHashMap<>();
        validation.put("description", "metrics of the shipped model (trained on the other " + split.train().size()
                + " rows) on the " + split.validation().size() + "-row stratified validation split of the dataset; "
                + "hyperparameters (epochs, learning rate, AdaGrad epsilon, min feature count, bigrams, IDF or not, "
                + "block normalisation) were selected on this "
                + "same split, so these figures are slightly optimistic");
        validation.put("metrics", metrics);
        card.put("validation", validation);

        if (out != null) {
            Files.createDirectories(out);
            Files.write(out.resolve(EmotionClassifier.MODEL_FILE), modelBytes);
            Files.writeString(out.resolve(EmotionClassifier.CARD_FILE), Cli.toJson(card) + "\n");
            LOG.info(() -> "wrote " + out.resolve(EmotionClassifier.MODEL_FILE) + " (" + modelBytes.length + " bytes) and "
                    + EmotionClassifier.CARD_FILE);
        }
        return card;
    }

    /**
     * Tribuo keeps a value histogram (CategoricalInfo) for every feature seen with fewer than 50 distinct
     * values, i.e. most rare n-grams, and stores it in the model file. The model only needs names and ids,
     * so the histograms are collapsed into summary statistics (RealInfo): same features, same training,
     * about half the file.
     */
    static Dataset<Label> compactFeatureStatistics(Dataset<Label> dataset) {
        List<VariableInfo> infos = new ArrayList<>(dataset.getFeatureMap().size());
        for (VariableInfo info : dataset.getFeatureMap()) {
            infos.add(info instanceof CategoricalInfo c ? c.generateRealInfo() : info);
        }
        return ImmutableDataset.copyDataset(dataset, new ImmutableFeatureMap(infos), dataset.getOutputIDInfo());
    }

    static byte[] serialize(Model<Label> model) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 22);
        // Weights compress poorly but feature names well; gzip roughly halves the file.
        try (OutputStream gz = new GZIPOutputStream(bytes, 1 << 16)) {
            model.serializeToStream(gz);
        }
        return bytes.toByteArray();
    }

    private static Map<String, Integer> labelCounts(List<LabeledText> rows) {
        Map<String, Integer> counts = new TreeMap<>();
        for (LabeledText r : rows) {
            counts.merge(r.label(), 1, Integer::sum);
        }
        return counts;
    }
}
