package org.mlgateway.api;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.mlgateway.emotion.Prediction;

/**
 * The Open Inference Protocol's model endpoints for the one model, {@code emotion}: metadata, readiness and
 * inference, with or without {@code /versions/<v>} (the served model's version; any other is a 404). An
 * inference takes a batch of sentences and counts, compares and logs each one as {@code POST /predict}
 * does one ({@link PredictionRecorder}). One instance serves every request: it keeps no request state.
 */
@Path("/v2/models/{model}")
@ApplicationScoped
@Tag(name = InferenceServerResource.TAG)
public class InferenceModelResource {

    private static final String EXAMPLE_REQUEST =
            "{\"id\": \"42\", \"inputs\": [{\"name\": \"text\", \"datatype\": \"BYTES\","
                    + " \"shape\": [2], \"data\": [\"I love this!\", \"so tired of waiting\"]}]}";

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

    /** The limits are fixed for the life of the server, so one reader serves every request. */
    private InferenceRequestReader reader;

    private volatile ModelMetadata metadata;

    @PostConstruct
    void init() {
        reader = new InferenceRequestReader(
                config.maxSentenceLength(), config.batchMax(), InferenceModel.outputs(config.includesProbabilities()));
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Model metadata",
            description = "The model's versions, platform, input and outputs, with its card's "
                    + "facts (training data, validation metrics) and this server's limits in parameters.")
    @APIResponse(
            responseCode = "200",
            description = "The model metadata",
            content = @Content(schema = @Schema(implementation = ModelMetadata.class)))
    @APIResponse(
            responseCode = "404",
            description = "No such model",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public ModelMetadata metadata(@PathParam("model") String name) {
        return metadataOf(name, null);
    }

    @GET
    @Path("versions/{version}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Model metadata, of one version",
            description = "As the model metadata; only the served version exists.")
    @APIResponse(
            responseCode = "200",
            description = "The model metadata",
            content = @Content(schema = @Schema(implementation = ModelMetadata.class)))
    @APIResponse(
            responseCode = "404",
            description = "No such model or version",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public ModelMetadata versionMetadata(@PathParam("model") String name, @PathParam("version") String version) {
        return metadataOf(name, version);
    }

    @GET
    @Path("ready")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Model ready", description = "200 once the model can answer inferences, else 503.")
    @APIResponse(
            responseCode = "200",
            description = "Ready",
            content = @Content(schema = @Schema(implementation = Readiness.ModelReady.class)))
    public Readiness.ModelReady ready(@PathParam("model") String name) {
        return readyOf(name, null);
    }

    @GET
    @Path("versions/{version}/ready")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Model ready, of one version", description = "As model ready; only the served version exists.")
    @APIResponse(
            responseCode = "200",
            description = "Ready",
            content = @Content(schema = @Schema(implementation = Readiness.ModelReady.class)))
    public Readiness.ModelReady versionReady(@PathParam("model") String name, @PathParam("version") String version) {
        return readyOf(name, version);
    }

    @POST
    @Path("infer")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Inference: the emotion of each sentence of a batch",
            description =
                    "One BYTES input \"text\" of shape [N] (N at most api.batch.max); outputs \"label\" (BYTES [N]) and, "
                            + "in the v2 variant, \"probabilities\" (FP32 [N, 13], labels in the order of the model metadata).")
    @RequestBody(
            required = true,
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = InferenceRequestDocument.class),
                            examples = @ExampleObject(name = "two sentences", value = EXAMPLE_REQUEST)))
    @APIResponse(
            responseCode = "200",
            description = "One tensor per output, the whole batch in each",
            content = @Content(schema = @Schema(implementation = InferenceResponse.class)))
    @APIResponse(
            responseCode = "400",
            description = "The body is not valid JSON or not UTF-8",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(
            responseCode = "404",
            description = "No such model or version",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(
            responseCode = "413",
            description = "More sentences than api.batch.max, or too large a body",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(
            responseCode = "415",
            description = "The body is not declared as application/json",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(
            responseCode = "422",
            description = "Not a request this model takes: the input, its shape, a sentence "
                    + "(missing, not a string, blank or too long) or an unknown output",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public InferenceResponse infer(
            @PathParam("model") String name, @Parameter(hidden = true) @Context HttpHeaders headers, InputStream body)
            throws IOException {
        return inferOf(name, null, headers, body);
    }

    @POST
    @Path("versions/{version}/infer")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Inference, by one version", description = "As the inference; only the served version exists.")
    @RequestBody(
            required = true,
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = InferenceRequestDocument.class)))
    @APIResponse(
            responseCode = "200",
            description = "One tensor per output, the whole batch in each",
            content = @Content(schema = @Schema(implementation = InferenceResponse.class)))
    @APIResponse(
            responseCode = "404",
            description = "No such model or version",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public InferenceResponse versionInfer(
            @PathParam("model") String name,
            @PathParam("version") String version,
            @Parameter(hidden = true) @Context HttpHeaders headers,
            InputStream body)
            throws IOException {
        return inferOf(name, version, headers, body);
    }

    private InferenceResponse inferOf(String name, String version, HttpHeaders headers, InputStream body)
            throws IOException {
        long received = System.nanoTime();
        // The server's own warm-up runs this very code but is not counted (as in PredictResource).
        boolean counted = !warmUp.isWarmUpRequest(headers.getHeaderString(WarmUp.HEADER));
        requireModel(name, version);
        InferenceRequest request = reader.read(body);
        List<String> sentences = request.sentences();
        List<Prediction> predictions = new ArrayList<>(sentences.size());
        long[] inferenceNanos = new long[sentences.size()];
        for (int i = 0; i < sentences.size(); i++) {
            long start = System.nanoTime();
            predictions.add(model.predict(sentences.get(i)));
            inferenceNanos[i] = System.nanoTime() - start;
        }
        if (counted) {
            long latencyMicros = (System.nanoTime() - received) / 1000;
            PredictionRecorder.Origin origin = PredictionRecorder.Origin.of(
                    gateway.vouchesFor(headers.getHeaderString(GatewayOrigin.HEADER)),
                            headers.getHeaderString(PredictResource.REQUEST_ID),
                    headers.getHeaderString(TraceParent.HEADER), headers.getHeaderString(ShadowComparison.HEADER));
            for (int i = 0; i < sentences.size(); i++) {
                recorder.record(origin, sentences.get(i), predictions.get(i), inferenceNanos[i], latencyMicros, i);
            }
        }
        List<String> outputs = request.outputs().isEmpty()
                ? InferenceModel.outputs(config.includesProbabilities())
                : request.outputs();
        List<InferenceResponse.Tensor> tensors = new ArrayList<>(outputs.size());
        for (String output : outputs) {
            tensors.add(InferenceModel.LABEL.equals(output) ? labels(predictions) : probabilities(predictions));
        }
        return new InferenceResponse(InferenceModel.NAME, model.modelVersion(), request.id(), tensors);
    }

    private static InferenceResponse.Tensor labels(List<Prediction> predictions) {
        return new InferenceResponse.Tensor(
                InferenceModel.LABEL,
                InferenceModel.BYTES,
                new long[] {predictions.size()},
                predictions.stream().map(Prediction::label).toList());
    }

    /** Row-major [N, labels]: each sentence's probabilities in the metadata's label order (alphabetical). */
    private InferenceResponse.Tensor probabilities(List<Prediction> predictions) {
        List<String> labels = model.labels();
        float[] data = new float[predictions.size() * labels.size()];
        int k = 0;
        for (Prediction p : predictions) {
            for (String label : labels) {
                data[k++] = p.probabilities().get(label).floatValue();
            }
        }
        return new InferenceResponse.Tensor(
                InferenceModel.PROBABILITIES,
                InferenceModel.FP32,
                new long[] {predictions.size(), labels.size()},
                data);
    }

    private ModelMetadata metadataOf(String name, String version) {
        requireModel(name, version);
        ModelMetadata m = metadata;
        if (m == null) {
            metadata = m = describe();
        }
        return m;
    }

    // Built once: the model does not change during a server's life (a new model is a new deployment).
    private ModelMetadata describe() {
        List<String> labels = model.labels();
        List<ModelMetadata.Tensor> outputs = new ArrayList<>();
        outputs.add(new ModelMetadata.Tensor(InferenceModel.LABEL, InferenceModel.BYTES, new long[] {-1}, null));
        if (config.includesProbabilities()) {
            outputs.add(new ModelMetadata.Tensor(
                    InferenceModel.PROBABILITIES,
                    InferenceModel.FP32,
                    new long[] {-1, labels.size()},
                    Map.of("labels", String.join(",", labels))));
        }
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("api_variant", config.variant());
        parameters.put("max_batch_size", config.batchMax());
        parameters.put("max_sentence_length", config.maxSentenceLength());
        parameters.putAll(model.cardSummary());
        return new ModelMetadata(
                InferenceModel.NAME,
                List.of(model.modelVersion()),
                InferenceModel.PLATFORM,
                List.of(new ModelMetadata.Tensor(InferenceModel.INPUT, InferenceModel.BYTES, new long[] {-1}, null)),
                List.copyOf(outputs),
                parameters);
    }

    private Readiness.ModelReady readyOf(String name, String version) {
        requireModel(name, version);
        if (!warmUp.isDone()) {
            throw new ApiException(
                    503, "not_ready", "The model is loaded but the server is still warming up; retry shortly.");
        }
        return new Readiness.ModelReady(InferenceModel.NAME, true);
    }

    /** The name must be the model's; a version, if given, the one served. Not loaded (yet): 503. */
    private void requireModel(String name, String version) {
        if (!InferenceModel.NAME.equals(name)) {
            throw new ApiException(
                    404,
                    "model_not_found",
                    "There is no model " + InferenceRequestReader.quoted(name) + " here; the model is \""
                            + InferenceModel.NAME + "\" (GET /v2/models/" + InferenceModel.NAME + ").");
        }
        if (!model.isReady()) {
            throw new ApiException(503, "model_unavailable", "The model is not loaded yet; retry shortly.");
        }
        if (version != null && !version.equals(model.modelVersion())) {
            throw new ApiException(
                    404,
                    "model_version_not_found",
                    "The model \"" + InferenceModel.NAME + "\" has no version " + InferenceRequestReader.quoted(version)
                            + "; this server serves version " + model.modelVersion() + ".");
        }
    }

    /** The request body, for the OpenAPI document (the resource reads the raw body to report errors precisely). */
    @Schema(
            name = "InferenceRequest",
            description = "The Open Inference Protocol's inference request: one input tensor of sentences")
    public record InferenceRequestDocument(
            @Schema(description = "Returned as is in the answer")
            String id,

            @Schema(description = "Accepted and not used") Map<String, Object> parameters,

            @Schema(required = true, minItems = 1, maxItems = 1)
            List<Input> inputs,

            @Schema(description = "The outputs to answer (label, probabilities); all when left out or empty")
            List<Output> outputs) {

        @Schema(name = "InferenceRequestInput")
        public record Input(
                @Schema(required = true, enumeration = InferenceModel.INPUT)
                String name,

                @Schema(required = true, enumeration = InferenceModel.BYTES)
                String datatype,

                @Schema(required = true, description = "[N], N the number of sentences")
                List<Long> shape,
                // maxItems and the sentences' maxLength are filled in from the settings by OpenApiLimits.
                @Schema(required = true, description = "The sentences")
                List<String> data) {}

        @Schema(name = "InferenceRequestOutput")
        public record Output(
                @Schema(
                        required = true,
                        enumeration = {InferenceModel.LABEL, InferenceModel.PROBABILITIES})
                String name) {}
    }
}
