package org.mlgateway.emotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.data.text.TextFeatureExtractor;

class EmotionFeaturizerTest {

    private final EmotionFeaturizer featurizer = EmotionFeaturizer.standard();

    @Test
    void normalisesCaseEntitiesUrlsMentionsAndElongations() {
        assertEquals("i love <user> &you", TweetNormalizer.normalise("I LOVE @Bob &amp;you"));
        assertEquals("see <url> now", TweetNormalizer.normalise("see http://t.co/x1?a=b,c now"));
        assertEquals("<url> <url>", TweetNormalizer.normalise("https://a.b www.c.d"));
        assertEquals("soo goodd!!", TweetNormalizer.normalise("Sooooo GOODDDD!!!!!"));
        assertEquals("a < b > c \"q\" it's", TweetNormalizer.normalise("a &lt; b &gt; c &quot;q&quot; it&#39;s"));
        assertEquals("tabs and new lines", TweetNormalizer.normalise("  tabs\tand\r\nnew \u0000 lines  "));
        assertEquals("@", TweetNormalizer.normalise("@"), "a lone @ is not a mention");
        assertEquals("&unknown; & x", TweetNormalizer.normalise("&unknown; & x"));
        assertEquals("", TweetNormalizer.normalise(""));
    }

    @Test
    void wordsKeepInnerApostrophesAndEmoticons() {
        assertEquals("don't", TweetTokens.word("\"don't!\""));
        assertEquals(":)", TweetTokens.word(":)"));
        assertEquals("<url>", TweetTokens.word("<url>"));
    }

    @Test
    void charNgramsStayInsideWordBoundariesLikeCharWb() {
        Set<String> features = featurizer.count("Hi yo").keySet();
        Set<String> chars = new TreeSet<>();
        for (String f : features) {
            if (f.startsWith("c:")) {
                chars.add(f.substring(2));
            }
        }
        // scikit-learn char_wb (2..5) of "hi yo": each word padded as " hi " and " yo ".
        Set<String> expected =
                new TreeSet<>(List.of(" h", "hi", "i ", " hi", "hi ", " hi ", " y", "yo", "o ", " yo", "yo ", " yo "));
        assertEquals(expected, chars);
        assertTrue(features.contains("w:hi"));
        assertTrue(features.contains("w:yo"));
        assertTrue(features.contains("b:hi yo"));
        assertFalse(
                features.stream().anyMatch(f -> f.startsWith("c:") && f.contains("i y")), "no n-gram crosses words");
    }

    @Test
    void countsRepeatedFeatures() {
        Map<String, Integer> counts = featurizer.count("ha ha ha");
        assertEquals(3, counts.get("w:ha"));
        assertEquals(2, counts.get("b:ha ha"));
        assertEquals(3, counts.get("c: ha "));
    }

    @Test
    void wordAndCharBlocksEachCarryHalfTheNorm() {
        double words = 0;
        double chars = 0;
        for (Feature f : featurizer.toExample("ha ha ha, what a day!", LabelFactory.UNKNOWN_LABEL)) {
            if (f.getName().startsWith("c:")) {
                chars += f.getValue() * f.getValue();
            } else {
                words += f.getValue() * f.getValue();
            }
        }
        assertEquals(0.5, words, 1e-9);
        assertEquals(0.5, chars, 1e-9);
        // Only one block present (a mention has no char n-grams): it takes the whole norm.
        double only = 0;
        for (Feature f : featurizer.toExample("@someone", LabelFactory.UNKNOWN_LABEL)) {
            only += f.getValue() * f.getValue();
        }
        assertEquals(1.0, only, 1e-9);
    }

    @Test
    void examplesAreL2NormalisedWithSublinearTf() {
        Example<Label> ex = new EmotionFeaturizer(FeatureSet.parse("words+bigrams+chars=2-5"))
                .toExample("ha ha ha, what a day! @you http://x.y", LabelFactory.UNKNOWN_LABEL);
        double sumSq = 0;
        double ha = 0;
        double what = 0;
        for (Feature f : ex) {
            sumSq += f.getValue() * f.getValue();
            if (f.getName().equals("w:ha")) {
                ha = f.getValue();
            } else if (f.getName().equals("w:what")) {
                what = f.getValue();
            }
        }
        assertEquals(1.0, sumSq, 1e-9);
        assertEquals(1.0 + Math.log(3), ha / what, 1e-9, "tf 3 weighs 1+ln 3 times tf 1");
    }

