package org.mlgateway.emotion;

import java.util.ArrayList;
import java.util.List;

/**
 * Which features the featurizer extracts, written as a short spec that the model card, the trainer's
 * options and {@code make tune} share: words joined by "+" (a comma would split an OLCUT option), e.g.
 * {@code words+bigrams+chars=2-5+blocks}. Word unigrams are always on.
 *
 * @param bigrams   word bigrams ({@code b:})
 * @param charMin   shortest character n-gram ({@code c:}); 0 with charMax 0 for none
 * @param charMax   longest character n-gram
 * @param negation  words in the scope of a negation ({@code n:})
 * @param emoji     emoji and emoticons ({@code e:})
 * @param hashtags  hashtags ({@code h:})
 * @param emphasis  elongated words and words in capitals ({@code x:})
 * @param blocks    L2-normalise character n-grams and the other features separately
 */
public record FeatureSet(
        boolean bigrams,
        int charMin,
        int charMax,
        boolean negation,
        boolean emoji,
        boolean hashtags,
        boolean emphasis,
        boolean blocks) {

    public FeatureSet {
        if (charMin < 0 || charMax < charMin || (charMin == 0) != (charMax == 0)) {
            throw new IllegalArgumentException("bad char n-gram range " + charMin + "-" + charMax);
        }
    }

    public static FeatureSet parse(String spec) {
        boolean bigrams = false;
        boolean negation = false;
        boolean emoji = false;
        boolean hashtags = false;
        boolean emphasis = false;
        boolean blocks = false;
        int min = 0;
        int max = 0;
        for (String part : spec.split("\\+")) {
            String p = part.strip();
            if (p.startsWith("chars=")) {
                String[] range = p.substring("chars=".length()).split("-");
                try {
                    min = Integer.parseInt(range[0]);
                    max = Integer.parseInt(range[range.length - 1]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad char n-gram range in '" + spec + "'", e);
                }
                continue;
            }
            switch (p) {
                case "words", "" -> {}
                case "bigrams" -> bigrams = true;
                case "negation" -> negation = true;
                case "emoji" -> emoji = true;
                case "hashtags" -> hashtags = true;
                case "emphasis" -> emphasis = true;
                case "blocks" -> blocks = true;
                default ->
                    throw new IllegalArgumentException("unknown feature '" + p + "' in '" + spec
                            + "'; known: words, bigrams, chars=MIN-MAX, negation, emoji, hashtags, emphasis, blocks");
            }
        }
        return new FeatureSet(bigrams, min, max, negation, emoji, hashtags, emphasis, blocks);
    }

    boolean chars() {
        return charMax > 0;
    }

    boolean cues() {
        return emoji || hashtags || emphasis;
    }

    /** The spec {@link #parse} reads back. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>(List.of("words"));
        if (bigrams) {
            parts.add("bigrams");
        }
        if (chars()) {
            parts.add("chars=" + charMin + "-" + charMax);
        }
        for (var flag : new Object[][] {
            {negation, "negation"}, {emoji, "emoji"}, {hashtags, "hashtags"}, {emphasis, "emphasis"}, {blocks, "blocks"}
        }) {
            if ((Boolean) flag[0]) {
                parts.add((String) flag[1]);
            }
        }
        return String.join("+", parts);
    }
}
