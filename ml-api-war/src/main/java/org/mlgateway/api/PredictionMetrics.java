package org.mlgateway.api;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;

/**
 * The application's own MicroProfile Metrics. In Prometheus they appear as
 * {@code predictions_total{label,variant}}, {@code inference_seconds{variant}},
 * {@code rejected_requests_total{reason}} and {@code model_info{version,variant}}.
 */
@ApplicationScoped
public class PredictionMetrics {

    private static final Metadata PREDICTIONS = Metadata.builder()
            .withName("predictions")
            .withDescription("Predictions served, by predicted label and API variant")
            .build();
    private static final Metadata INFERENCE = Metadata.builder()
            .withName("inference")
            .withDescription("Time spent in the model (featurizing and scoring one sentence)")
            .withUnit(MetricUnits.SECONDS)
            .build();
    private static final Metadata MODEL_INFO = Metadata.builder()
            .withName("model_info")
            .withDescription("The model this server serves: always 1, its version in the label (a rollout shows here)")
            .build();
    private static final Metadata REJECTED = Metadata.builder()
            .withName("rejected_requests")
            .withDescription("Requests refused by the API, by error code")
            .build();

    @Inject
    MetricRegistry registry;

    @Inject
    ApiConfig config;

    // Looking a metric up by tags costs more than a map hit; these maps stay small (13 labels, ~10 reasons).
    private final Map<String, Counter> predictionsByLabel = new ConcurrentHashMap<>();
    private final Map<String, Counter> rejectionsByReason = new ConcurrentHashMap<>();
    private Timer inference;

    @PostConstruct
    void init() {
        inference = registry.timer(INFERENCE, new Tag("variant", config.variant()));
    }

    /** Called once the model is loaded. */
    public void recordModel(String version) {
        registry.gauge(MODEL_INFO, version, v -> 1, new Tag("version", version), new Tag("variant", config.variant()));
    }

    public void countPrediction(String label) {
        predictionsByLabel.computeIfAbsent(label, l -> registry.counter(PREDICTIONS,
                new Tag("label", l), new Tag("variant", config.variant()))).inc();
    }

    public void countRejection(String reason) {
        rejectionsByReason.computeIfAbsent(reason, r -> registry.counter(REJECTED, new Tag("reason", r))).inc();
    }

    public void recordInference(Duration duration) {
        inference.update(duration);
    }
}
