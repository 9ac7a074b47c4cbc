package org.mlgateway.emotion;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;

import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.classification.Label;
import org.tribuo.data.text.TextFeatureExtractor;
import org.tribuo.impl.ArrayExample;

/**
 * Text → Tribuo features. The one featurizer used by both the trainer and the serving wrapper, so a
 * model is always fed the features it was trained on.
 *
 * <p>Tweets are short and noisy, so the text is first normalised (lower case, HTML entities decoded,
 * URLs and @mentions collapsed to one token each, runs of 3+ identical characters squeezed to 2),
 * then split on whitespace. Features: word unigrams and bigrams (punctuation trimmed) plus character
 * n-grams inside word boundaries (each token padded with spaces, like scikit-learn's {@code char_wb}),
 * which survive misspellings and elongations. Counts are dampened with sublinear TF (1 + ln tf) and the
 * vector is L2-normalised so long and short tweets live on the same scale; the word block and the
 * character block are normalised separately (half the norm each) so the few words are not drowned by
 * the many n-grams (on the validation split: log loss 1.842 vs 1.848 with one joint norm).
 *
 * <p>A Tribuo {@link TextFeatureExtractor} (the training path, {@link #extract}), configurable and with
 * provenance like Tribuo's own. The serving paths are extra methods, because they skip the features the
 * model does not know: {@link #toExample(String, Label, ImmutableFeatureMap)}, a Tribuo example for
 * Tribuo's predict (the reference), and {@link #countKnown}, the same values as ids without a String per
 * feature (what {@link EmotionClassifier#predict(String)} uses).
 *
 * <p>Stateless once configured: safe to share between threads.
 */
public final class EmotionFeaturizer implements TextFeatureExtractor<Label> {

    /** Token that replaces every URL: the link itself carries no emotion, its presence might. */
    static final String URL_TOKEN = "<url>";
    /** Token that replaces every @mention: user names are noise, addressing someone is not. */
    static final String USER_TOKEN = "<user>";

    // Not final: OLCUT sets configured fields after construction.
    @Config(description = "shortest character n-gram")
    private int charMin = 2;
    @Config(description = "longest character n-gram")
    private int charMax = 5;
    @Config(description = "add word bigrams")
    private boolean wordBigrams = true;
    @Config(description = "L2-normalise words and character n-grams separately")
    private boolean separateBlocks = true;

    /** For OLCUT (configuration files); the defaults are {@link #standard()}. */
    private EmotionFeaturizer() {
    }

    /** The configuration the shipped model is trained with. */
    public static EmotionFeaturizer standard() {
        return new EmotionFeaturizer(2, 5, true, true);
    }

    public EmotionFeaturizer(int charMin, int charMax, boolean wordBigrams) {
        this(charMin, charMax, wordBigrams, false);
    }

    public EmotionFeaturizer(int charMin, int charMax, boolean wordBigrams, boolean separateBlocks) {
        this.charMin = charMin;
        this.charMax = charMax;
        this.wordBigrams = wordBigrams;
        this.separateBlocks = separateBlocks;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (charMin < 1 || charMax < charMin) {
            throw new IllegalArgumentException("bad char n-gram range " + charMin + ".." + charMax);
        }
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

    /** Configuration recorded in the model card; change it and the card shows it. */
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("class", EmotionFeaturizer.class.getName());
        d.put("normalisation", "lowercase; HTML entities decoded; URLs -> " + URL_TOKEN + "; @mentions -> "
                + USER_TOKEN + "; control chars -> space; runs of 3+ identical chars squeezed to 2");
        d.put("tokens", "whitespace split; words = tokens with leading/trailing punctuation trimmed");
        d.put("wordUnigrams", true);
        d.put("wordBigrams", wordBigrams);
        Map<String, Object> chars = new LinkedHashMap<>(); // ordered, so the card is stable
        chars.put("min", charMin);
        chars.put("max", charMax);
        chars.put("mode", "char_wb (token padded with spaces)");
        d.put("charNgrams", chars);
        d.put("tf", "sublinear 1+ln(tf)");
        d.put("idf", false);
        d.put("normalise", separateBlocks
                ? "L2 per example and block (words+bigrams, char n-grams), each block scaled to norm 1/sqrt(#blocks); over all extracted features, before vocabulary pruning"
                : "L2 per example, over all extracted features before vocabulary pruning");
        d.put("separateBlockNormalisation", separateBlocks);
        d.put("featurePrefixes", "w: word, b: word bigram, c: char n-gram");
        return d;
    }

