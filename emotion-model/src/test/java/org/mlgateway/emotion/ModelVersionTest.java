package org.mlgateway.emotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelVersionTest {

    private static final String FEATURES = " \"featurizer\": {\"features\": \"words+chars=1-3+emoji\"}";

    @Test
    void isTheFirstTwelveHexDigitsOfTheFileSha256() {
        // SHA-256("abc") = ba7816bf8f01cfea...
        assertEquals("ba7816bf8f01", ModelVersion.of("abc".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void readsTheCardsModelVersionFeaturesAndTrainingCounts() throws IOException {
        ModelCard card = ModelCard.read(json("{\"modelVersion\": \"0123456789ab\", \"x\": 1," + FEATURES
                + ", \"dataset\": {\"trainLabelCounts\": {\"love\": 3, \"anger\": 1}}}"));
        assertEquals("0123456789ab", card.modelVersion());
        assertEquals(FeatureSet.parse("words+chars=1-3+emoji"), card.features());
        assertEquals(java.util.Map.of("anger", 1, "love", 3), card.trainLabelCounts());
        assertEquals(
                java.util.Map.of(),
                ModelCard.read(json("{\"modelVersion\": \"0123456789ab\"," + FEATURES + "}"))
                        .trainLabelCounts(),
                "a card without the counts");
        assertThrows(IOException.class, () -> ModelCard.read(json("{\"version\": \"0123456789ab\"," + FEATURES + "}")));
        assertEquals(
                null,
                ModelCard.read(json("{\"modelVersion\": \"0123456789ab\"}")).features(),
                "no features");
        assertThrows(
                IOException.class,
                () -> ModelCard.read(json("{\"modelVersion\": \"0123456789ab\","
                        + " \"featurizer\": {\"features\": \"words+sparkles\"}}")),
                "unknown features");
        assertThrows(
                IOException.class,
                () -> ModelCard.read(json("{\"modelVersion\": \"0123456789ab\"," + FEATURES
                        + ", \"dataset\": {\"trainLabelCounts\": {\"love\": -3}}}")),
                "a negative count");
    }

    /** A champion's card from before featurizer.features still names its features. */
    @Test
    void readsTheFeaturesOfAnOlderCard() throws IOException {
        ModelCard card =
                ModelCard.read(json("{\"modelVersion\": \"0123456789ab\", \"featurizer\": {\"wordBigrams\": true,"
                        + " \"charNgrams\": {\"min\": 2, \"max\": 5}, \"separateBlockNormalisation\": true}}"));
        assertEquals(FeatureSet.parse(EmotionFeaturizer.STANDARD), card.features());
    }

    @Test
    void summarisesTheFactsAClientWantsAndLeavesOutWhatTheCardLacks() throws IOException {
        ModelCard card =
                ModelCard.read(json("{\"modelVersion\": \"0123456789ab\", \"trainedAt\": \"2026-01-02T03:04:05Z\","
                        + " \"tribuoVersion\": \"4.3.2\", \"dataset\": {\"sha256\": \"abc\", \"rows\": 10, \"trainRows\": 9,"
                        + " \"validationRows\": 1}, \"validation\": {\"metrics\": {\"accuracy\": 0.5, \"macroF1\": 0.25,"
                        + " \"logLoss\": 1.5, \"perLabel\": {}}}}"));
        java.util.Map<String, Object> expected = new java.util.LinkedHashMap<>();
        expected.put("trained_at", "2026-01-02T03:04:05Z");
        expected.put("tribuo_version", "4.3.2");
        expected.put("dataset_sha256", "abc");
        expected.put("dataset_rows", 10L);
        expected.put("training_rows", 9L);
        expected.put("validation_rows", 1L);
        expected.put("validation_accuracy", 0.5);
        expected.put("validation_macro_f1", 0.25);
        expected.put("validation_log_loss", 1.5);
        assertEquals(
                java.util.List.copyOf(expected.entrySet()),
                java.util.List.copyOf(card.summary().entrySet()),
                "every fact, in the documented order");
        assertEquals(
                java.util.Map.of("training_rows", 9L),
                ModelCard.read(json("{\"modelVersion\": \"0123456789ab\","
                                + " \"dataset\": {\"trainRows\": 9, \"rows\": \"many\"}}"))
                        .summary(),
                "a missing or mistyped fact is left out");
    }

    @Test
    void loadingFromTheClasspathChecksTheCardBesideTheModel(@TempDir Path dir) throws IOException {
        Path model = dir.resolve("model");
        Files.createDirectories(model);
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(EmotionClassifier.MODEL_RESOURCE)) {
            Files.copy(in, model.resolve(EmotionClassifier.MODEL_FILE));
        }
        String version = ModelVersion.of(Files.readAllBytes(model.resolve(EmotionClassifier.MODEL_FILE)));
        Path card = model.resolve(EmotionClassifier.CARD_FILE);

        assertThrows(FileNotFoundException.class, () -> loadFrom(dir), "no card");
        Files.writeString(card, "{\"modelVersion\": \"" + version + "\"," + FEATURES + "}");
        assertEquals(version, loadFrom(dir).modelVersion());
        Files.writeString(card, "{\"modelVersion\": \"000000000000\"," + FEATURES + "}");
        ModelVersion.Mismatch e =
                assertThrows(ModelVersion.Mismatch.class, () -> loadFrom(dir), "card of another model");
        assertTrue(e.getMessage().contains("000000000000") && e.getMessage().contains(version), e.getMessage());
        Files.writeString(card, "{\"modelVersion\": \"" + version + "\"}");
        IOException noFeatures = assertThrows(IOException.class, () -> loadFrom(dir), "a card that names no features");
        assertTrue(noFeatures.getMessage().contains("featurizer.features"), noFeatures.getMessage());
    }

    // As in a server: the model is found through the context class loader (here: only the temp folder).
    private static EmotionClassifier loadFrom(Path root) throws IOException {
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        try (URLClassLoader only = new URLClassLoader(new URL[] {root.toUri().toURL()}, null)) {
            t.setContextClassLoader(only);
            return EmotionClassifier.fromClasspath(EmotionClassifier.MODEL_RESOURCE);
        } finally {
            t.setContextClassLoader(before);
        }
    }

    private static InputStream json(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}
