package org.mlgateway.api;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;

/**
 * The application's own MicroProfile Metrics. In Prometheus they appear as
 * {@code predictions_total{label,variant}}, {@code inference_seconds{variant}},
 * {@code rejected_requests_total{reason}}, {@code model_info{version,variant}} and
 * {@code prediction_drift{variant,model_version}}.
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
    private static final Metadata DRIFT = Metadata.builder()
            .withName("prediction_drift")
            .withDescription(
                    "Jensen-Shannon divergence (bits, 0-1) of the labels predicted over the last api.drift.window "
                            + "predictions from the model's training labels; NaN until that many predictions")
            .build();
    private static final Metadata LOG_DROPPED = Metadata.builder()
            .withName("prediction_log_dropped_lines")
            .withDescription("Prediction log lines dropped since start: the writer fell behind or could not write")
            .build();
    private static final Metadata COMPARISONS = Metadata.builder()
            .withName("shadow_comparisons")
            .withDescription(
                    "Mirrored requests scored by both the candidate and the champion's model, by the two labels "
                            + "(agree: the same label) and the two model versions")
            .build();
    private static final Metadata MEAN_DIFFERENCE = Metadata.builder()
            .withName("shadow_probability_difference")
            .withDescription("Mean over the compared requests since start of the mean absolute difference between the "
                    + "champion's and the candidate's probabilities (0: the same distributions)")
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
    private volatile LabelDrift drift;
    private final Map<String, Counter> comparisonsByPair = new ConcurrentHashMap<>();
    private final DoubleAdder differenceSum = new DoubleAdder();
    private final LongAdder differenceCount = new LongAdder();
    private final AtomicBoolean differenceRegistered = new AtomicBoolean();

    @PostConstruct
    void init() {
        inference = registry.timer(INFERENCE, new Tag("variant", config.variant()));
    }

    /** Called once the model is loaded; without training counts in its card there is no drift gauge. */
    public void recordModel(String version, List<String> labels, Map<String, Integer> trainLabelCounts) {
        registry.gauge(MODEL_INFO, version, v -> 1, new Tag("version", version), new Tag("variant", config.variant()));
        if (!trainLabelCounts.isEmpty()) {
            LabelDrift d = new LabelDrift(labels, trainLabelCounts, config.driftWindow());
            registry.gauge(
                    DRIFT,
                    d,
                    LabelDrift::divergence,
                    new Tag("variant", config.variant()),
                    new Tag("model_version", version));
            drift = d;
        }
    }

    public void countPrediction(String label) {
        predictionsByLabel
                .computeIfAbsent(
                        label,
                        l -> registry.counter(PREDICTIONS, new Tag("label", l), new Tag("variant", config.variant())))
                .inc();
        LabelDrift d = drift;
        if (d != null) {
            d.record(label);
        }
    }

    /** Lines the prediction log dropped rather than make a request wait (a full queue, a failed write). */
    public void observePredictionLog(PredictionLog log) {
        registry.gauge(LOG_DROPPED, log, PredictionLog::dropped);
    }

    /** One mirrored request scored by both models ({@link ShadowComparison}). */
    public void countComparison(
            String championVersion,
            String candidateVersion,
            String championLabel,
            String candidateLabel,
            double meanAbsoluteDifference) {
        comparisonsByPair
                .computeIfAbsent(
                        championVersion + ' ' + candidateVersion + ' ' + championLabel + ' ' + candidateLabel,
                        k -> registry.counter(
                                COMPARISONS,
                                new Tag("champion_version", championVersion),
                                new Tag("candidate_version", candidateVersion),
                                new Tag("champion_label", championLabel),
                                new Tag("candidate_label", candidateLabel),
                                new Tag("agree", String.valueOf(championLabel.equals(candidateLabel)))))
                .inc();
        if (!Double.isNaN(meanAbsoluteDifference)) {
            differenceSum.add(meanAbsoluteDifference);
            differenceCount.increment();
        }
        if (differenceRegistered.compareAndSet(false, true)) {
            registry.gauge(
                    MEAN_DIFFERENCE,
                    this,
                    m -> m.differenceCount.sum() == 0 ? Double.NaN : m.differenceSum.sum() / m.differenceCount.sum(),
                    new Tag("champion_version", championVersion),
                    new Tag("candidate_version", candidateVersion));
        }
    }

    public void countRejection(String reason) {
        rejectionsByReason
                .computeIfAbsent(reason, r -> registry.counter(REJECTED, new Tag("reason", r)))
                .inc();
    }

    public void recordInference(Duration duration) {
        inference.update(duration);
    }
}
