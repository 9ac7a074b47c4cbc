package org.mlgateway.emotion;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Any;
import com.oracle.labs.mlrg.olcut.config.Option;
import com.oracle.labs.mlrg.olcut.config.Options;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;
import java.util.zip.GZIPOutputStream;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.protos.ClassificationLinearSGDProto;
import org.tribuo.impl.ModelDataCarrier;
import org.tribuo.protos.core.ModelProto;
import org.tribuo.provenance.ModelProvenance;

/**
 * Trainer CLI: train.csv → stratified split → Tribuo dataset → k-fold cross-validation of the recipe on the
 * training rows (its figures and the calibration temperature) → the model trained on all training rows →
 * evaluation on the held-out split → model file plus model card. Options: {@link TrainOptions}
 * ({@code --help} lists them). The held-out 10 % is scored once, by the final model, and chose nothing.
 */
public final class TrainEmotionModel {

    private static final Logger LOG = Logger.getLogger(TrainEmotionModel.class.getName());

    /** The time written into a model's provenance wherever Tribuo would write the clock's. */
    static final OffsetDateTime PROVENANCE_TIME = OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    private TrainEmotionModel() {}

    /** Command-line options (OLCUT); the defaults are the shipped model's recipe. */
    public static final class TrainOptions implements Options {
        @Override
        public String getOptionsDescription() {
            return "Trains the emotion model and writes it with its model card.";
        }

        @Option(longName = "dataset", usage = "label,text CSV to train on")
        public Path dataset = Path.of("../shared/data/emotion/train.csv");

        @Option(longName = "out", usage = "folder for the model file and its card")
        public Path out = Path.of("emotion-model/src/main/resources/model");

        @Option(longName = "cv-table", usage = "make tune's table of candidates, copied into the card")
        public Path cvTable;

        @Option(longName = "dry-run", usage = "train and evaluate, write nothing")
        public boolean dryRun;

        @Option(longName = "seed", usage = "seed of the validation split, the folds and the learner")
        public long seed = 20240611L;

        @Option(longName = "folds", usage = "k of the cross-validation on the training rows (under 2: none)")
        public int folds = 5;

        @Option(longName = "features", usage = "feature set (FeatureSet), e.g. " + EmotionFeaturizer.STANDARD)
        public String features = EmotionFeaturizer.STANDARD;

        @Option(longName = "min-count", usage = "drop features seen in fewer training examples")
        public int minCount = 8;

        @Option(
                longName = "model",
                usage = "learner: linear, fm, liblinear or views (a linear model per view, averaged)")
        public String model = "linear";

        @Option(longName = "members", usage = "above 1: a bagged ensemble of that many models")
        public int members = 1;

        @Option(longName = "epochs", usage = "SGD passes over the training rows")
        public int epochs = 5;

        @Option(longName = "lr", usage = "AdaGrad learning rate")
        public double learningRate = 0.1;

        @Option(longName = "epsilon", usage = "AdaGrad epsilon")
        public double epsilon = 0.1;

        @Option(longName = "minibatch", usage = "SGD minibatch size")
        public int minibatch = 1;

        @Option(longName = "averaging", usage = "Polyak parameter averaging")
        public boolean averaging = false;

        @Option(longName = "class-weight", usage = "p of the class weights (N / (labels * rows))^p; 0 none, 1 balanced")
        public double classWeight = 0;

        @Option(longName = "factors", usage = "factorization machine: factor size")
        public int factors = 8;

        @Option(longName = "cost", usage = "LibLinear: C, inverse L2 strength")
        public double cost = 1;

        @Option(longName = "calibrate", usage = "temperature scaling fitted on the held-out folds")
        public boolean calibrate = false;

        TrainerConfig config() {
            return new TrainerConfig(
                    seed,
                    folds,
                    features,
                    minCount,
                    model,
                    members,
                    epochs,
                    learningRate,
                    epsilon,
                    minibatch,
                    averaging,
                    classWeight,
                    factors,
                    cost,
                    calibrate);
        }
    }

    public static void main(String[] argv) throws IOException {
        TrainOptions o = new TrainOptions();
        if (!Cli.parse(argv, o)) {
            return;
        }
        Map<String, Object> card = train(o.dataset, o.config(), o.dryRun ? null : o.out, o.cvTable);
        LOG.info("validation: " + card.get("validation"));
    }

