package org.mlgateway.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only once the model is loaded and the request path is warm ({@link WarmUp}): the gateway,
 * rollouts and orchestrators send no traffic before.
 */
@Readiness
@ApplicationScoped
public class ModelReadinessCheck implements HealthCheck {

    @Inject
    ModelService model;

    @Inject
    ApiConfig config;

    @Inject
    WarmUp warmUp;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("model")
                .status(model.isReady() && warmUp.isDone())
                .withData("modelVersion", model.modelVersion())
                .withData("variant", config.variant())
                .withData("instance", config.instanceName())
                .withData("warmUp", warmUp.summary())
                .withData("problem", model.problem().orElse("none"))
                .build();
    }
}
