package org.mlgateway.api;

import jakarta.json.bind.annotation.JsonbProperty;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The Open Inference Protocol's inference response: the model that answered, the client's id (left out
 * when the request had none) and one tensor per output, each holding the whole batch.
 */
@JsonbPropertyOrder({"modelName", "modelVersion", "id", "outputs"})
@Schema(name = "InferenceResponse", description = "The Open Inference Protocol's inference response")
public record InferenceResponse(
        @JsonbProperty("model_name") @Schema(example = "emotion")
        String modelName,

        @JsonbProperty("model_version") @Schema(description = "The served model's version")
        String modelVersion,

        @Schema(description = "The request's id; left out when it had none")
        String id,

        @Schema(description = "One tensor per output asked for (all when none was)")
        List<Tensor> outputs) {

    /** An output tensor; {@code data} is flat, in row-major order (the protocol's "flattened" form). */
    @JsonbPropertyOrder({"name", "datatype", "shape", "data"})
    @Schema(name = "InferenceResponseOutput", description = "One output tensor; data flat, row-major")
    public record Tensor(
            @Schema(example = "label") String name,

            @Schema(description = "BYTES for label, FP32 for probabilities")
            String datatype,

            @Schema(description = "[N] for label, [N, 13] for probabilities")
            long[] shape,

            @Schema(description = "The labels, or the probabilities row by row", type = SchemaType.ARRAY)
            Object data) {}
}
