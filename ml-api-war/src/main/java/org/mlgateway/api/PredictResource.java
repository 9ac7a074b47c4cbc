package org.mlgateway.api;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.InputStream;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.mlgateway.emotion.Prediction;

/** {@code POST /predict}: the emotion of one sentence. One instance serves every request: it keeps no request state. */
@Path("/predict")
@ApplicationScoped
public class PredictResource {

    /**
     * Set by Nginx on every request it forwards (and by mirrors of it), so lines of two servers can be
     * joined; taken only from the gateway ({@link GatewayOrigin}).
     */
    static final String REQUEST_ID = "X-Request-ID";

    @Inject
    ApiConfig config;

    @Inject
    ModelService model;

    @Inject
    WarmUp warmUp;

    @Inject
    PredictionRecorder recorder;

    @Inject
    GatewayOrigin gateway;

    /** The limit is fixed for the life of the server, so one reader serves every request. */
    private PredictRequestReader reader;

    @PostConstruct
    void init() {
        reader = new PredictRequestReader(config.maxSentenceLength());
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Predict the emotion of a sentence",
            description = "v1 answers {\"prediction value\": label}; v2 adds prediction_proba_dict with all 13 labels.")
    @RequestBody(
            required = true,
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = PredictRequest.class),
                            examples = @ExampleObject(name = "love", value = "{\"sentence\": \"I love this!\"}")))
    @APIResponse(
            responseCode = "200",
            description = "The predicted emotion",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            examples = {
                                @ExampleObject(name = "v1", value = "{\"prediction value\": \"love\"}"),
                                @ExampleObject(
                                        name = "v2",
                                        value = "{\"prediction value\": \"love\", \"prediction_proba_dict\": "
                                                + "{\"anger\": 0.004, \"boredom\": 0.006, \"empty\": 0.013, \"enthusiasm\": 0.016, "
                                                + "\"fun\": 0.045, \"happiness\": 0.180, \"hate\": 0.012, \"love\": 0.452, "
                                                + "\"neutral\": 0.092, \"relief\": 0.031, \"sadness\": 0.050, \"surprise\": 0.039, "
                                                + "\"worry\": 0.060}}")
                            }))
    @APIResponse(
            responseCode = "400",
            description = "The body is not valid JSON or not UTF-8",
            content =
                    @Content(
                            schema = @Schema(implementation = ApiError.class),
                            examples =
                                    @ExampleObject(
                                            name = "invalid_json",
                                            value =
                                                    "{\"error\": \"invalid_json\", \"message\": \"The request body is not valid JSON.\"}")))
    @APIResponse(
            responseCode = "413",
            description = "The body is too large",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(
            responseCode = "415",
            description = "The body is not declared as application/json",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(
            responseCode = "422",
            description = "The sentence is missing, not a string, blank or too long",
            content =
                    @Content(
                            schema = @Schema(implementation = ApiError.class),
                            examples =
                                    @ExampleObject(
                                            name = "missing_sentence",
                                            value =
                                                    "{\"error\": \"missing_sentence\", \"message\": \"The field \\\"sentence\\\" is missing.\"}")))
    @APIResponse(
            responseCode = "503",
            description = "The model is not loaded yet",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Object predict(
            @Parameter(hidden = true) @HeaderParam(WarmUp.HEADER) String warmUpToken,
            @Parameter(hidden = true) @HeaderParam(REQUEST_ID) String requestId,
            @Parameter(hidden = true) @HeaderParam(ShadowComparison.HEADER) String shadowCopy,
            @Parameter(hidden = true) @HeaderParam(TraceParent.HEADER) String traceparent,
            @Parameter(hidden = true) @HeaderParam(GatewayOrigin.HEADER) String gatewayToken,
            InputStream body)
            throws IOException {
        long received = System.nanoTime();
        boolean fromGateway = gateway.vouchesFor(gatewayToken);
        // The server's own warm-up runs this very code (so the JIT compiles what clients will run) but is not counted.
        boolean counted = !warmUp.isWarmUpRequest(warmUpToken);
        String sentence = reader.read(body);
        long start = System.nanoTime();
        Prediction prediction = model.predict(sentence);
        if (counted) {
            long end = System.nanoTime();
            recorder.record(
                    PredictionRecorder.Origin.of(fromGateway, requestId, traceparent, shadowCopy),
                    sentence,
                    prediction,
                    end - start,
                    (end - received) / 1000,
                    -1);
        }
        return config.includesProbabilities()
                ? new PredictionV2(prediction.label(), prediction.probabilities())
                : new PredictionV1(prediction.label());
    }

    /** The request body, for the OpenAPI document (the resource reads the raw body to report errors precisely). */
    @Schema(name = "PredictRequest", description = "One English sentence")
    public record PredictRequest(
            // maxLength is filled in from the configured limit by OpenApiLimits.
            @Schema(required = true, example = "I love this!")
            String sentence) {}
}
