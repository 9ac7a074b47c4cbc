package org.mlgateway.api;

import jakarta.json.bind.annotation.JsonbProperty;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import java.util.List;

/**
 * The Open Inference Protocol's inference response: the model that answered, the client's id (left out
 * when the request had none) and one tensor per output, each holding the whole batch.
 */
@JsonbPropertyOrder({"modelName", "modelVersion", "id", "outputs"})
@Schema(name = "InferenceResponse", description = "The Open Inference Protocol's inference response")
public record InferenceResponse(
        @JsonbProperty("model_name") String modelName,
        @JsonbProperty("model_version") String modelVersion,
        String id,
        List<Tensor> outputs) {

    /** An output tensor; {@code data} is flat, in row-major order (the protocol's "flattened" form). */
    @JsonbPropertyOrder({"name", "datatype", "shape", "data"})
    @Schema(name = "InferenceResponseOutput", description = "One output tensor; data flat, row-major")
    public record Tensor(String name, String datatype, long[] shape, Object data) {
    }
}
