package org.mlgateway.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.util.regex.Pattern;

/**
 * While the server warms up ({@link WarmUp}), client predictions (/predict and the protocol's inference) get
 * 503 with Retry-After: Nginx tries the next server (proxy_next_upstream http_503), so clients are served by
 * a warm one.
 */
@Provider
@PreMatching
public class WarmingUpFilter implements ContainerRequestFilter {

    /** The paths that predict: /predict and the Open Inference Protocol's inference, with or without a version. */
    static final Pattern PREDICTIONS = Pattern.compile("/?(predict|v2/models/[^/]+(/versions/[^/]+)?/infer)/?");

    @Inject
    WarmUp warmUp;

    @Inject
    PredictionMetrics metrics;

    @Override
    public void filter(ContainerRequestContext request) {
        if (warmUp.isDone() || warmUp.isWarmUpRequest(request.getHeaderString(WarmUp.HEADER))) {
            return;
        }
        if (PREDICTIONS.matcher(request.getUriInfo().getPath()).matches()) {
            metrics.countRejection("warming_up");
            request.abortWith(Response.status(503)
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(new ApiError("warming_up", "This server is warming up; retry shortly."))
                    .header("Retry-After", "1")
                    .build());
        }
    }
}
