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
 * The serving wrapper: a trained Tribuo model plus the featurizer it was trained with (named by the model
 * card beside it). A linear SGD model (the shipped kind) is scored by {@link LinearScorer} on the known
 * features' ids, which through the gateway served more requests a second than Tribuo's own
 * {@link Model#predict(Example)} (docs/model.md gives the figures); any other model, and the tests that hold
 * the two together, use Tribuo's predict ({@link #predictWithTribuo}).
 *
 * <p>Thread-safe: the featurizer is stateless and Tribuo models are immutable after training, so
 * {@link Model#predict(Example)} may be called concurrently (a test runs it from several threads).
 *
 * <p>The model version is {@link ModelVersion#of(byte[])} of the bytes loaded; the model card beside the
 * file must name that version.
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
    /** Tribuo's label ids in alphabetical label order: the answer's map is sorted. */
    private final int[] sortedIds;
    /** Null when the model is not a linear SGD model. */
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
        this.sortedIds = new int[names.size()];
        for (int j = 0; j < sortedIds.length; j++) {
            sortedIds[j] = model.getOutputIDInfo().getID(new Label(names.get(j)));
        }
        this.scorer = LinearScorer.of(model);
        this.version = version;
        this.trainLabelCounts = card == null ? Map.of() : card.trainLabelCounts();
        this.cardSummary = card == null ? Map.of() : card.summary();
        // A known feature with value 0 contributes nothing, leaving the bias term alone.
        String anyFeature = featureMap.iterator().next().getName();
        Example<Label> empty =
                new ArrayExample<>(LabelFactory.UNKNOWN_LABEL, new String[] {anyFeature}, new double[] {0.0});
        this.noEvidenceScores = model.predict(empty);
        this.noEvidence = toPrediction(noEvidenceScores);
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
                try (InputStream model = url.openStream();
                        InputStream cardJson = cardUrl.openStream()) {
                    return load(
                            model.readAllBytes(), candidate.endsWith(GZ), url.toString(), cardJson, cardUrl.toString());
                }
            }
        }
        throw new FileNotFoundException("model resource not found on the classpath: " + resource);
    }

    /** Loads a model file and the model card beside it (as the trainer writes them). */
    public static EmotionClassifier fromFile(Path path) throws IOException {
        Path card = path.resolveSibling(CARD_FILE);
        if (!Files.isRegularFile(card)) {
            throw new FileNotFoundException("no model card " + card + " beside " + path);
        }
        try (InputStream cardJson = Files.newInputStream(card)) {
            return load(
                    Files.readAllBytes(path),
                    path.getFileName().toString().endsWith(GZ),
                    path.toString(),
                    cardJson,
                    card.toString());
        }
    }

    // The application's loader first (a WAR's), then this class's own.
    private static ClassLoader loaderOf(String name) {
        ClassLoader own = EmotionClassifier.class.getClassLoader();
        for (ClassLoader l : new ClassLoader[] {
            Thread.currentThread().getContextClassLoader(), own == null ? ClassLoader.getSystemClassLoader() : own
        }) {
            if (l != null && l.getResource(name) != null) {
                return l;
            }
        }
        return null;
    }

    private static EmotionClassifier load(
            byte[] bytes, boolean gzipped, String where, InputStream cardJson, String cardWhere) throws IOException {
        ModelCard card = ModelCard.read(cardJson);
        String version = ModelVersion.of(bytes);
        ModelVersion.requireCardMatches(version, card.modelVersion(), cardWhere);
        if (card.features() == null) {
            throw new IOException("the model card names no featurizer.features: " + cardWhere);
        }
        Model<?> raw;
        try (InputStream in =
                gzipped ? new GZIPInputStream(new ByteArrayInputStream(bytes)) : new ByteArrayInputStream(bytes)) {
            raw = Model.deserializeFromStream(in);
        } catch (RuntimeException e) {
            throw new IOException("not a Tribuo model: " + where, e);
        }
        if (!raw.validate(Label.class)) {
            throw new IOException("not a classification model: " + where);
        }
        @SuppressWarnings("unchecked")
        Model<Label> model = (Model<Label>) raw;
        return new EmotionClassifier(model, new EmotionFeaturizer(card.features()), version, card);
    }

    /** Never throws for a non-null sentence; a sentence with no known feature gets the class prior. */
    public Prediction predict(String sentence) {
        if (sentence == null) {
            throw new NullPointerException("sentence");
        }
        if (scorer == null) {
            return predictWithTribuo(sentence);
        }
        FeatureWeighting.Weighted known = featurizer.known(sentence, featureMap);
        if (known.size() == 0) {
            return noEvidence;
        }
        double[] byId = scorer.probabilities(known.ids(), known.values());
        double[] sorted = new double[byId.length];
        for (int j = 0; j < sorted.length; j++) {
            sorted[j] = byId[sortedIds[j]];
        }
        return answer(labels, sorted);
    }

    /** Tribuo's own prediction as the API answers it: what {@link #predict} gives, within 1e-6 (a test holds it). */
    Prediction predictWithTribuo(String sentence) {
        // Only features the model knows: Tribuo would drop the others, and refuses an example left empty.
        Example<Label> example = featurizer.toExample(sentence, LabelFactory.UNKNOWN_LABEL, featureMap);
        return example.size() == 0 ? noEvidence : toPrediction(model.predict(example));
    }

    /**
     * Tribuo's prediction for a sentence whose true label is known, as Tribuo's evaluators take it: the
     * same scores as {@link #predict(String)}, with the example carrying {@code truth}.
     */
    org.tribuo.Prediction<Label> predict(String sentence, Label truth) {
        Example<Label> example = featurizer.toExample(sentence, truth, featureMap);
        return example.size() == 0 ? new org.tribuo.Prediction<>(noEvidenceScores, 0, example) : model.predict(example);
    }

    /** Tribuo's scores as the API answers them: a distribution over every label, its arg-max as the label. */
    static Prediction toPrediction(org.tribuo.Prediction<Label> p) {
        List<String> names = new ArrayList<>(new TreeMap<>(p.getOutputScores()).keySet());
        double[] scores = new double[names.size()];
        for (int j = 0; j < scores.length; j++) {
            scores[j] = p.getOutputScores().get(names.get(j)).getScore();
        }
        return answer(names, scores);
    }

    /** Scores of the labels (sorted) → the answer: renormalised to sum to 1, the arg-max as the label. */
    private static Prediction answer(List<String> sortedLabels, double[] scores) {
        double sum = 0;
        for (int j = 0; j < scores.length; j++) {
            if (!(scores[j] >= 0)) {
                scores[j] = 0; // NaN guard: a distribution must stay a distribution
            }
            sum += scores[j];
        }
        // Softmax already sums to 1 up to rounding; renormalise so the contract holds exactly.
        SortedMap<String, Double> probs = new TreeMap<>();
        String best = null;
        double bestP = -1;
        for (int j = 0; j < scores.length; j++) {
            double v = sum > 0 ? scores[j] / sum : 1.0 / scores.length;
            probs.put(sortedLabels.get(j), v);
            if (v > bestP) { // strict: ties go to the alphabetically first label
                bestP = v;
                best = sortedLabels.get(j);
            }
        }
        return new Prediction(best, Collections.unmodifiableSortedMap(probs));
    }

    /** The labels the model knows, sorted alphabetically. */
    public List<String> labels() {
        return labels;
    }

    /** Training rows per label, as the model card gives them; empty for a classifier made without a card. */
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

    /** Whether {@link #predict} uses the {@link LinearScorer}; for tests. */
    boolean hasScorer() {
        return scorer != null;
    }

    EmotionFeaturizer featurizer() {
        return featurizer;
    }

    /** The underlying Tribuo model, for evaluation and provenance. */
    Model<Label> model() {
        return model;
    }
}
