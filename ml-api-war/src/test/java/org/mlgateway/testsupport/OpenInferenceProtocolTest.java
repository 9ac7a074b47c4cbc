package org.mlgateway.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolverFactory;
import com.atlassian.oai.validator.report.ValidationReport;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reading of the published document that every /v2 test relies on, checked on known exchanges
 * without a server: what it accepts, what it refuses, and why the additions are needed.
 */
class OpenInferenceProtocolTest {

    private static final OpenApiInteractionValidator READ = OpenApiInteractionValidator.createForInlineApiSpecification(
                    OpenInferenceProtocol.document())
            .withLevelResolver(LevelResolverFactory.withAdditionalPropertiesIgnored())
            .build();

    private static final String ANSWER =
            "{\"model_name\":\"emotion\",\"model_version\":\"8b357f0c0dbd\",\"id\":\"1\",\"outputs\":"
                    + "[{\"name\":\"label\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"love\"]}]}";
    private static final String REQUEST =
            "{\"id\":\"1\",\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"hi\"]}]}";

    private static Request infer(String path, String body) {
        return SimpleRequest.Builder.post(path)
                .withContentType("application/json")
                .withBody(body)
                .build();
    }

    private static List<String> errors(ValidationReport report) {
        return report.getMessages().stream()
                .filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
                .map(ValidationReport.Message::getKey)
                .toList();
    }

    @Test
    void anInferenceWithOrWithoutAVersionConformsAndAnAnswerWithoutItsModelDoesNot() {
        for (String path : List.of("/v2/models/emotion/infer", "/v2/models/emotion/versions/8b357f0c0dbd/infer")) {
            assertEquals(
                    List.of(),
                    errors(READ.validate(
                            infer(path, REQUEST),
                            SimpleResponse.Builder.ok()
                                    .withContentType("application/json")
                                    .withBody(ANSWER)
                                    .build())),
                    path);
        }
        assertTrue(
                errors(READ.validate(
                                infer("/v2/models/emotion/infer", REQUEST),
                                SimpleResponse.Builder.ok()
                                        .withContentType("application/json")
                                        .withBody(ANSWER.replace("\"model_name\":\"emotion\",", ""))
                                        .build()))
                        .contains("validation.response.body.schema.required"),
                "model_name is required");
        assertTrue(
                errors(READ.validateRequest(infer("/v2/models/emotion/infer", "{\"id\":\"1\"}")))
                        .contains("validation.request.body.schema.required"),
                "inputs are required");
    }

    @Test
    void anyErrorStatusCarriesTheErrorObjectWhichMayHoldMore() {
        for (int status : List.of(400, 404, 413, 422, 503)) {
            assertEquals(
                    List.of(),
                    errors(READ.validate(
                            infer("/v2/models/emotion/infer", REQUEST),
                            SimpleResponse.Builder.status(status)
                                    .withContentType("application/json")
                                    .withBody("{\"error\":\"code\",\"message\":\"what to fix\"}")
                                    .build())),
                    "status " + status);
            assertTrue(
                    errors(READ.validate(
                                    infer("/v2/models/emotion/infer", REQUEST),
                                    SimpleResponse.Builder.status(status)
                                            .withContentType("application/json")
                                            .withBody("{\"message\":\"no error field\"}")
                                            .build()))
                            .contains("validation.response.body.schema.required"),
                    "status " + status + " without error");
        }
    }

    @Test
    void theHealthAnswersAreTheTextsObjects() {
        assertEquals(
                List.of(),
                errors(READ.validate(
                        SimpleRequest.Builder.get("/v2/health/live").build(),
                        SimpleResponse.Builder.ok()
                                .withContentType("application/json")
                                .withBody("{\"live\":true}")
                                .build())));
        assertEquals(
                List.of(),
                errors(READ.validate(
                        SimpleRequest.Builder.get("/v2/models/emotion/ready").build(),
                        SimpleResponse.Builder.ok()
                                .withContentType("application/json")
                                .withBody("{\"name\":\"emotion\",\"ready\":true}")
                                .build())));
        assertTrue(
                errors(READ.validate(
                                SimpleRequest.Builder.get("/v2/models/emotion/ready")
                                        .build(),
                                SimpleResponse.Builder.ok()
                                        .withContentType("application/json")
                                        .withBody("{\"name\":\"emotion\",\"ready\":\"yes\"}")
                                        .build()))
                        .contains("validation.response.body.schema.type"),
                "ready is a boolean");
    }

    @Test
    void theServersMetadataPathIsReadWithAndWithoutItsSlash() {
        for (String path : List.of("/v2", "/v2/")) {
            assertEquals(
                    List.of(),
                    errors(READ.validate(
                            SimpleRequest.Builder.get(path).build(),
                            SimpleResponse.Builder.ok()
                                    .withContentType("application/json")
                                    .withBody("{\"name\":\"n\",\"version\":\"1\",\"extensions\":[]}")
                                    .build())),
                    path);
        }
    }

    @Test
    void asPublishedTheTemplatesMatchNoRealPathAndTheCopiesNeedOwnIds() throws Exception {
        OpenApiInteractionValidator asPublished = OpenApiInteractionValidator.createForInlineApiSpecification(
                        Files.readString(OpenInferenceProtocol.specification()))
                .build();
        assertTrue(
                errors(asPublished.validateRequest(infer("/v2/models/emotion/versions/1/infer", REQUEST)))
                        .contains("validation.request.path.missing"),
                "${MODEL_NAME} is read as a literal $ by OpenAPI tools");
        assertThrows(
                RuntimeException.class,
                () -> OpenApiInteractionValidator.createForInlineApiSpecification(
                                OpenInferenceProtocol.document().replace("-unversioned\"", "\""))
                        .build(),
                "operation ids must stay unique");
        var published = new com.fasterxml.jackson.databind.ObjectMapper(
                        new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readTree(Files.readString(OpenInferenceProtocol.specification()));
        assertTrue(
                published
                                .at("/components/schemas/inference_error_response/properties/error")
                                .isObject()
                        && published
                                .at("/components/schemas/inference_error_response/required")
                                .isMissingNode(),
                "as published, the inference's error object does not require its error");
    }
}
