package org.mlgateway.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Every refusal and fault leaves as the JSON error body; never HTML, never a stack trace. */
public final class ErrorMappers {

    private ErrorMappers() {}

    static Response json(int status, ApiError body) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(body)
                .build();
    }

    /** The API's own refusals (validation). */
    @Provider
    public static class ApiExceptionMapper implements ExceptionMapper<ApiException> {
        @Inject
        PredictionMetrics metrics;

        @Override
        public Response toResponse(ApiException e) {
            metrics.countRejection(e.body().error());
            return json(e.status(), e.body());
        }
    }

    /** JAX-RS's own refusals: unknown path, wrong method, wrong content type, unacceptable Accept. */
    @Provider
    public static class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {
        @Inject
        PredictionMetrics metrics;

        @Override
        public Response toResponse(WebApplicationException e) {
            int status = e.getResponse().getStatus();
            ApiError body = describe(e, status);
            metrics.countRejection(body.error());
            Response.ResponseBuilder answer = Response.status(status)
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(body);
            if (e.getResponse().getHeaderString("Allow") != null) {
                answer.header("Allow", e.getResponse().getHeaderString("Allow"));
            }
            return answer.build();
        }
    }

    static ApiError describe(WebApplicationException e, int status) {
        if (e instanceof NotFoundException) {
            return new ApiError(
                    "not_found",
                    "No such resource. The API is POST /predict, and the Open Inference Protocol under /v2.");
        }
        if (e instanceof NotAllowedException) {
            return new ApiError(
                    "method_not_allowed", "This method is not allowed here; the Allow header names the ones that are.");
        }
        if (e instanceof NotSupportedException) {
            return new ApiError(
                    "unsupported_media_type",
                    "Send the body as Content-Type: application/json. " + PredictRequestReader.EXAMPLE);
        }
        if (e instanceof NotAcceptableException) {
            return new ApiError("not_acceptable", "The API answers application/json only.");
        }
        return status >= 500
                ? new ApiError("internal_error", "The server could not answer; retry later.")
                : new ApiError("bad_request", "The request could not be understood. " + PredictRequestReader.EXAMPLE);
    }

    /** Anything unexpected is a fault of ours: log it here, tell the client nothing internal. */
    @Provider
    public static class UnexpectedExceptionMapper implements ExceptionMapper<Throwable> {
        private static final Logger LOG = Logger.getLogger(UnexpectedExceptionMapper.class.getName());

        @Override
        public Response toResponse(Throwable e) {
            LOG.log(Level.SEVERE, "Unexpected failure while answering a request", e);
            return json(500, new ApiError("internal_error", "The server could not answer; retry later."));
        }
    }
}
