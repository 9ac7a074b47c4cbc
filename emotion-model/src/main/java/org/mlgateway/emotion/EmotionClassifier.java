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
 * <p>Thread-safe: the featurizer is stateless and Tribuo models are immutable after training, so
 * {@link Model#predict(Example)} may be called concurrently (a test runs it from several threads).
 *
 * <p>The model version is the first 12 hex digits of the SHA-256 of the model file's bytes: it needs
 * no side file, changes whenever the model does, and is the value the trainer writes in the card.
 */
public final class EmotionClassifier {

    private static final String GZ = ".gz";

    private final Model<Label> model;
    private final EmotionFeaturizer featurizer;
    private final ImmutableFeatureMap featureMap;
    private final List<String> labels;
    private final String version;
    /** The answer when no feature of a sentence is known: the model's bias alone (a class prior). */
    private final Prediction noEvidence;

    EmotionClassifier(Model<Label> model, EmotionFeaturizer featurizer, String version) {
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
        this.version = version;
        // A known feature with value 0 contributes nothing, leaving the bias term alone.
        String anyFeature = featureMap.iterator().next().getName();
        Example<Label> empty = new ArrayExample<>(LabelFactory.UNKNOWN_LABEL, new String[] {anyFeature}, new double[] {0.0});
        this.noEvidence = toPrediction(model.predict(empty));
    }

    /** Loads a model resource, e.g. {@code "model/emotion-model.tribuo.gz"}; ".gz" is tried with or without. */
    public static EmotionClassifier fromClasspath(String resource) throws IOException {
        String name = resource.startsWith("/") ? resource.substring(1) : resource;
        String other = name.endsWith(GZ) ? name.substring(0, name.length() - GZ.length()) : name + GZ;
        for (String candidate : List.of(name, other)) {
            URL url = find(candidate);
            if (url != null) {
                try (InputStream in = url.openStream()) {
                    return fromBytes(in.readAllBytes(), candidate.endsWith(GZ), url.toString());
                }
            }
        }
        throw new FileNotFoundException("model resource not found on the classpath: " + resource);
    }

    public static EmotionClassifier fromFile(Path path) throws IOException {
        return fromBytes(Files.readAllBytes(path), path.getFileName().toString().endsWith(GZ), path.toString());
    }

    private static URL find(String name) {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        URL url = context == null ? null : context.getResource(name);
        if (url == null) {
            ClassLoader own = EmotionClassifier.class.getClassLoader();
            url = own == null ? ClassLoader.getSystemResource(name) : own.getResource(name);
        }
        return url;
    }

    private static EmotionClassifier fromBytes(byte[] bytes, boolean gzipped, String where) throws IOException {
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
        return new EmotionClassifier(model, EmotionFeaturizer.standard(), versionOf(bytes));
    }

    /** The version naming a model file: first 12 hex digits of its SHA-256. */
    static String versionOf(byte[] modelFileBytes) {
        return EmotionCsv.sha256(modelFileBytes).substring(0, 12);
    }

    /** Never throws for a non-null sentence; a sentence with no known feature gets the class prior. */
    public Prediction predict(String sentence) {
        if (sentence == null) {
            throw new NullPointerException("sentence");
        }
        // Only features the model knows: Tribuo would drop the others, and refuses an example left empty.
        Example<Label> example = featurizer.toExample(sentence, LabelFactory.UNKNOWN_LABEL, featureMap);
        if (example.size() == 0) {
            return noEvidence;
        }
        return toPrediction(model.predict(example));
    }

    private Prediction toPrediction(org.tribuo.Prediction<Label> p) {
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

    /** The labels the model knows, sorted alphabetically. */
    public List<String> labels() {
        return labels;
    }

    public String modelVersion() {
        return version;
    }

    /** The underlying Tribuo model, for evaluation and provenance. */
    Model<Label> model() {
        return model;
    }
}
