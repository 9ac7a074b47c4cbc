package org.mlgateway.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.mlgateway.emotion.EmotionClassifier;

/** The settings of one server, from MicroProfile Config (properties file, Liberty variables, environment). */
@ApplicationScoped
public class ApiConfig {

    @Inject
    @ConfigProperty(name = "api.variant", defaultValue = "v1")
    String variant;

    @Inject
    @ConfigProperty(name = "api.instance.name", defaultValue = "api-unnamed")
    String instanceName;

    /** Longest sentence accepted; also the OpenAPI document's maxLength ({@link OpenApiLimits}). */
    static final String MAX_LENGTH = "api.sentence.max-length";

    static final String MAX_LENGTH_DEFAULT = "5000";

    @Inject
    @ConfigProperty(name = MAX_LENGTH, defaultValue = MAX_LENGTH_DEFAULT)
    int maxSentenceLength;

    /** Most sentences in one Open Inference Protocol request (API_BATCH_MAX); also in the model's metadata. */
    static final String BATCH_MAX = "api.batch.max";

    static final String BATCH_MAX_DEFAULT = "64";

    @Inject
    @ConfigProperty(name = BATCH_MAX, defaultValue = BATCH_MAX_DEFAULT)
    int batchMax;

    /** This build's version (the Maven project's), as the protocol's server metadata reports it. */
    @Inject
    @ConfigProperty(name = "api.version", defaultValue = "unknown")
    String apiVersion;

    /** The model in the emotion-model jar (its card beside it). */
    @Inject
    @ConfigProperty(name = "api.model.resource", defaultValue = EmotionClassifier.MODEL_RESOURCE)
    String modelResource;

    /** The port this server's HTTP endpoint listens on (HTTP_PORT), where {@link WarmUp} sends its requests. */
    @Inject
    @ConfigProperty(name = "http.port", defaultValue = "9080")
    int httpPort;

    /** Upper bound of the warm-up before ready; 0 turns it off (WarmUp). */
    @Inject
    @ConfigProperty(name = "api.warm-up.max-seconds", defaultValue = "0")
    int warmUpMaxSeconds;

    /** Concurrent connections of the warm-up's requests. */
    @Inject
    @ConfigProperty(name = "api.warm-up.clients", defaultValue = "2")
    int warmUpClients;

    /** Most requests per second the warm-up sends, all connections together. */
    @Inject
    @ConfigProperty(name = "api.warm-up.rate", defaultValue = "300")
    int warmUpRate;

    /** Predictions the drift gauge looks back over ({@link LabelDrift}). */
    @Inject
    @ConfigProperty(name = "api.drift.window", defaultValue = "1000")
    int driftWindow;

    /** Folder of the prediction log ({@link PredictionLog}); unset: the server's LOG_DIR, if it has one. */
    @Inject
    @ConfigProperty(name = "prediction.log.dir")
    Optional<String> predictionLogDir;

    /** Disk the prediction log's files may use together, in MiB; 0 turns the log off. */
    @Inject
    @ConfigProperty(name = "prediction.log.max-mb", defaultValue = "50")
    int predictionLogMaxMb;

    /** Whether the prediction log holds the sentences too (PREDICTION_LOG_TEXT): off, they may be personal. */
    @Inject
    @ConfigProperty(name = "prediction.log.text", defaultValue = "false")
    boolean predictionLogText;

    /** On a candidate server: the folder of the champion's model file, to compare with ({@link ShadowComparison}). */
    @Inject
    @ConfigProperty(name = "api.champion.model-dir")
    Optional<String> championModelDir;

    /** The version the champion serves: the model file there must be this one. */
    @Inject
    @ConfigProperty(name = "api.champion.model-version")
    Optional<String> championModelVersion;

    /**
     * The secret the gateway adds to every request it forwards (X-Gateway-Token), generated at the
     * stack's start; unset: no request counts as the gateway's ({@link GatewayOrigin}).
     */
    @Inject
    @ConfigProperty(name = "api.gateway.token")
    Optional<String> gatewayToken;

    /** "v1" (label only) or "v2" (label and probabilities). */
    public String variant() {
        return variant;
    }

    public boolean includesProbabilities() {
        return "v2".equals(variant);
    }

    /** The name sent back in {@code X-Served-By}. */
    public String instanceName() {
        return instanceName;
    }

    public int maxSentenceLength() {
        return maxSentenceLength;
    }

    public int batchMax() {
        return Math.max(1, batchMax);
    }

    public String apiVersion() {
        return apiVersion;
    }

    public String modelResource() {
        return modelResource;
    }

    public int httpPort() {
        return httpPort;
    }

    public int warmUpMaxSeconds() {
        return warmUpMaxSeconds;
    }

    public int warmUpRate() {
        return Math.max(1, warmUpRate);
    }

    public int warmUpClients() {
        return Math.max(1, warmUpClients);
    }

    public int driftWindow() {
        return Math.max(1, driftWindow);
    }

    /** Where the prediction log goes, or empty when it is off. */
    public Optional<Path> predictionLogDir() {
        if (predictionLogMaxMb <= 0) {
            return Optional.empty();
        }
        return predictionLogDir
                .or(() -> Optional.ofNullable(System.getenv("LOG_DIR")))
                .filter(d -> !d.isBlank())
                .map(Path::of);
    }

    public long predictionLogMaxBytes() {
        return predictionLogMaxMb * 1024L * 1024L;
    }

    public Optional<Path> championModelDir() {
        return championModelDir.filter(d -> !d.isBlank()).map(Path::of);
    }

    public Optional<String> championModelVersion() {
        return championModelVersion.filter(v -> !v.isBlank());
    }

    public Optional<String> gatewayToken() {
        return gatewayToken.filter(t -> !t.isBlank());
    }

    public boolean predictionLogText() {
        return predictionLogText;
    }
}
