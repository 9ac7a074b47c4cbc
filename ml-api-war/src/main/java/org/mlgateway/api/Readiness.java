package org.mlgateway.api;

import jakarta.json.bind.annotation.JsonbPropertyOrder;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The bodies of the protocol's health answers (its text: {"live": true}, {"ready": true}, {"name": ..., "ready": true}). */
public final class Readiness {

    private Readiness() {}

    @Schema(name = "ServerLive")
    public record Live(@Schema(example = "true") boolean live) {}

    @Schema(name = "ServerReady")
    public record Ready(@Schema(example = "true") boolean ready) {}

    @JsonbPropertyOrder({"name", "ready"})
    @Schema(name = "ModelReady")
    public record ModelReady(
            @Schema(example = "emotion") String name,
            @Schema(example = "true") boolean ready) {}
}
