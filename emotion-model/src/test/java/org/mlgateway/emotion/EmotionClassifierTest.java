package org.mlgateway.emotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tribuo.Feature;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;

/** Runs against the committed model, loaded from the classpath as the WAR loads it. */
class EmotionClassifierTest {

    static final String RESOURCE = "model/" + TrainEmotionModel.MODEL_FILE;
    static final List<String> LABELS = List.of("anger", "boredom", "empty", "enthusiasm", "fun", "happiness",
            "hate", "love", "neutral", "relief", "sadness", "surprise", "worry");

    static EmotionClassifier classifier;

    @BeforeAll
    static void load() throws IOException {
        classifier = EmotionClassifier.fromClasspath(RESOURCE);
    }

    @Test
    void knowsTheThirteenLabelsSorted() {
        assertEquals(LABELS, classifier.labels());
    }

    @Test
    void versionMatchesTheModelCard() throws IOException {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("model/" + TrainEmotionModel.CARD_FILE)) {
            assertNotNull(in, "model card beside the model");
            JsonNode card = new ObjectMapper().readTree(in);
            assertEquals(card.get("modelVersion").asText(), classifier.modelVersion());
            assertEquals(LABELS.size(), card.get("labels").size());
            assertTrue(card.at("/validation/metrics/accuracy").asDouble() >= 0.36, "accuracy floor");
            assertTrue(card.at("/validation/metrics/logLoss").asDouble() <= 1.88, "log loss ceiling");
        }
        assertTrue(classifier.modelVersion().matches("[0-9a-f]{12}"));
    }

    @Test
    void findsTheModelWithOrWithoutGzSuffixAndFailsCleanlyOtherwise() throws IOException {
        String plain = RESOURCE.substring(0, RESOURCE.length() - 3);
        assertEquals(classifier.modelVersion(), EmotionClassifier.fromClasspath(plain).modelVersion());
        assertEquals(classifier.modelVersion(), EmotionClassifier.fromClasspath("/" + RESOURCE).modelVersion());
        assertThrows(FileNotFoundException.class, () -> EmotionClassifier.fromClasspath("model/nope.tribuo"));
    }

    @Test
    void everyAnswerIsADistributionOverAllLabelsWithLabelAsArgmax() {
        List<String> inputs = List.of("I love you so much", "", "   ", "\u0000\u0000", "😂😂😂🎉",
                "مرحبا بالعالم", "שלום", "zzqxv qqqzv", "&amp;&lt;&#1234567;&#x;", "\uD800 lone surrogate \uDFFF",
                "x".repeat(5000), "I hate this ".repeat(400), "@user http://t.co/abc", "!!!???", "\n\t\r");
        for (String s : inputs) {
            Prediction p = classifier.predict(s);
            assertEquals(LABELS, new ArrayList<>(p.probabilities().keySet()), s);
            double sum = 0;
            double max = -1;
            for (double v : p.probabilities().values()) {
                assertTrue(v >= 0 && v <= 1, "probability in [0,1]");
                sum += v;
                max = Math.max(max, v);
            }
            assertEquals(1.0, sum, 1e-6, "sums to one for: " + s);
            assertEquals(max, p.probabilities().get(p.label()), 0.0, "label is the arg-max for: " + s);
        }
    }

    @Test
    void unknownOnlySentencesGetTheSameFallbackDistribution() {
        Prediction empty = classifier.predict("");
        Prediction unknown = classifier.predict("\u0000");
        assertEquals(empty, unknown);
        assertTrue(empty.probabilities().values().stream().allMatch(v -> v > 0 && v < 1));
    }

    @Test
    void obviousSentences() {
        assertEquals("love", classifier.predict("I love you so much").label());
        assertEquals("sadness", classifier.predict("I miss my grandma so much, I am so sad and crying").label());
    }

    @Test
    void isDeterministicAndThreadSafe() throws Exception {
        List<String> sentences = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            sentences.add("sentence " + i + (i % 3 == 0 ? " I love it" : i % 3 == 1 ? " so sad today" : " @bob lol"));
        }
        List<Prediction> expected = new ArrayList<>();
        for (String s : sentences) {
            expected.add(classifier.predict(s));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<Prediction>>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                futures.add(pool.submit(() -> {
                    List<Prediction> out = new ArrayList<>();
                    for (int round = 0; round < 5; round++) {
                        out.clear();
                        for (String s : sentences) {
                            out.add(classifier.predict(s));
                        }
                    }
                    return out;
                }));
            }
            for (Future<List<Prediction>> f : futures) {
                assertEquals(expected, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void servingPathMatchesTrainingPath() {
        EmotionFeaturizer f = EmotionFeaturizer.standard();
        var vocabulary = classifier.model().getFeatureIDMap();
        for (String s : List.of("I love you so much", "ugh... mondays &amp; rain @bob http://x.y", "zzqx 😂", "Sooooo HAPPY!!!")) {
            List<String> expected = new ArrayList<>();
            for (Feature ft : f.toExample(s, LabelFactory.UNKNOWN_LABEL)) {
                if (vocabulary.getID(ft.getName()) >= 0) {
                    expected.add(ft.getName() + "=" + ft.getValue());
                }
            }
            List<String> serving = new ArrayList<>();
            for (Feature ft : f.toExample(s, LabelFactory.UNKNOWN_LABEL, vocabulary)) {
                serving.add(ft.getName() + "=" + ft.getValue());
            }
            assertEquals(expected, serving, s);
            Map<String, Label> tribuo = classifier.model().predict(f.toExample(s, LabelFactory.UNKNOWN_LABEL)).getOutputScores();
            Prediction p = classifier.predict(s);
            tribuo.forEach((label, score) -> assertEquals(score.getScore(), p.probabilities().get(label), 1e-12));
        }
    }

    @Test
    void rejectsNull() {
        assertThrows(NullPointerException.class, () -> classifier.predict(null));
    }

    @Test
    void probabilityMapIsReadOnly() {
        Map<String, Double> probs = classifier.predict("hello").probabilities();
        assertThrows(UnsupportedOperationException.class, () -> probs.put("love", 1.0));
    }
}
