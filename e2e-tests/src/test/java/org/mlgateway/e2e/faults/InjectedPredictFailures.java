package org.mlgateway.e2e.faults;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Failure injection for the tests only: FaultInjectedWar copies this class into a copy of the
 * champion's WAR; the shipped WAR never holds it. Every fourth prediction a client sends is answered
 * with a 500. Mirrored copies (X-Shadow) and the server's own warm-up (X-Warm-Up) are spared, so the
 * fault passes the shadow phase of make canary and shows at its first canary step.
 */
@Provider
public class InjectedPredictFailures implements ContainerRequestFilter {

    private final AtomicLong predictions = new AtomicLong();

    @Override
    public void filter(ContainerRequestContext request) {
        boolean fromClient =
                request.getHeaderString("X-Shadow") == null && request.getHeaderString("X-Warm-Up") == null;
        if (fromClient && "POST".equals(request.getMethod()) && predictions.incrementAndGet() % 4 == 0) {
            request.abortWith(Response.serverError()
                    .type(MediaType.APPLICATION_JSON)
                    .entity("{\"error\": \"injected failure (test build)\"}")
                    .build());
        }
    }
}
