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
import java.util.Set;
import java.util.TreeMap;
import java.util.logging.Logger;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

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
 * the held-out split → model file plus model card.
 *
 * <pre>
 * TrainEmotionModel [--dataset train.csv] [--out dir] [--seed n] [--epochs n] [--lr x] [--epsilon x]
 *                   [--minibatch n] [--min-count n] [--averaging] [--dry-run]
 * </pre>
 * The shipped model is the one trained on 90% of the rows; the card's metrics are its scores on the other 10%.
 */
public final class TrainEmotionModel {

    private static final Logger LOG = Logger.getLogger(TrainEmotionModel.class.getName());

    public static final String MODEL_FILE = "emotion-model.tribuo.gz";
    public static final String CARD_FILE = "model-card.json";

    static final String USAGE = "usage: TrainEmotionModel [--dataset train.csv] [--out dir] [--seed n] [--epochs n] "
            + "[--lr x] [--epsilon x] [--minibatch n] [--min-count n] [--averaging] [--dry-run]";

    private TrainEmotionModel() {
    }

    public static void main(String[] argv) throws IOException {
        Args args = new Args(argv,
                Set.of("--dataset", "--out", "--seed", "--epochs", "--lr", "--epsilon", "--minibatch", "--min-count"),
                Set.of("--averaging", "--dry-run"), USAGE);
        TrainerConfig d = TrainerConfig.defaults();
        TrainerConfig config = new TrainerConfig(
                Long.parseLong(args.get("--seed", String.valueOf(d.seed()))),
                d.validationFraction(),
                Integer.parseInt(args.get("--min-count", String.valueOf(d.minFeatureCount()))),
                Integer.parseInt(args.get("--epochs", String.valueOf(d.epochs()))),
                Double.parseDouble(args.get("--lr", String.valueOf(d.learningRate()))),
                Double.parseDouble(args.get("--epsilon", String.valueOf(d.epsilon()))),
                Integer.parseInt(args.get("--minibatch", String.valueOf(d.minibatch()))),
                args.has("--averaging") || d.averaging());
        Path dataset = Path.of(args.get("--dataset", "../shared/data/emotion/train.csv"));
        Path out = Path.of(args.get("--out", "ml-api-war/src/main/resources/model"));
        Map<String, Object> card = train(dataset, config, EmotionFeaturizer.standard(), args.has("--dry-run") ? null : out);
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
        EmotionClassifier classifier = new EmotionClassifier(model, featurizer, EmotionClassifier.versionOf(modelBytes));

        // 5. Evaluator: the held-out 10%, through the same wrapper the API uses.
        EmotionMetrics metrics = EvaluateEmotionModel.evaluate(classifier, split.validation());

        Map<String, Object> card = new LinkedHashMap<>();
        card.put("modelVersion", classifier.modelVersion());
        card.put("modelFile", MODEL_FILE);
        card.put("modelFormat", "Tribuo protobuf (Model.serializeToStream), gzip-compressed");
        card.put("modelFileSha256", EmotionCsv.sha256(modelBytes));
        card.put("modelFileBytes", modelBytes.length);
        card.put("trainedAt", OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).toString());
        card.put("trainingSeconds", Math.round(trainSeconds * 10) / 10.0);
        card.put("tribuoVersion", org.tribuo.Tribuo.VERSION);
        card.put("labels", classifier.labels());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("path", displayPath(datasetFile));
        data.put("sha256", datasetSha);
        data.put("rows", rows.size());
        data.put("trainRows", split.train().size());
        data.put("validationRows", split.validation().size());
        data.put("labelCounts", labelCounts(rows));
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
            Files.write(out.resolve(MODEL_FILE), modelBytes);
            Files.writeString(out.resolve(CARD_FILE), toJson(card) + "\n");
            LOG.info(() -> "wrote " + out.resolve(MODEL_FILE) + " (" + modelBytes.length + " bytes) and " + CARD_FILE);
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

    static String toJson(Object value) throws IOException {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
    }

    private static Map<String, Integer> labelCounts(List<LabeledText> rows) {
        Map<String, Integer> counts = new TreeMap<>();
        for (LabeledText r : rows) {
            counts.merge(r.label(), 1, Integer::sum);
        }
        return counts;
    }

    // Relative to the working directory (the project root under `make`), so cards do not leak home paths.
    static String displayPath(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        Path cwd = Path.of("").toAbsolutePath().normalize();
        Path rel = abs.startsWith(cwd.getParent() == null ? cwd : cwd.getParent()) ? cwd.relativize(abs) : abs;
        return rel.toString();
    }

    static List<String> truths(List<LabeledText> rows) {
        List<String> t = new ArrayList<>(rows.size());
        for (LabeledText r : rows) {
            t.add(r.label());
        }
        return t;
    }
}
