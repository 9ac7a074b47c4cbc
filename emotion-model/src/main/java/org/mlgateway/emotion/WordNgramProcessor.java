package org.mlgateway.emotion;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.tribuo.Feature;
import org.tribuo.data.text.TextProcessor;

/**
 * Word features of a normalised text, one {@link Feature} of value 1 per occurrence (like Tribuo's
 * {@code NgramProcessor}): {@code w:word} for each token's word ({@link TweetTokens#word}),
 * {@code b:previous word} for each pair of neighbours, and, with negation, {@code n:word} for the words
 * in the scope of a negation ("not", "never", "don't"...: up to the end of the clause), so "not happy"
 * is told from "happy".
 */
public final class WordNgramProcessor implements TextProcessor {

    static final String WORD = "w:";
    static final String BIGRAM = "b:";
    static final String NEGATED = "n:";

    private static final Set<String> NEGATIONS = Set.of(
            "not",
            "no",
            "never",
            "nothing",
            "nobody",
            "none",
            "nowhere",
            "neither",
            "nor",
            "cannot",
            "cant",
            "dont",
            "wont",
            "didnt",
            "doesnt",
            "isnt",
            "wasnt",
            "arent",
            "aint",
            "couldnt",
            "shouldnt",
            "wouldnt",
            "havent",
            "hasnt",
            "hadnt");

    @Config(description = "add word bigrams")
    private boolean bigrams = true;

    @Config(description = "add n:word for the words after a negation, up to the end of the clause")
    private boolean negation = false;

    /** For OLCUT. */
    private WordNgramProcessor() {}

    public WordNgramProcessor(boolean bigrams, boolean negation) {
        this.bigrams = bigrams;
        this.negation = negation;
    }

    @Override
    public List<Feature> process(String normalised) {
        return process(null, normalised);
    }

    @Override
    public List<Feature> process(String tag, String normalised) {
        List<Feature> features = new ArrayList<>();
        names(normalised, name -> features.add(new Feature(name(tag, name), 1)));
        return features;
    }

    /** Each feature name, once per occurrence: what {@link #process} makes features of, without the objects. */
    void names(String normalised, Consumer<String> out) {
        String previous = null;
        boolean negated = false;
        for (String token : TweetTokens.split(normalised)) {
            String word = TweetTokens.word(token);
            out.accept(WORD + word);
            if (bigrams && previous != null) {
                out.accept(BIGRAM + previous + ' ' + word);
            }
            if (negation) {
                if (negated) {
                    out.accept(NEGATED + word);
                }
                if (isNegation(word)) {
                    negated = true;
                } else if (endsClause(token)) {
                    negated = false;
                }
            }
            previous = word;
        }
    }

    static boolean isNegation(String word) {
        return NEGATIONS.contains(word) || word.endsWith("n't");
    }

    private static boolean endsClause(String token) {
        char last = token.charAt(token.length() - 1);
        return last == '.' || last == ',' || last == '!' || last == '?' || last == ';' || last == ':';
    }

    static String name(String tag, String feature) {
        return tag == null ? feature : tag + "-" + feature;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "TextProcessor");
    }
}