    /** Runs the whole pipeline; writes model and card into {@code out} unless it is null. Returns the card. */
    static Map<String, Object> train(Path datasetFile, TrainerConfig config, Path out, Path cvTable)
            throws IOException {
        long started = System.nanoTime();
        EmotionFeaturizer featurizer = new EmotionFeaturizer(config.featureSet());

        // 1. Data source: the rows and the exact bytes they came from.
        String datasetSha = EmotionCsv.sha256(datasetFile);
        List<LabeledText> rows = EmotionCsv.read(datasetFile);
        ValidationSplit split = ValidationSplit.stratified(rows, TrainerConfig.VALIDATION_FRACTION, config.seed());
        LOG.info(() -> String.format(
                "read %d rows (sha256 %s): %d train, %d validation",
                rows.size(),
                datasetSha,
                split.train().size(),
                split.validation().size()));

        // 2. Dataset: the training rows featurized (rare features are dropped by the trainer, per fold).
        String origin = datasetFile.getFileName() + " sha256=" + datasetSha + " split=train seed=" + config.seed();
        MutableDataset<Label> trainSet = new MutableDataset<>(new EmotionDataSource(split.train(), featurizer, origin));

        // 3. Cross-validation of the recipe on the training rows: figures, and the calibration temperature.
        EmotionCrossValidation.Result cv = null;
        if (config.folds() >= 2) {
            LOG.info(() -> String.format("%d-fold cross-validation of %s", config.folds(), config.trainer()));
            cv = EmotionCrossValidation.run(config, trainSet);
            EmotionCrossValidation.Result done = cv;
            LOG.info(() -> "cross-validation: " + done.metrics());
        }

        // 4. Trainer and model, on all training rows, then scaled by the temperature.
        Model<Label> trained = config.trainer().train(trainSet);
        Model<Label> model = config.calibrate() ? TemperatureScaling.apply(trained, cv.temperature()) : trained;
        double trainSeconds = (System.nanoTime() - started) / 1e9;
        LOG.info(() -> String.format("trained %s in %.1f s", config.trainer(), trainSeconds));

        // The model file's bytes name its version; evaluation then runs on the model as it will be served.
        byte[] modelBytes = serialize(model);
        EmotionClassifier classifier = new EmotionClassifier(model, featurizer, ModelVersion.of(modelBytes));

        // 5. Evaluator: the held-out 10%, through the same wrapper the API uses (and without calibration).
        String validationOrigin =
                datasetFile.getFileName() + " sha256=" + datasetSha + " split=validation seed=" + config.seed();
        EmotionMetrics metrics = EmotionMetrics.evaluate(classifier, split.validation(), validationOrigin);

        Map<String, Object> card = new LinkedHashMap<>();
        card.put("modelVersion", classifier.modelVersion());
        card.put("modelFile", EmotionClassifier.MODEL_FILE);
        card.put("modelFormat", "Tribuo protobuf (Model.serializeToStream), gzip-compressed");
        card.put("modelFileSha256", EmotionCsv.sha256(modelBytes));
        card.put("modelFileBytes", modelBytes.length);
        card.put(
                "trainedAt",
                OffsetDateTime.now(ZoneOffset.UTC)
                        .truncatedTo(ChronoUnit.SECONDS)
                        .toString());
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
        features.put("extracted", trainSet.getFeatureMap().size());
        features.put("kept", model.getFeatureIDMap().size());
        card.put("features", features);
        card.put("trainer", config.describe());
        if (cv != null) {
            Map<String, Object> crossValidation = new LinkedHashMap<>();
            crossValidation.put(
                    "description",
                    cv.folds() + "-fold cross-validation (Tribuo CrossValidation, seed "
                            + config.seed() + ") of this recipe on the "
                            + split.train().size() + " training rows: mean and "
                            + "standard deviation over the folds"
                            + (config.calibrate()
                                    ? "; calibrated figures use, for each fold, "
                                            + "the temperature fitted on the other folds' held-out predictions"
                                    : ""));
            crossValidation.put("result", cv);
            card.put("crossValidation", crossValidation);
        }
        if (config.calibrate()) {
            EmotionMetrics raw = EmotionMetrics.evaluate(
                    new EmotionClassifier(trained, featurizer, "uncalibrated"), split.validation(), validationOrigin);
            Map<String, Object> calibration = new LinkedHashMap<>();
            calibration.put(
                    "method",
                    "temperature scaling: scores divided by T, fitted by log loss on the held-out "
                            + "predictions of the " + cv.folds() + " folds, built into the weights");
            calibration.put("temperature", cv.temperature());
            calibration.put("validationBefore", Map.of("logLoss", raw.logLoss(), "ece", raw.ece()));
            calibration.put("validationAfter", Map.of("logLoss", metrics.logLoss(), "ece", metrics.ece()));
            calibration.put(
                    "reliabilityDiagram",
                    "the validation split's answers binned by confidence (the top "
                            + "probability), before and after: a calibrated model's accuracy matches its mean confidence in each bin");
            calibration.put(
                    "reliabilityBefore",
                    EmotionMetrics.reliability(
                            new EmotionClassifier(trained, featurizer, "uncalibrated"), split.validation()));
            calibration.put("reliabilityAfter", EmotionMetrics.reliability(classifier, split.validation()));
            card.put("calibration", calibration);
        }
        Map<String, Object> validation = new LinkedHashMap<>();
        validation.put(
                "description",
                "metrics of the shipped model (trained on the other "
                        + split.train().size()
                        + " rows) on the " + split.validation().size()
                        + "-row stratified validation split of the dataset; "
                        + "these rows chose nothing: the recipe was selected by cross-validation on the training rows (make tune)");
        validation.put("metrics", metrics);
        card.put("validation", validation);
        if (cvTable != null && Files.isRegularFile(cvTable)) {
            card.put("tuning", new ObjectMapper().readTree(cvTable.toFile()));
        }

        if (out != null) {
            Files.createDirectories(out);
            Files.write(out.resolve(EmotionClassifier.MODEL_FILE), modelBytes);
            Files.writeString(out.resolve(EmotionClassifier.CARD_FILE), Cli.toJson(card) + "\n");
            LOG.info(() -> "wrote " + out.resolve(EmotionClassifier.MODEL_FILE) + " (" + modelBytes.length
                    + " bytes) and " + EmotionClassifier.CARD_FILE);
        }
        return card;
    }

