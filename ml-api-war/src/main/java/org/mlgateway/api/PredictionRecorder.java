package org.mlgateway.api;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.mlgateway.emotion.Prediction;

/**
 * Everything a server keeps of one answered sentence, the same for {@code POST /predict} and for each
 * sentence of an Open Inference Protocol batch: the inference time and the predicted label in the metrics
 * (and so in the drift gauge), the comparison with the champion on a mirrored request, and one line of the
 * prediction log.
 */
@ApplicationScoped
public class PredictionRecorder {

    private static final Logger LOG = Logger.getLogger(PredictionRecorder.class.getName());

    /**
     * The request a sentence came in: the gateway's request id and the trace id (null when absent), and
     * whether it is a mirrored copy ({@link ShadowComparison}).
     */
    record Origin(String requestId, String traceId, String shadowHeader) {

        /** The request id and the shadow mark count only on requests the gateway vouches for ({@link GatewayOrigin}). */
        static Origin of(boolean fromGateway, String requestId, String traceparent, String shadowHeader) {
            return new Origin(
                    fromGateway ? requestId : null,
                    TraceParent.traceId(traceparent),
                    fromGateway ? shadowHeader : null);
        }
    }

    @Inject
    ApiConfig config;

    @Inject
    ModelService model;

    @Inject
    PredictionMetrics metrics;

    @Inject
    ShadowComparison shadow;

    /** Null when the server has no log folder or the log is turned off. */
    private PredictionLog log;

    /** Opened at start, not at the first counted prediction: the log's gauge is there from the first scrape. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object context) {
        // Touching the bean is enough: @PostConstruct opens the log.
        hasLog();
    }

    boolean hasLog() {
        return log != null;
    }

    @PostConstruct
    void init() {
        config.predictionLogDir().ifPresent(dir -> {
            try {
                log = new PredictionLog(
                        dir,
                        config.predictionLogMaxBytes(),
                        config.instanceName(),
                        config.variant(),
                        model.modelVersion());
                metrics.observePredictionLog(log);
                LOG.info(() -> "Prediction log in " + dir + (config.predictionLogText() ? ", with the sentences" : ""));
            } catch (IOException | RuntimeException e) {
                // The log is a by-product: a server that cannot write it still serves.
                LOG.log(Level.WARNING, "No prediction log: cannot write in " + dir, e);
            }
        });
    }

    @PreDestroy
    void close() {
        if (log != null) {
            log.close();
        }
    }

    /**
     * One answered sentence.
     *
     * @param inferenceNanos time in the model for this sentence
     * @param latencyMicros  the whole request's time on the server so far (its prediction log latency)
     * @param batchIndex     the sentence's place in its batch; -1 for {@code /predict}
     */
    void record(
            Origin origin,
            String sentence,
            Prediction prediction,
            long inferenceNanos,
            long latencyMicros,
            int batchIndex) {
        metrics.recordInference(Duration.ofNanos(inferenceNanos));
        metrics.countPrediction(prediction.label());
        if (shadow.applies(origin.shadowHeader())) {
            shadow.compare(sentence, prediction);
        }
        if (log != null) {
            log.append(new PredictionLog.Line(
                    origin.requestId(),
                    origin.traceId(),
                    batchIndex,
                    System.currentTimeMillis(),
                    prediction.label(),
                    prediction.probabilities().get(prediction.label()),
                    latencyMicros,
                    config.predictionLogText() ? sentence : null));
        }
    }
}
