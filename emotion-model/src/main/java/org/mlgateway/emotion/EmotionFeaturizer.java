package org.mlgateway.emotion;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.classification.Label;
import org.tribuo.data.text.TextFeatureExtractor;

/**
 * Text → Tribuo example: the one featurizer of the trainer and the serving wrapper, so a model is always
 * fed the features it was trained on. A pipeline like Tribuo's {@code TokenPipeline}, one class a step:
 * {@link TweetNormalizer} (a document preprocessor), then text processors that each emit their features
 * ({@link WordNgramProcessor}, {@link CharNgramProcessor}, {@link TweetCueProcessor}), summed per name,
 * then {@link FeatureWeighting}. Which processors run is a {@link FeatureSet}, recorded in the model card.
 *
 * <p>Stateless once configured: safe to share between threads.
 */
public final class EmotionFeaturizer implements TextFeatureExtractor<Label> {

    /** The features of the shipped model. */
    public static final String STANDARD = "words+bigrams+chars=2-5+blocks";

    // Not final: OLCUT sets configured fields after construction.
    @Config(description = "feature set, e.g. " + STANDARD + " (FeatureSet)")
    private String features = STANDARD;

    private FeatureSet set;
    private WordNgramProcessor words;
    private CharNgramProcessor chars;
    private TweetCueProcessor cues;

    /** For OLCUT (configuration files). */
    private EmotionFeaturizer() {}

    public EmotionFeaturizer(FeatureSet set) {
        this.features = set.toString();
        postConfig();
    }

    public static EmotionFeaturizer standard() {
        return new EmotionFeaturizer(FeatureSet.parse(STANDARD));
    }

    @Override
    public void postConfig() {
        set = FeatureSet.parse(features);
        words = new WordNgramProcessor(set.bigrams(), set.negation());
        chars = set.chars() ? new CharNgramProcessor(set.charMin(), set.charMax()) : null;
        cues = set.cues() ? new TweetCueProcessor(set.emoji(), set.hashtags(), set.emphasis()) : null;
    }

    public FeatureSet featureSet() {
        return set;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "TextFeatureExtractor");
    }

    /** Tribuo's extractor contract: the training path. */
    @Override
    public Example<Label> extract(Label label, String text) {
        return toExample(text, label);
    }

    /** Every feature of {@code text}, as a Tribuo example carrying {@code label}. */
    public Example<Label> toExample(String text, Label label) {
        return FeatureWeighting.weigh(occurrences(text), set.blocks(), null).example(label);
    }

    /**
     * The serving path: the same values as {@link #toExample(String, Label)}, but only the features in
     * {@code vocabulary}, the ones a model knows (Tribuo would drop the others).
     */
    public Example<Label> toExample(String text, Label label, ImmutableFeatureMap vocabulary) {
        return known(text, vocabulary).example(label);
    }

    /** The same known features with their ids in the vocabulary, sorted by id. */
    FeatureWeighting.Weighted known(String text, ImmutableFeatureMap vocabulary) {
        return FeatureWeighting.weigh(occurrences(text), set.blocks(), vocabulary);
    }

    /** Raw feature counts (before weighting), sorted by name; for tests and tools. */
    Map<String, Integer> count(String text) {
        Map<String, Integer> sorted = new TreeMap<>();
        occurrences(text).forEach((k, v) -> sorted.put(k, v[0]));
        return sorted;
    }

    // The processors' features summed per name (Tribuo's SumAggregator), as names and counts: a request
    // has some 300 occurrences, not worth a Feature object each.
    private Map<String, int[]> occurrences(String text) {
        String normalised = TweetNormalizer.normalise(text);
        Map<String, int[]> counts = new HashMap<>(Math.max(16, normalised.length() * 8));
        Consumer<String> count = name -> {
            int[] c = counts.get(name);
            if (c == null) {
                counts.put(name, new int[] {1});
            } else {
                c[0]++;
            }
        };
        words.names(normalised, count);
        if (chars != null) {
            chars.names(normalised, count);
        }
        if (cues != null) {
            cues.names(text, count);
        }
        return counts;
    }

    /** Configuration recorded in the model card; {@code features} is what {@link ModelCard} reads back. */
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("class", EmotionFeaturizer.class.getName());
        d.put("features", set.toString());
        d.put(
                "normalisation",
                "lowercase; HTML entities decoded; URLs -> " + TweetNormalizer.URL_TOKEN + "; @mentions -> "
                        + TweetNormalizer.USER_TOKEN
                        + "; control chars -> space; runs of 3+ identical chars squeezed to 2");
        d.put("tokens", "whitespace split; words = tokens with leading/trailing punctuation trimmed");
        d.put(
                "charNgrams",
                set.chars() ? "char_wb (token padded with spaces), " + set.charMin() + " to " + set.charMax() : "none");
        d.put("tf", "sublinear 1+ln(tf)");
        d.put("idf", false);
        d.put(
                "normalise",
                set.blocks()
                        ? "L2 per example and block (char n-grams; all other features), each block scaled to norm 1/sqrt(#blocks); over all extracted features, before vocabulary pruning"
                        : "L2 per example, over all extracted features before vocabulary pruning");
        d.put(
                "featurePrefixes",
                "w: word, b: word bigram, n: word after a negation, c: char n-gram, e: emoji or emoticon, "
                        + "h: hashtag, x: elongated or capitalised word");
        return d;
    }
}
