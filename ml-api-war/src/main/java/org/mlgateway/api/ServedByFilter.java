package org.mlgateway.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.ext.Provider;

/** Names the server and the model on every answer, so balancing, routing and rollouts are visible from outside. */
@Provider
public class ServedByFilter implements ContainerResponseFilter {

    @Inject
    ApiConfig config;

    @Inject
    ModelService model;

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        response.getHeaders().putSingle("X-Served-By", config.instanceName());
        response.getHeaders().putSingle("X-Model-Version", model.modelVersion());
    }
}