    /**
     * The model file: Tribuo's protobuf, gzip-compressed (weights compress poorly but feature names well; gzip
     * roughly halves the file). The same data and recipe give the same bytes, hence the same version: the
     * training time Tribuo records in the model's provenance is replaced by {@link #PROVENANCE_TIME} (the card
     * says when the model was trained), as the data source's creation time is.
     */
    static byte[] serialize(Model<Label> model) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 22);
        try (OutputStream gz = new GZIPOutputStream(bytes, 1 << 16)) {
            withFixedTrainingTime(model).writeTo(gz);
        }
        return bytes.toByteArray();
    }

    private static ModelProto withFixedTrainingTime(Model<Label> model) throws IOException {
        ModelProto proto = model.serialize();
        if (!(model instanceof LinearSGDModel)) {
            return proto; // the other learners are only cross-validated (make tune), never written
        }
        ClassificationLinearSGDProto data = proto.getSerializedData().unpack(ClassificationLinearSGDProto.class);
        ModelDataCarrier<?> carrier = ModelDataCarrier.deserialize(data.getMetadata());
        ModelProvenance p = carrier.provenance();
        ModelProvenance fixed = new ModelProvenance(
                p.getClassName(),
                PROVENANCE_TIME,
                p.getDatasetProvenance(),
                p.getTrainerProvenance(),
                new LinkedHashMap<>(p.getInstanceProvenance().getMap()));
        ModelDataCarrier<?> fixedCarrier = new ModelDataCarrier<>(
                carrier.name(),
                fixed,
                carrier.featureDomain(),
                (ImmutableOutputInfo) carrier.outputDomain(),
                carrier.generatesProbabilities(),
                carrier.tribuoVersion());
        return proto.toBuilder()
                .setSerializedData(Any.pack(
                        data.toBuilder().setMetadata(fixedCarrier.serialize()).build()))
                .build();
    }

    private static Map<String, Integer> labelCounts(List<LabeledText> rows) {
        Map<String, Integer> counts = new TreeMap<>();
        for (LabeledText r : rows) {
            counts.merge(r.label(), 1, Integer::sum);
        }
        return counts;
    }
}
