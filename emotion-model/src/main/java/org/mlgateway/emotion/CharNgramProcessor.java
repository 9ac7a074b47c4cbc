package org.mlgateway.emotion;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.tribuo.Feature;
import org.tribuo.data.text.TextProcessor;

/**
 * Character n-grams of a normalised text inside word boundaries, {@code c:ngram}, one {@link Feature} of
 * value 1 per occurrence: each token is padded with a space on either side (scikit-learn's
 * {@code char_wb}), so n-grams never cross tokens and mark where words start and end; they survive
 * misspellings and elongations that word features miss. A token shorter than n yields its padded self
 * once, as scikit-learn does; the URL and mention tokens yield none.
 */
public final class CharNgramProcessor implements TextProcessor {

    static final String CHARS = "c:";

    @Config(description = "shortest character n-gram")
    private int min = 2;

    @Config(description = "longest character n-gram")
    private int max = 5;

    /** For OLCUT. */
    private CharNgramProcessor() {}

    public CharNgramProcessor(int min, int max) {
        this.min = min;
        this.max = max;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (min < 1 || max < min) {
            throw new IllegalArgumentException("bad char n-gram range " + min + ".." + max);
        }
    }

    @Override
    public List<Feature> process(String normalised) {
        return process(null, normalised);
    }

    @Override
    public List<Feature> process(String tag, String normalised) {
        List<Feature> features = new ArrayList<>();
        names(normalised, name -> features.add(new Feature(WordNgramProcessor.name(tag, name), 1)));
        return features;
    }

    /** Each feature name, once per occurrence: what {@link #process} makes features of, without the objects. */
    void names(String normalised, Consumer<String> out) {
        for (String token : TweetTokens.split(normalised)) {
            if (TweetTokens.isPlaceholder(token)) {
                continue;
            }
            String padded = ' ' + token + ' ';
            int len = padded.length();
            for (int size = min; size <= max && size <= len; size++) {
                for (int off = 0; off + size <= len; off++) {
                    // Never cut an emoji (a surrogate pair) in half: half a pair is not valid UTF-8 and could
                    // not be stored in the model file.
                    if (Character.isLowSurrogate(padded.charAt(off))
                            || Character.isHighSurrogate(padded.charAt(off + size - 1))) {
                        continue;
                    }
                    out.accept(CHARS + padded.substring(off, off + size));
                }
            }
        }
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "TextProcessor");
    }
}
