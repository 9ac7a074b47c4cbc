package org.mlgateway.api;

import jakarta.json.bind.annotation.JsonbPropertyOrder;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The bodies of the protocol's health answers (its text: {"live": true}, {"ready": true}, {"name": ..., "ready": true}). */
public final class Readiness {

    private Readiness() {
    }

    @Schema(name = "ServerLive")
    public record Live(boolean live) {
    }

    @Schema(name = "ServerReady")
    public record Ready(boolean ready) {
    }

    @JsonbPropertyOrder({"name", "ready"})
    @Schema(name = "ModelReady")
    public record ModelReady(String name, boolean ready) {
    }
}
