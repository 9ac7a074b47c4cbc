package org.mlgateway.api;

import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The Open Inference Protocol's model metadata, with the model card's facts and this server's limits in
 * {@code parameters}: the protocol's name/value form (strings and numbers), as its inference requests and
 * responses carry them. The probabilities tensor names its label order in its own {@code parameters}.
 */
@JsonbPropertyOrder({"name", "versions", "platform", "inputs", "outputs", "parameters"})
@Schema(
        name = "ModelMetadata",
        description = "The Open Inference Protocol's model metadata, with the model card's facts in parameters")
public record ModelMetadata(
        @Schema(example = "emotion") String name,

        @Schema(description = "The one version: the served model's (12 hex digits of its file's SHA-256)")
        List<String> versions,

        @Schema(example = "tribuo_protobuf") String platform,

        @Schema(description = "One BYTES tensor of sentences, text [-1]")
        List<Tensor> inputs,

        @Schema(description = "label [-1]; in the v2 variant also probabilities [-1, 13]")
        List<Tensor> outputs,

        @Schema(
                description =
                        "api_variant, max_batch_size, max_sentence_length and the model card's facts: trained_at, "
                                + "tribuo_version, dataset_sha256, dataset_rows, training_rows, validation_rows, validation_accuracy, "
                                + "validation_macro_f1, validation_log_loss")
        Map<String, Object> parameters) {

    /** A tensor's name, datatype and shape (-1: as many as the batch holds); {@code parameters} left out when null. */
    @JsonbPropertyOrder({"name", "datatype", "shape", "parameters"})
    @Schema(name = "ModelMetadataTensor", description = "A tensor's name, datatype and shape (-1: the batch's size)")
    public record Tensor(
            @Schema(example = "text") String name,
            @Schema(example = "BYTES") String datatype,
            @Schema(description = "-1 for the batch's size") long[] shape,

            @Schema(description = "labels: the probabilities' column order")
            Map<String, Object> parameters) {}
}
