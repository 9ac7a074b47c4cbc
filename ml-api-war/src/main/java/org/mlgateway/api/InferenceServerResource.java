package org.mlgateway.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The Open Inference Protocol's server endpoints: {@code GET /v2}, {@code /v2/health/live}, {@code /v2/health/ready}. */
@Path("/v2")
@ApplicationScoped
@Tag(
        name = InferenceServerResource.TAG,
        description = "The Open Inference Protocol (REST, \"V2\") that KServe, Triton "
                + "and MLServer speak, beside POST /predict")
public class InferenceServerResource {

    static final String TAG = "Open Inference Protocol";
    static final String SERVER_NAME = "Emotion prediction API";

    @Inject
    ApiConfig config;

    @Inject
    ModelService model;

    @Inject
    WarmUp warmUp;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Server metadata",
            description = "The server's name and version; it defines no protocol extensions.")
    @APIResponse(
            responseCode = "200",
            description = "The server metadata",
            content = @Content(schema = @Schema(implementation = ServerMetadata.class)))
    public ServerMetadata metadata() {
        return new ServerMetadata(SERVER_NAME, config.apiVersion(), List.of());
    }

    @GET
    @Path("health/live")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Server live", description = "200 while the server can answer requests.")
    @APIResponse(
            responseCode = "200",
            description = "Live",
            content = @Content(schema = @Schema(implementation = Readiness.Live.class)))
    public Readiness.Live live() {
        return new Readiness.Live(true);
    }

    @GET
    @Path("health/ready")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Server ready",
            description = "200 once the model is loaded and the server warmed up, else 503.")
    @APIResponse(
            responseCode = "200",
            description = "Ready",
            content = @Content(schema = @Schema(implementation = Readiness.Ready.class)))
    @APIResponse(
            responseCode = "503",
            description = "Not ready yet",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Readiness.Ready ready() {
        if (!model.isReady() || !warmUp.isDone()) {
            throw new ApiException(503, "not_ready", "The server is loading its model or warming up; retry shortly.");
        }
        return new Readiness.Ready(true);
    }
}
