package org.mlgateway.api;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.media.Schema;

/**
 * Writes the configured sentence limit ({@code api.sentence.max-length}, env API_SENTENCE_MAX_LENGTH) into
 * the OpenAPI document as the request schema's {@code maxLength}, so the document states the limit the
 * server enforces instead of a number fixed at compile time. Registered with {@code mp.openapi.filter};
 * the OpenAPI runtime creates it (not CDI), so it reads MicroProfile Config directly.
 */
public class OpenApiLimits implements OASFilter {

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        Schema sentence = openAPI.getComponents() == null || openAPI.getComponents().getSchemas() == null ? null
                : property(openAPI.getComponents().getSchemas().get("PredictRequest"), "sentence");
        if (sentence == null) {
            throw new IllegalStateException("the OpenAPI document has no PredictRequest.sentence schema");
        }
        int limit = ConfigProvider.getConfig(OpenApiLimits.class.getClassLoader())
                .getOptionalValue(ApiConfig.MAX_LENGTH, Integer.class)
                .orElse(Integer.valueOf(ApiConfig.MAX_LENGTH_DEFAULT));
        sentence.setMaxLength(limit);
    }

    private static Schema property(Schema schema, String name) {
        return schema == null || schema.getProperties() == null ? null : schema.getProperties().get(name);
    }
}
