package org.mlgateway.api;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.mlgateway.emotion.EmotionClassifier;
import org.mlgateway.emotion.Prediction;

/**
 * On a candidate server: each mirrored request (X-Shadow: 1) is scored again with the champion's
 * model, so the two models are compared on exactly the same sentence. The champion's model file comes
 * from the champion's WAR (scripts/delivery.sh extracts it to {@code api.champion.model-dir}) and must
 * have the version the champion serves ({@code api.champion.model-version}); otherwise nothing is
 * compared, since a comparison with the wrong model would mislead. Off on every other server.
 */
@ApplicationScoped
public class ShadowComparison {

    private static final Logger LOG = Logger.getLogger(ShadowComparison.class.getName());
    /** Set by Nginx on the copy it mirrors to the candidate (nginx/snippets/shadow.conf). */
    static final String HEADER = "X-Shadow";

    @Inject
    ApiConfig config;

    @Inject
    ModelService model;

    @Inject
    PredictionMetrics metrics;

    private volatile EmotionClassifier champion;

    @PostConstruct
    void load() {
        config.championModelDir().ifPresent(dir -> {
            Path file = dir.resolve(EmotionClassifier.MODEL_FILE);
            try {
                EmotionClassifier c = EmotionClassifier.fromFile(file);
                String expected = config.championModelVersion().orElse("");
                if (!c.modelVersion().equals(expected)) {
                    LOG.severe(() -> "Not comparing with the champion: " + file + " is model " + c.modelVersion()
                            + ", the champion serves " + (expected.isEmpty() ? "(not given)" : expected));
                    return;
                }
                champion = c;
                LOG.info(() -> "Shadow comparison on: champion model " + c.modelVersion() + " beside candidate "
                        + model.modelVersion());
            } catch (Exception | LinkageError e) {
                LOG.log(Level.SEVERE, "Not comparing with the champion: cannot load " + file, e);
            }
        });
    }

    /** True for a mirrored request on a server that compares. */
    boolean applies(String shadowHeader) {
        return champion != null && "1".equals(shadowHeader);
    }

    /** Scores the sentence with the champion's model and counts how the two answers compare. */
    void compare(String sentence, Prediction candidate) {
        EmotionClassifier c = champion;
        Prediction champ = c.predict(sentence);
        metrics.countComparison(
                c.modelVersion(),
                model.modelVersion(),
                champ.label(),
                candidate.label(),
                meanAbsoluteDifference(champ.probabilities(), candidate.probabilities()));
    }

    /** Mean over the labels both models know of |p_champion - p_candidate|; NaN when they share none. */
    static double meanAbsoluteDifference(Map<String, Double> champion, Map<String, Double> candidate) {
        double sum = 0;
        int n = 0;
        for (Map.Entry<String, Double> e : champion.entrySet()) {
            Double other = candidate.get(e.getKey());
            if (other != null) {
                sum += Math.abs(e.getValue() - other);
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
