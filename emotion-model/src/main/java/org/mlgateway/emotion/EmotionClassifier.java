package org.mlgateway.emotion;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;

/**
 * The serving wrapper: a trained Tribuo model plus the featurizer it was trained with.
 *
 * <p>Serving ({@link #predict(String)}) computes exactly what Tribuo would, to the last bit of every
 * probability, without Tribuo's per-call objects: feature ids straight from the text ({@link FeatureIds},
 * {@link FeatureCounter}) and the weights laid out for a sparse input ({@link LinearScorer}). The reference
 * path, Tribuo's own {@link Model#predict(Example)}, stays for evaluation, for tests that compare the two,
 * and for the rare input or model the fast path does not reproduce.
 *
 * <p>Thread-safe: the featurizer, the lookup table and the scorer are immutable, per-call state is local
 * or in arrays of the calling thread ({@link Scratch}), and Tribuo models are immutable after training, so
 * {@link Model#predict(Example)} may be called concurrently (a test runs it from several threads).
 *
 * <p>The model version is {@link ModelVersion#of(byte[])} of the bytes loaded; loading from the classpath
 * also checks that the model card beside the file names that version.
 */
public final class EmotionClassifier {

    /** File names the trainer writes and the classpath folder ({@link #RESOURCE_DIR}) the WAR finds them in. */
    public static final String MODEL_FILE = "emotion-model.tribuo.gz";
    public static final String CARD_FILE = "model-card.json";
    public static final String RESOURCE_DIR = "model/";
    /** The committed model, packaged in this module's jar. */
    public static final String MODEL_RESOURCE = RESOURCE_DIR + MODEL_FILE;

    private static final String GZ = ".gz";

    private final Model<Label> model;
    private final EmotionFeaturizer featurizer;
    private final ImmutableFeatureMap featureMap;
    private final List<String> labels;
    /** Tribuo's label ids in alphabetical label order, and those labels: the answer's map is sorted. */
    private final int[] sortedIds;
    private final String[] sortedLabels;
    /** The fast path; both null when the model is not one {@link LinearScorer} reproduces. */
    private final FeatureIds featureIds;
    private final LinearScorer scorer;
    private final String version;
    /** Training rows per label, from the model card; empty when the model was loaded without one. */
    private final Map<String, Integer> trainLabelCounts;
    /** The model card's facts for clients ({@link ModelCard#summary()}); empty without a card. */
    private final Map<String, Object> cardSummary;
    /** The answer when no feature of a sentence is known: the model's bias alone (a class prior). */
    private final org.tribuo.Prediction<Label> noEvidenceScores;
    private final Prediction noEvidence;

    EmotionClassifier(Model<Label> model, EmotionFeaturizer featurizer, String version) {
        this(model, featurizer, version, null);
    }

    /** {@code card} may be null: a model loaded without its card. */
    private EmotionClassifier(Model<Label> model, EmotionFeaturizer featurizer, String version, ModelCard card) {
        if (!model.generatesProbabilities()) {
            throw new IllegalArgumentException("the model must output probabilities: " + model);
        }
        this.model = model;
        this.featurizer = featurizer;
        this.featureMap = model.getFeatureIDMap();
        List<String> names = new ArrayList<>();
        for (Label l : model.getOutputIDInfo().getDomain()) {
            names.add(l.getLabel());
        }
        Collections.sort(names);
        this.labels = List.copyOf(names);
        this.sortedLabels = names.toArray(new String[0]);
        this.sortedIds = new int[sortedLabels.length];
        for (int j = 0; j < sortedLabels.length; j++) {
            sortedIds[j] = model.getOutputIDInfo().getID(new Label(sortedLabels[j]));
        }
        this.version = version;
        this.trainLabelCounts = card == null ? Map.of() : card.trainLabelCounts();
        this.cardSummary = card == null ? Map.of() : card.summary();
        // A known feature with value 0 contributes nothing, leaving the bias term alone.
        String anyFeature = featureMap.iterator().next().getName();
        Example<Label> empty = new ArrayExample<>(LabelFactory.UNKNOWN_LABEL, new String[] {anyFeature}, new double[] {0.0});
        this.noEvidenceScores = model.predict(empty);
        this.noEvidence = toPrediction(noEvidenceScores);
        LinearScorer candidate = LinearScorer.of(model);
        this.scorer = candidate != null && reproduces(candidate, empty) ? candidate : null;
        this.featureIds = scorer != null ? new FeatureIds(featureMap) : null;
    }

