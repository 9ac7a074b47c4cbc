package org.mlgateway.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The settings of one server, from MicroProfile Config (properties file, Liberty variables, environment). */
@ApplicationScoped
public class ApiConfig {

    @Inject
    @ConfigProperty(name = "api.variant", defaultValue = "v1")
    String variant;

    @Inject
    @ConfigProperty(name = "api.instance.name", defaultValue = "api-unnamed")
    String instanceName;

    @Inject
    @ConfigProperty(name = "api.sentence.max-length", defaultValue = "5000")
    int maxSentenceLength;

    @Inject
    @ConfigProperty(name = "api.model.resource", defaultValue = "model/emotion-model.tribuo.gz")
    String modelResource;

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
}
