package org.mlgateway.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.ext.Provider;

/**
 * Names the server and the model on every answer, so balancing, routing and rollouts are visible from
 * outside, and hands back the gateway's request id: the key of this request's prediction log line.
 */
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
        String requestId = request.getHeaderString(PredictResource.REQUEST_ID);
        if (requestId != null) {
            response.getHeaders().putSingle(PredictResource.REQUEST_ID, requestId);
        }
    }
}
