package org.mlgateway.api;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.media.Schema;

/**
 * Writes the configured limits into the OpenAPI document, so it states the limits the server enforces
 * instead of numbers fixed at compile time: the sentence limit ({@code api.sentence.max-length}, env
 * API_SENTENCE_MAX_LENGTH) as {@code maxLength} of {@code /predict}'s sentence and of each sentence of an
 * inference request, and the batch limit ({@code api.batch.max}, env API_BATCH_MAX) as the {@code maxItems} of
 * its data. Registered with {@code mp.openapi.filter}; the OpenAPI runtime creates it (not CDI), so it reads
 * MicroProfile Config directly.
 */
public class OpenApiLimits implements OASFilter {

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        Schema sentence = property(schema(openAPI, "PredictRequest"), "sentence");
        Schema batch = property(schema(openAPI, "InferenceRequestInput"), "data");
        if (sentence == null || batch == null || batch.getItems() == null) {
            throw new IllegalStateException(
                    "the OpenAPI document has no PredictRequest.sentence or InferenceRequestInput.data schema");
        }
        Config config = ConfigProvider.getConfig(OpenApiLimits.class.getClassLoader());
        int limit = config.getOptionalValue(ApiConfig.MAX_LENGTH, Integer.class)
                .orElse(Integer.valueOf(ApiConfig.MAX_LENGTH_DEFAULT));
        sentence.setMaxLength(limit);
        batch.getItems().setMaxLength(limit);
        batch.setMaxItems(config.getOptionalValue(ApiConfig.BATCH_MAX, Integer.class)
                .orElse(Integer.valueOf(ApiConfig.BATCH_MAX_DEFAULT)));
        batch.setMinItems(1);
    }

    private static Schema schema(OpenAPI openAPI, String name) {
        return openAPI.getComponents() == null || openAPI.getComponents().getSchemas() == null
                ? null
                : openAPI.getComponents().getSchemas().get(name);
    }

    private static Schema property(Schema schema, String name) {
        return schema == null || schema.getProperties() == null
                ? null
                : schema.getProperties().get(name);
    }
}
