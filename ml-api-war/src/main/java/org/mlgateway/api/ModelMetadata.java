package org.mlgateway.api;

import jakarta.json.bind.annotation.JsonbPropertyOrder;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import java.util.List;
import java.util.Map;

/**
 * The Open Inference Protocol's model metadata, with the model card's facts and this server's limits in
 * {@code parameters}: the protocol's name/value form (strings and numbers), as its inference requests and
 * responses carry them. The probabilities tensor names its label order in its own {@code parameters}.
 */
@JsonbPropertyOrder({"name", "versions", "platform", "inputs", "outputs", "parameters"})
@Schema(name = "ModelMetadata", description = "The Open Inference Protocol's model metadata, with the model card's facts in parameters")
public record ModelMetadata(String name, List<String> versions, String platform, List<Tensor> inputs,
        List<Tensor> outputs, Map<String, Object> parameters) {

    /** A tensor's name, datatype and shape (-1: as many as the batch holds); {@code parameters} left out when null. */
    @JsonbPropertyOrder({"name", "datatype", "shape", "parameters"})
    @Schema(name = "ModelMetadataTensor", description = "A tensor's name, datatype and shape (-1: the batch's size)")
    public record Tensor(String name, String datatype, long[] shape, Map<String, Object> parameters) {
    }
}
