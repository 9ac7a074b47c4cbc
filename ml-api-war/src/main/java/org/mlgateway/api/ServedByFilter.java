package org.mlgateway.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.ext.Provider;

/**
 * Names the server and the model on every answer, for whoever may see them: the gateway passes them
 * on to the debug group only, so ordinary clients cannot tell which server or canary arm answered.
 * Hands back the gateway's request id, the key of this request's prediction log line, when the
 * gateway sent the request ({@link GatewayOrigin}); a request id from anyone else is not repeated.
 */
@Provider
public class ServedByFilter implements ContainerResponseFilter {

    @Inject
    ApiConfig config;

    @Inject
    ModelService model;

    @Inject
    GatewayOrigin gateway;

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        response.getHeaders().putSingle("X-Served-By", config.instanceName());
        response.getHeaders().putSingle("X-Model-Version", model.modelVersion());
        String requestId = request.getHeaderString(PredictResource.REQUEST_ID);
        if (requestId != null && gateway.vouchesFor(request.getHeaderString(GatewayOrigin.HEADER))) {
            response.getHeaders().putSingle(PredictResource.REQUEST_ID, requestId);
        }
    }
}
