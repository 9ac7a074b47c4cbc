package org.mlgateway.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
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
}
