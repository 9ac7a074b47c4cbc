package org.mlgateway.api;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;

/** The JAX-RS application, served at the context root so that the API answers at {@code /predict}. */
@ApplicationPath("/")
@OpenAPIDefinition(
        info =
                @Info(
                        title = "Emotion prediction API",
                        version = "1",
                        description = "Names the emotion of one English sentence (13 labels). "
                                + "v1 answers the label; v2 (debug) adds every label's probability."))
public class PredictionApplication extends Application {}