    // A cheap check at load that the scorer's assumptions (notably the softmax) hold for this model: the
    // same bits as Tribuo for the bias alone and for a few features. The golden test checks real sentences.
    private boolean reproduces(LinearScorer candidate, Example<Label> empty) {
        int n = Math.min(featureMap.size(), 20);
        int[] ids = new int[n];
        String[] names = new String[n];
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i * (featureMap.size() / n);
            names[i] = featureMap.get(ids[i]).getName();
            values[i] = 0.9 - 0.37 * i;
        }
        Example<Label> some = new ArrayExample<>(LabelFactory.UNKNOWN_LABEL, names, values);
        return sameBits(candidate.probabilities(new int[0], new double[0], 0), model.predict(empty))
                && sameBits(candidate.probabilities(ids, values, n), model.predict(some));
    }

    private boolean sameBits(double[] byId, org.tribuo.Prediction<Label> tribuo) {
        Map<String, Label> scores = tribuo.getOutputScores();
        for (int k = 0; k < byId.length; k++) {
            Label l = scores.get(model.getOutputIDInfo().getOutput(k).getLabel());
            if (l == null || Double.doubleToLongBits(l.getScore()) != Double.doubleToLongBits(byId[k])) {
                return false;
            }
        }
        return true;
    }

    /**
     * Loads a model resource, e.g. {@link #MODEL_RESOURCE}; ".gz" is tried with or without. The model card
     * ({@link #CARD_FILE}) in the same folder must name the loaded file's version, or this throws
     * {@link ModelVersion.Mismatch}: a server must never report one version while serving another.
     */
    public static EmotionClassifier fromClasspath(String resource) throws IOException {
        String name = resource.startsWith("/") ? resource.substring(1) : resource;
        String other = name.endsWith(GZ) ? name.substring(0, name.length() - GZ.length()) : name + GZ;
        for (String candidate : List.of(name, other)) {
            ClassLoader loader = loaderOf(candidate);
            if (loader != null) {
                URL url = loader.getResource(candidate);
                // The card from the same place as the model (the same jar in a WAR).
                String card = candidate.substring(0, candidate.lastIndexOf('/') + 1) + CARD_FILE;
                URL cardUrl = loader.getResource(card);
                if (cardUrl == null) {
                    throw new FileNotFoundException("no model card " + card + " beside " + url);
                }
                ModelCard modelCard;
                try (InputStream in = cardUrl.openStream()) {
                    modelCard = ModelCard.read(in);
                }
                EmotionClassifier classifier;
                try (InputStream in = url.openStream()) {
                    classifier = fromBytes(in.readAllBytes(), candidate.endsWith(GZ), url.toString(), modelCard);
                }
                ModelVersion.requireCardMatches(classifier.modelVersion(), modelCard.modelVersion(), cardUrl.toString());
                return classifier;
            }
        }
        throw new FileNotFoundException("model resource not found on the classpath: " + resource);
    }

    public static EmotionClassifier fromFile(Path path) throws IOException {
        return fromBytes(Files.readAllBytes(path), path.getFileName().toString().endsWith(GZ), path.toString(), null);
    }

    // The application's loader first (a WAR's), then this class's own.
    private static ClassLoader loaderOf(String name) {
        ClassLoader own = EmotionClassifier.class.getClassLoader();
        for (ClassLoader l : new ClassLoader[] {Thread.currentThread().getContextClassLoader(),
                own == null ? ClassLoader.getSystemClassLoader() : own}) {
            if (l != null && l.getResource(name) != null) {
                return l;
            }
        }
        return null;
    }

    private static EmotionClassifier fromBytes(byte[] bytes, boolean gzipped, String where, ModelCard card)
            throws IOException {
        Model<?> raw;
        try (InputStream in = gzipped ? new GZIPInputStream(new ByteArrayInputStream(bytes)) : new ByteArrayInputStream(bytes)) {
            raw = Model.deserializeFromStream(in);
        } catch (RuntimeException e) {
            throw new IOException("not a Tribuo model: " + where, e);
        }
        if (!raw.validate(Label.class)) {
            throw new IOException("not a classification model: " + where);
        }
        @SuppressWarnings("unchecked")
        Model<Label> model = (Model<Label>) raw;
        return new EmotionClassifier(model, EmotionFeaturizer.standard(), ModelVersion.of(bytes), card);
    }

    /** Never throws for a non-null sentence; a sentence with no known feature gets the class prior. */
    public Prediction predict(String sentence) {
        if (sentence == null) {
            throw new NullPointerException("sentence");
        }
        if (scorer != null) {
            FeatureCounter features = featurizer.countKnown(sentence, featureIds);
            // Not reproduced: a HashMap bucket turned tree or a text of millions of characters (see
            // FeatureCounter), or every feature of the model present, which Tribuo multiplies as a dense vector.
            if (features.ordered() && features.known() < scorer.features()) {
                if (features.known() == 0) {
                    return noEvidence;
                }
                return toPrediction(scorer.probabilities(features.ids(), features.values(), features.known()));
            }
        }
        return predictWithTribuo(sentence);
    }

    /** The reference path: Tribuo's own prediction; {@link #predict(String)} gives the same bits, faster. */
    Prediction predictWithTribuo(String sentence) {
        // Only features the model knows: Tribuo would drop the others, and refuses an example left empty.
        Example<Label> example = featurizer.toExample(sentence, LabelFactory.UNKNOWN_LABEL, featureMap);
        if (example.size() == 0) {
            return noEvidence;
        }
        return toPrediction(model.predict(example));
    }

    /**
     * Tribuo's own prediction for a sentence whose true label is known, as Tribuo's evaluators take it:
     * the same scores as {@link #predict(String)}, with the example carrying {@code truth}.
     */
    org.tribuo.Prediction<Label> predict(String sentence, Label truth) {
        Example<Label> example = featurizer.toExample(sentence, truth, featureMap);
        return example.size() == 0 ? new org.tribuo.Prediction<>(noEvidenceScores, 0, example) : model.predict(example);
    }

    /** Tribuo's scores as the API answers them: a distribution over every label, its arg-max as the label. */
    Prediction toPrediction(org.tribuo.Prediction<Label> p) {
        SortedMap<String, Double> probs = new TreeMap<>();
        double sum = 0;
        for (Map.Entry<String, Label> e : p.getOutputScores().entrySet()) {
            double s = e.getValue().getScore();
            if (!(s >= 0)) {
                s = 0; // NaN guard: a distribution must stay a distribution
            }
            probs.put(e.getKey(), s);
            sum += s;
        }
        // Softmax already sums to 1 up to rounding; renormalise so the contract holds exactly.
        String best = null;
        double bestP = -1;
        for (Map.Entry<String, Double> e : probs.entrySet()) {
            double v = sum > 0 ? e.getValue() / sum : 1.0 / probs.size();
            e.setValue(v);
            if (v > bestP) { // strict: ties go to the alphabetically first label
                bestP = v;
                best = e.getKey();
            }
        }
        return new Prediction(best, Collections.unmodifiableSortedMap(probs));
    }

    /**
     * {@link #toPrediction(org.tribuo.Prediction)} of probabilities by Tribuo label id, the same arithmetic:
     * the sum in Tribuo's order (label ids, its map's order), then the division and the arg-max in
     * alphabetical order.
     */
    private Prediction toPrediction(double[] byId) {
        double sum = 0;
        for (int k = 0; k < byId.length; k++) {
            if (!(byId[k] >= 0)) {
                byId[k] = 0; // NaN guard: a distribution must stay a distribution
            }
            sum += byId[k];
        }
        double[] probs = new double[sortedIds.length];
        String best = null;
        double bestP = -1;
        for (int j = 0; j < sortedIds.length; j++) {
            double v = sum > 0 ? byId[sortedIds[j]] / sum : 1.0 / sortedIds.length;
            probs[j] = v;
            if (v > bestP) { // strict: ties go to the alphabetically first label
                bestP = v;
                best = sortedLabels[j];
            }
        }
        return new Prediction(best, new LabelProbabilities(sortedLabels, probs));
    }

    /** The labels the model knows, sorted alphabetically. */
    public List<String> labels() {
        return labels;
    }

    /** Training rows per label, as the model card beside a classpath model gives them; empty otherwise. */
    public Map<String, Integer> trainLabelCounts() {
        return trainLabelCounts;
    }

    /** The model card's facts for clients (training data, validation metrics), as {@link ModelCard#summary()}; empty otherwise. */
    public Map<String, Object> cardSummary() {
        return cardSummary;
    }

    public String modelVersion() {
        return version;
    }

    /** Whether {@link #predict(String)} can answer without Tribuo; for tests. */
    boolean hasFastPath() {
        return scorer != null;
    }

    /** The fast path's features of a sentence, valid until the thread's next prediction; for tests. */
    FeatureCounter fastFeatures(String sentence) {
        return featurizer.countKnown(sentence, featureIds);
    }

    /** The underlying Tribuo model, for evaluation and provenance. */
    Model<Label> model() {
        return model;
    }
}
