package org.mlgateway.api;

import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The Open Inference Protocol's server metadata: a descriptive name, this build's version, and no extensions. */
@JsonbPropertyOrder({"name", "version", "extensions"})
@Schema(name = "ServerMetadata", description = "The Open Inference Protocol's server metadata")
public record ServerMetadata(
        @Schema(example = "Emotion prediction API") String name,
        @Schema(description = "This build's version") String version,

        @Schema(description = "None: the model card's facts are ordinary parameters")
        List<String> extensions) {}
