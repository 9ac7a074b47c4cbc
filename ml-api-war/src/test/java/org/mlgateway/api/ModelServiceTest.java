package org.mlgateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlgateway.emotion.EmotionClassifier;
import org.mlgateway.emotion.ModelVersion;

/** Model loading as the server does it at start, from a class path holding only what each case puts there. */
class ModelServiceTest {

    @Test
    void loadsTheModelFromTheEmotionModelJarWithItsCard() {
        ModelService service = service(EmotionClassifier.MODEL_RESOURCE);
        service.load(); // the test class path: the emotion-model jar (or its classes) as in WEB-INF/lib
        assertTrue(service.isReady());
        assertTrue(service.modelVersion().matches("[0-9a-f]{12}"));
    }

    @Test
    void aCardNamingAnotherModelStopsTheStart(@TempDir Path dir) throws IOException {
        copyModel(dir);
        Files.writeString(dir.resolve("model/" + EmotionClassifier.CARD_FILE), "{\"modelVersion\": \"000000000000\"}");
        ModelService service = service(EmotionClassifier.MODEL_RESOURCE);
        assertThrows(ModelVersion.Mismatch.class, () -> withClassPath(dir, service::load));
        assertFalse(service.isReady());
    }

    @Test
    void aMissingModelLeavesTheServerUpButNotReady() {
        ModelService service = service("model/nope.tribuo.gz");
        service.load();
        assertFalse(service.isReady());
        assertTrue(
                service.problem().orElseThrow().contains("nope"),
                service.problem().orElseThrow());
        assertEquals("none", service.modelVersion());
    }

    private static ModelService service(String resource) {
        ModelService service = new ModelService();
        service.config = new ApiConfig();
        service.config.modelResource = resource;
        service.metrics = new PredictionMetrics() {
            @Override
            public void recordModel(
                    String version, java.util.List<String> labels, java.util.Map<String, Integer> trainLabelCounts) {
                // no registry outside the server
            }
        };
        return service;
    }

    private static void copyModel(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("model"));
        try (InputStream in =
                ModelServiceTest.class.getClassLoader().getResourceAsStream(EmotionClassifier.MODEL_RESOURCE)) {
            Files.copy(in, dir.resolve(EmotionClassifier.MODEL_RESOURCE));
        }
    }

    // As in Liberty, the application's resources come from the context class loader.
    private static void withClassPath(Path root, Runnable action) throws IOException {
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        try (URLClassLoader only = new URLClassLoader(new URL[] {root.toUri().toURL()}, null)) {
            t.setContextClassLoader(only);
            action.run();
        } finally {
            t.setContextClassLoader(before);
        }
    }
}
