package org.mlgateway.emotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fast serving path ({@link EmotionClassifier#predict(String)}) against the reference path, Tribuo's own
 * predict ({@link EmotionClassifier#predictWithTribuo(String)}): the same label and the same bits of every
 * probability, because the API returns them and clients may compare them to the last digit.
 */
class EmotionClassifierGoldenTest {

    static EmotionClassifier classifier;

    @BeforeAll
    static void load() throws IOException {
        classifier = EmotionClassifier.fromClasspath(EmotionClassifier.MODEL_RESOURCE);
    }

    @Test
    void theCommittedModelIsServedByTheFastPath() {
        assertTrue(classifier.hasFastPath(), "LinearScorer does not reproduce the committed model");
    }

    /** Every 6th row of the dataset (6,000 tweets), when it is there (it is outside this repository). */
    @Test
    void sameBitsOnTheDataset() throws IOException {
        Path dataset = Path.of(System.getProperty("emotion.dataset", "../../shared/data/emotion/train.csv"));
        Assumptions.assumeTrue(Files.isRegularFile(dataset), "no dataset at " + dataset.toAbsolutePath());
        List<LabeledText> rows = EmotionCsv.read(dataset);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < rows.size(); i += 6) {
            texts.add(rows.get(i).text());
        }
        assertTrue(texts.size() >= 300, "rows: " + texts.size());
        assertMostlyFast(assertSameBits(texts), texts);
    }

    @Test
    void sameBitsOnEdgeCases() {
        StringBuilder distinct = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            distinct.append((char) (0x4E00 + 7 * i)); // CJK: letters, no case
        }
        List<String> texts = List.of(
                "", " ", "\t\n\r ", "\u0000\u0001", "...", "!!!???", ":)", ":( :( :(",   // empty after tokenising, punctuation
                "zzqxv qqqzv wxyzzy", "xkcdq", "Qwfp Zjxv",                                 // unknown words only
                "😂", "😂😂😂🎉", "so happy 😂😂 ok 🎉", "❤️ love ❤️❤️", "\uD83D", "\uDE02 lone \uD83D",  // emojis, lone surrogates
                "x".repeat(5000), "I hate this ".repeat(400), "ha".repeat(3000),               // very long
                distinct.substring(0, 100), distinct.toString(),
                "مرحبا بالعالم", "שלום עולם", "Привет, мир! Я так счастлив", "日本語のテキスト", "İstanbul ÇOK güzel",
                "naïve café ÀÉÎÕÜ ß ẞ ﬁ", "Ωμέγα ΣΊΣΥΦΟΣ",                                    // non-ASCII
                "&amp; &lt;3 &gt;:( &quot;hi&quot; it&#39;s &#x1F602; &#128514; &nbsp;&bogus; &#xZZ; &#99999999;",
                "http://t.co/abc https://example.com/x?y=1 www.example.org see http://a.b/c!",    // URLs
                "@bob @alice_99 hi @ @@ me@example.com", "<url> <user> literal tokens",           // mentions
                "Soooooo HAPPYYYYY!!!!!!! yessssss", "nooooo wayyyy", "aaaaaaaaaaaaaaaaaaaaaaaaaa", // repeated characters
                "I love you so much", "ugh... mondays &amp; rain @bob http://x.y",
                "a", "I", "ok", "ha ha ha", "don't won't can't", "'quoted' \"double\"",
                "tab\tseparated\tvalues", "line\nbreaks\r\nhere", "non\u00A0breaking\u2003spaces");
        assertMostlyFast(assertSameBits(texts), texts);
    }

    /** Random mixtures of the pieces the featurizer treats specially, with a fixed seed. */
    @Test
    void sameBitsOnRandomMixtures() {
        String[] pieces = {"a", "b", "e", "o", "l", "s", "ha", "lol", "love", "sad", "hate", "i", "!", "?", ".", "'",
            ",", ":)", " ", " ", " ", "  ", "\t", "@bob", "@", "http://t.co/x", "www.", "&amp;", "&lt;", "&#128514;",
            "&#xZ;", "😂", "🎉", "é", "ß", "İ", "\u00A0", "\n", "ooooo", "AAAA", "1", "42", "#tag"};
        Random random = new Random(20240611L);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            StringBuilder s = new StringBuilder();
            int n = 1 + random.nextInt(i % 10 == 0 ? 200 : 30);
            for (int j = 0; j < n; j++) {
                s.append(pieces[random.nextInt(pieces.length)]);
            }
            texts.add(s.toString());
        }
        assertMostlyFast(assertSameBits(texts), texts);
    }

    /**
     * Nine names in one bucket of the reference path's HashMap: it turns the bucket into a tree, whose
     * order the fast path does not mimic, so it must notice and answer through Tribuo.
     */
    @Test
    void aTreeBucketFallsBackToTribuo() {
        // Nine 4-letter words: the text is 44 characters, so the map has 256 buckets (44 * 5 rounded up)
        // and about 140 names: no resize.
        Map<Integer, List<String>> byBucket = new HashMap<>();
        List<String> words = null;
        for (int i = 0; words == null; i++) {
            String w = "" + (char) ('a' + i / 17576 % 26) + (char) ('a' + i / 676 % 26) + (char) ('a' + i / 26 % 26)
                    + (char) ('a' + i % 26);
            int h = ("w:" + w).hashCode();
            List<String> same = byBucket.computeIfAbsent((h ^ (h >>> 16)) & 255, b -> new ArrayList<>());
            same.add(w);
            if (same.size() == 9) {
                words = same;
            }
        }
        String sentence = String.join(" ", words);
        assertEquals(44, sentence.length());
        assertTrue(EmotionFeaturizer.standard().count(sentence).size() <= 192, "no resize");
        assertFalse(classifier.fastFeatures(sentence).ordered(), sentence);
        assertSameBits(List.of(sentence));
    }

    /**
     * A text whose distinct features outgrow the reference path's HashMap, which then doubles its table: a
     * long token (199 characters, the last 9 repeating the first, so some counts are 2 and the order of the
     * sum matters) and a short word.
     */
    @Test
    void sameBitsWhenTheReferenceMapResizes() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 199; i++) {
            s.append((char) (0x4E00 + 7 * (i % 190)));
        }
        String text = s.append(" haha").toString();
        int capacity = Integer.highestOneBit(text.length() * 5 - 1) << 1; // new HashMap<>(length * 5)
        assertEquals(1024, capacity);
        assertTrue(EmotionFeaturizer.standard().count(text).size() > capacity / 4 * 3, "the map must grow");
        assertTrue(classifier.fastFeatures(text).ordered());
        assertSameBits(List.of(text));
    }

    /** Asserts the same answers; returns how many the fast path gave (the others fell back to Tribuo). */
    static int assertSameBits(List<String> texts) {
        int fast = 0;
        for (String text : texts) {
            Prediction expected = classifier.predictWithTribuo(text);
            Prediction actual = classifier.predict(text);
            assertEquals(expected.label(), actual.label(), () -> "label of: " + text);
            assertEquals(new ArrayList<>(expected.probabilities().keySet()), new ArrayList<>(actual.probabilities().keySet()));
            expected.probabilities().forEach((label, p) -> {
                double q = actual.probabilities().get(label);
                if (Double.doubleToRawLongBits(p) != Double.doubleToRawLongBits(q)) {
                    fail("p(" + label + ") of \"" + text + "\": Tribuo " + p + ", fast path " + q);
                }
            });
            if (classifier.hasFastPath() && classifier.fastFeatures(text).ordered()) {
                fast++;
            }
        }
        return fast;
    }

    // Nearly every text must take the fast path, or the comparison proves little.
    private static void assertMostlyFast(int fast, List<String> texts) {
        assertTrue(fast >= texts.size() * 0.99, "fast path used for " + fast + " of " + texts.size());
    }
}