    @Test
    void isDeterministic() {
        String text = "Ugh... can't sleep &amp; it's 3am :( @someone www.example.com";
        assertEquals(
                names(featurizer.toExample(text, LabelFactory.UNKNOWN_LABEL)),
                names(new EmotionFeaturizer(FeatureSet.parse("words+bigrams+chars=2-5+blocks"))
                        .toExample(text, LabelFactory.UNKNOWN_LABEL)));
        assertEquals(featurizer.count(text).keySet(), featurizer.count(text).keySet());
    }

    @Test
    void neverSplitsAnEmojiSoEveryFeatureIsValidUtf8() {
        for (String f : featurizer.count("so happy 😂😂 ok 🎉").keySet()) {
            String roundTrip = new String(f.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
            assertEquals(f, roundTrip, "feature not representable in UTF-8: " + f);
        }
    }

    @Test
    void emptyOrBlankTextHasNoFeatures() {
        assertEquals(0, featurizer.toExample("", LabelFactory.UNKNOWN_LABEL).size());
        assertEquals(
                0,
                featurizer.toExample(" \t\n\u0000 ", LabelFactory.UNKNOWN_LABEL).size());
    }

    @Test
    void isATribuoTextFeatureExtractorWithItsConfigurationInTheProvenance() {
        TextFeatureExtractor<Label> extractor = featurizer;
        String text = "Sooo happy &amp; tired @bob";
        assertEquals(
                names(featurizer.toExample(text, new Label("fun"))), names(extractor.extract(new Label("fun"), text)));
        assertEquals(
                "fun", extractor.extract(new Label("fun"), text).getOutput().getLabel());
        var config = extractor.getProvenance().getConfiguredParameters();
        assertEquals(EmotionFeaturizer.STANDARD, config.get("features").toString());
    }

    @Test
    void featureSetsReadAndWriteTheSameSpec() {
        for (String spec : List.of(
                "words", EmotionFeaturizer.STANDARD, "words+chars=1-3+negation+emoji+hashtags+emphasis+blocks")) {
            assertEquals(spec, FeatureSet.parse(spec).toString());
        }
        assertEquals(
                FeatureSet.parse("blocks+chars=2-5+words+bigrams"),
                FeatureSet.parse(EmotionFeaturizer.STANDARD),
                "order is free");
        for (String bad : List.of("words+sparkles", "words+chars=5-2", "words+chars=x", "words+chars=0-3")) {
            assertThrows(IllegalArgumentException.class, () -> FeatureSet.parse(bad), bad);
        }
    }

    @Test
    void featuresOutsideTheSetAreNotExtracted() {
        Set<String> words = new EmotionFeaturizer(FeatureSet.parse("words"))
                .count("Not SOOO happy #fail :( 😂")
                .keySet();
        assertEquals(Set.of("w:not", "w:soo", "w:happy", "w:fail", "w::(", "w:😂"), words);
    }

    @Test
    void negationMarksTheWordsUpToTheEndOfTheClause() {
        Map<String, Integer> counts = new EmotionFeaturizer(FeatureSet.parse("words+negation"))
                .count("I am not happy at all, but fine. Don't go");
        Set<String> negated = new TreeSet<>();
        counts.keySet().stream().filter(f -> f.startsWith("n:")).forEach(negated::add);
        assertEquals(Set.of("n:happy", "n:at", "n:all", "n:go"), negated);
    }

    @Test
    void cuesNameEmojiEmoticonsHashtagsElongationAndCapitals() {
        Map<String, Integer> counts = new EmotionFeaturizer(FeatureSet.parse("words+emoji+hashtags+emphasis"))
                .count("SO HAPPY today :D &lt;3 😂😂 #blessed!! soooo good, so so good #");
        assertEquals(1, counts.get("e::d"));
        assertEquals(1, counts.get("e:<3"));
        assertEquals(2, counts.get("e:😂"));
        assertEquals(1, counts.get("h:blessed"));
        assertEquals(1, counts.get("x:elongated"), "soooo, not so so");
        assertEquals(1, counts.get("x:shouting"), "HAPPY, not SO (two letters)");
        assertFalse(counts.containsKey("h:"), "a lone # is no hashtag");
    }

    private static List<String> names(Example<Label> ex) {
        List<String> n = new ArrayList<>();
        for (Feature f : ex) {
            n.add(f.getName() + "=" + f.getValue());
        }
        return n;
    }
}