    /** Features of {@code text} as a Tribuo example carrying {@code label}: the training path. */
    public Example<Label> toExample(String text, Label label) {
        Map<String, int[]> counts = occurrences(text);
        String[] names = counts.keySet().toArray(new String[0]);
        Arrays.sort(names);
        double[] values = new double[names.length];
        double[] sumSq = new double[2];
        for (int i = 0; i < names.length; i++) {
            values[i] = 1.0 + Math.log(counts.get(names[i])[0]);
            sumSq[block(names[i])] += values[i] * values[i];
        }
        scale(names, values, values.length, sumSq);
        return new ArrayExample<>(label, names, values);
    }

    /**
     * The reference serving path: the same feature values as {@link #toExample(String, Label)} (normalised
     * over all features, known or not), but only those in {@code vocabulary} are kept, the ones a model
     * ignores anyway. Tribuo numbers features in name order, so ordering by id (a cheap int sort) yields
     * the name order its examples require, and string sorting is skipped. Roughly twice as fast.
     */
    public Example<Label> toExample(String text, Label label, ImmutableFeatureMap vocabulary) {
        Map<String, int[]> counts = occurrences(text);
        String[] seen = new String[counts.size()];
        double[] seenValues = new double[counts.size()];
        long[] order = new long[counts.size()]; // (id << 32) | position: sorts by id
        int known = 0;
        int n = 0;
        double[] sumSq = new double[2];
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
            double v = 1.0 + Math.log(e.getValue()[0]);
            sumSq[block(e.getKey())] += v * v;
            int id = vocabulary.getID(e.getKey());
            if (id >= 0) {
                seen[n] = e.getKey();
                seenValues[n] = v;
                order[known++] = ((long) id << 32) | n;
                n++;
            }
        }
        Arrays.sort(order, 0, known);
        String[] names = new String[known];
        double[] values = new double[known];
        for (int i = 0; i < known; i++) {
            int pos = (int) order[i];
            names[i] = seen[pos];
            values[i] = seenValues[pos];
        }
        scale(names, values, known, sumSq);
        return new ArrayExample<>(label, names, values);
    }

    // Feature block of a name: 0 = words and bigrams, 1 = character n-grams.
    private static int block(String name) {
        return name.charAt(0) == 'c' ? 1 : 0;
    }

    // L2 normalisation (an empty text stays an empty vector). With separate blocks each block gets half
    // the unit norm, so ~15 words are not drowned by ~250 character n-grams (like a scikit-learn
    // FeatureUnion of two normalised vectorizers).
    private void scale(String[] names, double[] values, int size, double[] sumSq) {
        double[] inv = inverseNorms(sumSq, separateBlocks);
        for (int i = 0; i < size; i++) {
            values[i] *= inv[block(names[i])];
        }
    }

    /** The factor per block (0 = words and bigrams, 1 = character n-grams) given its sum of squares. */
    static double[] inverseNorms(double[] sumSq, boolean separateBlocks) {
        double[] inv = new double[2];
        if (separateBlocks) {
            int blocks = (sumSq[0] > 0 ? 1 : 0) + (sumSq[1] > 0 ? 1 : 0);
            for (int k = 0; k < 2; k++) {
                inv[k] = sumSq[k] > 0 ? 1.0 / Math.sqrt(sumSq[k] * blocks) : 0;
            }
        } else {
            double total = sumSq[0] + sumSq[1];
            inv[0] = inv[1] = total > 0 ? 1.0 / Math.sqrt(total) : 0;
        }
        return inv;
    }

    /**
     * The serving path without a String per feature: the same known features and values as
     * {@link #toExample(String, Label, ImmutableFeatureMap)} for the vocabulary {@code ids} was made from,
     * as ids and values sorted by id. Check {@link FeatureCounter#ordered()} before using the values.
     */
    FeatureCounter countKnown(String text, FeatureIds ids) {
        String norm = normalise(text);
        FeatureCounter counter = new FeatureCounter(ids, separateBlocks, norm.length(), charMax - charMin + 1);
        if (counter.ordered()) {
            forEachFeature(norm, counter);
            counter.finish();
        }
        return counter;
    }

    /** Raw feature counts (before TF dampening and normalisation), sorted by name; for tests and tools. */
    Map<String, Integer> count(String text) {
        Map<String, Integer> sorted = new TreeMap<>();
        occurrences(text).forEach((k, v) -> sorted.put(k, v[0]));
        return sorted;
    }

    /** Every feature of the text with its number of occurrences. */
    private Map<String, int[]> occurrences(String text) {
        String norm = normalise(text);
        Map<String, int[]> counts = new HashMap<>(Math.max(16, norm.length() * (charMax - charMin + 2)));
        forEachFeature(norm, new FeatureSink() {
            @Override
            public void word(char[] t, int start, int end) {
                add(counts, "w:" + new String(t, start, end - start));
            }

            @Override
            public void bigram(char[] t, int prevStart, int prevEnd, int start, int end) {
                add(counts, "b:" + new String(t, prevStart, prevEnd - prevStart) + ' ' + new String(t, start, end - start));
            }

            @Override
            public void charNgram(char[] t, int start, int end) {
                add(counts, "c:" + new String(t, start, end - start));
            }
        });
        return counts;
    }

    private static void add(Map<String, int[]> counts, String feature) {
        int[] c = counts.get(feature);
        if (c == null) {
            counts.put(feature, new int[] {1});
        } else {
            c[0]++;
        }
    }

    /**
     * Receives the features of a normalised text as character ranges of one buffer, so that serving can
     * count and look them up without building a String per feature (see {@link FeatureCounter}).
     */
    interface FeatureSink {
        /** The feature {@code "w:" + text[start, end)}. */
        void word(char[] text, int start, int end);

        /** The feature {@code "b:" + text[prevStart, prevEnd) + ' ' + text[start, end)}. */
        void bigram(char[] text, int prevStart, int prevEnd, int start, int end);

        /** The feature {@code "c:" + text[start, end)}. */
        void charNgram(char[] text, int start, int end);
    }

    /**
     * Every feature occurrence of a {@link #normalise normalised} text, in a fixed order: per token its
     * word, its bigram with the previous word, then its character n-grams, shortest first. The one
     * definition of the features, for training and serving alike.
     */
    void forEachFeature(String norm, FeatureSink sink) {
        // The text between two spaces: every token then has a space on either side, the padding of char_wb.
        int n = norm.length();
        char[] t = new char[n + 2];
        t[0] = ' ';
        norm.getChars(0, n, t, 1);
        t[n + 1] = ' ';
        int prevStart = -1;
        int prevEnd = -1;
        int start = 1;
        while (start <= n) {
            // Tokens are separated by single spaces after normalisation.
            int end = start;
            while (t[end] != ' ') {
                end++;
            }
            if (end > start) {
                boolean special = isToken(t, start, end, URL_TOKEN) || isToken(t, start, end, USER_TOKEN);
                int ws = special ? start : wordStart(t, start, end);
                int we = special ? end : wordEnd(t, start, end);
                sink.word(t, ws, we);
                if (wordBigrams && prevStart >= 0) {
                    sink.bigram(t, prevStart, prevEnd, ws, we);
                }
                prevStart = ws;
                prevEnd = we;
                if (!special) {
                    charNgrams(t, start - 1, end + 1, sink);
                }
            }
            start = end + 1;
        }
    }

    // char_wb: n-grams of " token " (padded = t[from, to)), never crossing a token boundary; a token
    // shorter than n yields the whole padded token once (as scikit-learn does).
    private void charNgrams(char[] t, int from, int to, FeatureSink sink) {
        int len = to - from;
        for (int size = charMin; size <= charMax && size <= len; size++) {
            for (int off = from; off + size <= to; off++) {
                // Never cut an emoji (surrogate pair) in half: half a pair is not valid UTF-8 and could
                // not be stored in the model file.
                if (Character.isLowSurrogate(t[off]) || Character.isHighSurrogate(t[off + size - 1])) {
                    continue;
                }
                sink.charNgram(t, off, off + size);
            }
        }
    }

    private static boolean isToken(char[] t, int start, int end, String token) {
        if (end - start != token.length()) {
            return false;
        }
        for (int i = 0; i < token.length(); i++) {
            if (t[start + i] != token.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    // Trim punctuation around a word ("love!!" -> "love") but keep pure-punctuation tokens such as
    // ":)" or "!!" whole: emoticons are strong signals. A token without word characters starts at
    // start and ends at end.
    private static int wordStart(char[] t, int start, int end) {
        int s = start;
        while (s < end && !isWordChar(t[s])) {
            s++;
        }
        return s == end ? start : s;
    }

    private static int wordEnd(char[] t, int start, int end) {
        int e = end;
        while (e > start && !isWordChar(t[e - 1])) {
            e--;
        }
        return e == start ? end : e;
    }

    /** The word feature of one token (without the "w:"). */
    static String wordOf(String token) {
        char[] t = token.toCharArray();
        if (token.equals(URL_TOKEN) || token.equals(USER_TOKEN)) {
            return token;
        }
        int s = wordStart(t, 0, t.length);
        return new String(t, s, wordEnd(t, 0, t.length) - s);
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '\'' || Character.isSurrogate(c);
    }

    /**
     * Normalised text: tokens separated by single spaces, no leading or trailing space. One pass over
     * the characters, no regular expressions, because this runs on every request.
     */
    static String normalise(String text) {
        int n = text.length();
        StringBuilder out = new StringBuilder(n + 8);
        int tokenStart = 0;
        char last = 0;
        int run = 0;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '&') {
                int semi = text.indexOf(';', i + 1);
                if (semi > i + 1 && semi - i <= 8) {
                    int decoded = decodeEntity(text, i + 1, semi);
                    if (decoded >= 0) {
                        i = semi;
                        if (Character.isBmpCodePoint(decoded)) {
                            c = (char) decoded;
                        } else {
                            c = ' ';
                        }
                    }
                }
            }
            if (Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c)) {
                if (out.length() > tokenStart) {
                    tokenStart = endToken(out, tokenStart);
                }
                last = 0;
                run = 0;
                continue;
            }
            c = Character.toLowerCase(c);
            if (c == last) {
                run++;
                if (run >= 2 && !Character.isSurrogate(c)) {
                    continue; // "soooo" -> "soo": elongation is kept as a signal but bounded
                }
            } else {
                last = c;
                run = 0;
            }
            out.append(c);
        }
        if (out.length() > tokenStart) {
            tokenStart = endToken(out, tokenStart);
        }
        if (out.length() > 0 && out.charAt(out.length() - 1) == ' ') {
            out.setLength(out.length() - 1);
        }
        return out.toString();
    }

    // Closes the token that starts at tokenStart, collapsing URLs and mentions; returns the next start.
    private static int endToken(StringBuilder out, int tokenStart) {
        int len = out.length() - tokenStart;
        if (startsWith(out, tokenStart, "http://") || startsWith(out, tokenStart, "https://")
                || startsWith(out, tokenStart, "ww.")) { // "www." after squeezing
            out.setLength(tokenStart);
            out.append(URL_TOKEN);
        } else if (len > 1 && out.charAt(tokenStart) == '@') {
            out.setLength(tokenStart);
            out.append(USER_TOKEN);
        }
        out.append(' ');
        return out.length();
    }

    private static boolean startsWith(StringBuilder sb, int from, String prefix) {
        if (sb.length() - from < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (sb.charAt(from + i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    // The entities that occur in tweets, plus numeric ones; -1 leaves the text untouched.
    private static int decodeEntity(String s, int from, int to) {
        String name = s.substring(from, to);
        switch (name) {
            case "amp": return '&';
            case "lt": return '<';
            case "gt": return '>';
            case "quot": return '"';
            case "apos": return '\'';
            case "nbsp": return ' ';
            default:
                break;
        }
        if (name.length() > 1 && name.charAt(0) == '#') {
            try {
                int cp = (name.charAt(1) == 'x' || name.charAt(1) == 'X')
                        ? Integer.parseInt(name.substring(2), 16)
                        : Integer.parseInt(name.substring(1));
                return Character.isValidCodePoint(cp) ? cp : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }
}
