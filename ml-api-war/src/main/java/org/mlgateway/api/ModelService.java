package org.mlgateway.api;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.mlgateway.emotion.EmotionClassifier;
import org.mlgateway.emotion.ModelVersion;
import org.mlgateway.emotion.Prediction;

/**
 * Loads the model once when the application starts and shares it (it is safe for concurrent use). The model
 * and its card come from the emotion-model jar in WEB-INF/lib; a card naming another model version stops
 * the application from starting, since the server would otherwise report a version it does not serve.
 */
@ApplicationScoped
public class ModelService {

    private static final Logger LOG = Logger.getLogger(ModelService.class.getName());

    @Inject
    ApiConfig config;

    @Inject
    PredictionMetrics metrics;

    private volatile EmotionClassifier classifier;
    private volatile String loadError = "the model is still loading";

    /** Eager start: the first request should not pay for loading the model. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object context) {
        // Touching the bean is enough: @PostConstruct does the work (and throws on a card mismatch).
        isReady();
    }

    @PostConstruct
    void load() {
        long start = System.nanoTime();
        try {
            classifier = EmotionClassifier.fromClasspath(config.modelResource());
            loadError = null;
            metrics.recordModel(classifier.modelVersion(), classifier.labels(), classifier.trainLabelCounts());
            LOG.info(() -> String.format(
                    "Model %s loaded from %s in %d ms (variant %s, instance %s)",
                    classifier.modelVersion(),
                    config.modelResource(),
                    (System.nanoTime() - start) / 1_000_000,
                    config.variant(),
                    config.instanceName()));
        } catch (ModelVersion.Mismatch e) {
            // A broken build, not a passing fault: fail the deployment loudly rather than wait unready.
            LOG.log(Level.SEVERE, "Refusing to start: " + e.getMessage(), e);
            throw e;
        } catch (Exception | LinkageError e) {
            loadError = "the model could not be loaded: " + e;
            LOG.log(Level.SEVERE, "Model loading failed from " + config.modelResource(), e);
        }
    }

    public boolean isReady() {
        return classifier != null;
    }

    /** Why the model is not ready, if it is not. */
    public Optional<String> problem() {
        return Optional.ofNullable(loadError);
    }

    public String modelVersion() {
        EmotionClassifier c = classifier;
        return c == null ? "none" : c.modelVersion();
    }

    /** The labels the model knows, sorted; empty while no model is loaded. */
    public List<String> labels() {
        EmotionClassifier c = classifier;
        return c == null ? List.of() : c.labels();
    }

    /** The model card's facts for clients ({@link EmotionClassifier#cardSummary()}); empty while no model is loaded. */
    public Map<String, Object> cardSummary() {
        EmotionClassifier c = classifier;
        return c == null ? Map.of() : c.cardSummary();
    }

    public Prediction predict(String sentence) {
        EmotionClassifier c = classifier;
        if (c == null) {
            throw new ApiException(503, "model_unavailable", "The model is not loaded yet; retry shortly.");
        }
        return c.predict(sentence);
    }
}
