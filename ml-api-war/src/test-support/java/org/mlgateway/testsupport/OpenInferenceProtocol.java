package org.mlgateway.testsupport;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.report.LevelResolverFactory;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.restassured.RestAssuredRequest;
import com.atlassian.oai.validator.restassured.RestAssuredResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Open Inference Protocol's published OpenAPI document as REST Assured filters: every exchange through
 * them is checked with swagger-request-validator, the request against the document and the response
 * against the operation's responses, and a failed check fails the test. The document is read from
 * {@code ../shared/specs/open-inference-protocol/open_inference_rest.yaml} (system property
 * {@code oip.spec}), never copied into the project.
 *
 * <p>The document is read the way its text (inference_rest.md, beside it) describes the protocol; six
 * things the text says and the document does not are added in memory, nothing is removed:
 * <ol>
 * <li>its path templates are written {@code ${MODEL_NAME}}; they are read as {@code {MODEL_NAME}}, the
 *     OpenAPI form, since a literal {@code $} would match no real path;</li>
 * <li>the text's paths {@code v2/models/<name>[/versions/<version>]/...} have an optional version, the
 *     document only the versioned ones: each gets its unversioned twin;</li>
 * <li>the text's server metadata path is {@code v2}, the document's {@code /v2/}: both are kept;</li>
 * <li>the text says a failed request answers "an HTTP error status (typically 400)" with the error object
 *     in its body, the document lists 400 only, and for some operations nothing: every other status of an
 *     operation is its error object ({@code default}), the server's for server endpoints, the model's for
 *     model metadata and readiness, the inference's for inference;</li>
 * <li>the text's inference error object is {@code {"error": <error message string>}}, its field not marked
 *     optional; the document's schema requires it of the two other error objects but not of this one:
 *     it is required here too;</li>
 * <li>the text's health answers are JSON objects ({@code {"live": $bool}}, {@code {"name": $string, "ready":
 *     $bool}}; its server-ready object repeats "live", a slip for "ready" as KServe answers it), the
 *     document's have no body: their 200 gets that object.</li>
 * </ol>
 * The schemas leave {@code additionalProperties} open (OpenAPI's default: allowed), so an answer may carry
 * more than they name (the project's errors add a {@code message}); the validator's own default treats
 * them as closed and is told to follow the document instead. The tests check exact field lists themselves.
 */
public final class OpenInferenceProtocol {

    /** Checked against the error object when the request matched no operation (an unknown path, a wrong method). */
    private static final String ERROR_ANSWER_PATH = "/v2/models/emotion/infer";

    private static final Pattern TEMPLATE = Pattern.compile("\\$\\{([A-Za-z_]+)}");
    private static final AtomicInteger CHECKED = new AtomicInteger();

    private final OpenApiInteractionValidator validator;

    private OpenInferenceProtocol(OpenApiInteractionValidator validator) {
        this.validator = validator;
    }

    /** The document, for requests to servers whose paths start at {@code basePath} ("" at the server root). */
    public static OpenInferenceProtocol forBasePath(String basePath) {
        return new OpenInferenceProtocol(OpenApiInteractionValidator.createForInlineApiSpecification(document())
                .withBasePathOverride(basePath.isEmpty() ? "/" : basePath)
                .withLevelResolver(LevelResolverFactory.withAdditionalPropertiesIgnored())
                .build());
    }

    /** Where the published document is: -Doip.spec, else ../shared/specs/... beside the project. */
    public static Path specification() {
        return Path.of(System.getProperty(
                        "oip.spec", "../../shared/specs/open-inference-protocol/open_inference_rest.yaml"))
                .toAbsolutePath()
                .normalize();
    }

    /** How many exchanges the filters have checked in this JVM: a test can tell its requests went through them. */
    public static int checkedExchanges() {
        return CHECKED.get();
    }

    /** For requests the document describes: request and response must both conform. */
    public Filter conforming() {
        return (request, response, context) -> check(request, response, context, true);
    }

    /**
     * For requests made to break the document on purpose (a wrong method, a body that is not an inference
     * request): the validator must find the request invalid, and the answer must be the protocol's error.
     */
    public Filter nonConforming() {
        return (request, response, context) -> check(request, response, context, false);
    }

    private Response check(
            FilterableRequestSpecification requestSpec,
            FilterableResponseSpecification responseSpec,
            FilterContext context,
            boolean requestConforms) {
        Response response = context.next(requestSpec, responseSpec);
        Request request = RestAssuredRequest.of(requestSpec);
        com.atlassian.oai.validator.model.Response answer = RestAssuredResponse.of(response);
        List<ValidationReport.Message> requestProblems = new ArrayList<>();
        List<ValidationReport.Message> answerProblems = new ArrayList<>();
        boolean operationFound = true;
        for (ValidationReport.Message m : validator.validate(request, answer).getMessages()) {
            if (m.getLevel() != ValidationReport.Level.ERROR) {
                continue;
            }
            if (m.getKey().startsWith("validation.request")) {
                requestProblems.add(m);
                operationFound &= !m.getKey().equals("validation.request.path.missing")
                        && !m.getKey().equals("validation.request.operation.notAllowed");
            } else {
                answerProblems.add(m);
            }
        }
        if (!operationFound) {
            // No operation to hold the answer against: it must be the protocol's error object all the same.
            validator.validateResponse(ERROR_ANSWER_PATH, Request.Method.POST, answer).getMessages().stream()
                    .filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
                    .forEach(answerProblems::add);
        }
        String exchange = request.getMethod() + " " + request.getPath() + " -> " + response.statusCode() + " "
                + response.asString();
        if (requestConforms && !requestProblems.isEmpty()) {
            throw new AssertionError(
                    "The request breaks the Open Inference Protocol's document: " + requestProblems + "\n" + exchange);
        }
        if (!requestConforms && requestProblems.isEmpty()) {
            throw new AssertionError(
                    "The request was meant to break the document, and the validator found nothing wrong: " + exchange);
        }
        if (!answerProblems.isEmpty()) {
            throw new AssertionError(
                    "The answer breaks the Open Inference Protocol's document: " + answerProblems + "\n" + exchange);
        }
        CHECKED.incrementAndGet();
        return response;
    }

    /** The published document with the six additions above, as JSON. */
    static String document() {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        try {
            ObjectNode document = (ObjectNode) yaml.readTree(Files.readString(specification()));
            ObjectNode paths = (ObjectNode) document.get("paths");
            Map<String, JsonNode> read = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Matcher m = TEMPLATE.matcher(e.getKey());
                read.put(m.replaceAll("{$1}"), e.getValue());
            }
            Map<String, JsonNode> all = new LinkedHashMap<>(read);
            read.forEach((path, item) -> {
                if (path.contains("/versions/{MODEL_VERSION}")) {
                    all.putIfAbsent(
                            path.replace("/versions/{MODEL_VERSION}", ""),
                            renamed(withoutVersion((ObjectNode) item.deepCopy()), "-unversioned"));
                }
                if (path.equals("/v2/")) {
                    all.putIfAbsent("/v2", renamed((ObjectNode) item.deepCopy(), "-without-slash"));
                }
            });
            paths.removeAll();
            all.forEach((path, item) -> paths.set(path, withErrorObjects(path, (ObjectNode) item)));
            ObjectNode inferenceError = (ObjectNode) document.at("/components/schemas/inference_error_response");
            if (!inferenceError.has("required")) {
                inferenceError.putArray("required").add("error");
            }
            return new ObjectMapper().writeValueAsString(document);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot read the Open Inference Protocol's document at " + specification()
                            + " (the project expects ../shared beside it)",
                    e);
        }
    }

    /** A copy's operations need ids of their own: the document's are unique. */
    private static ObjectNode renamed(ObjectNode item, String suffix) {
        item.forEach(operation -> {
            if (operation.has("operationId")) {
                ((ObjectNode) operation)
                        .put("operationId", operation.get("operationId").asText() + suffix);
            }
        });
        return item;
    }

    private static ObjectNode withoutVersion(ObjectNode item) {
        ArrayNode parameters = (ArrayNode) item.get("parameters");
        for (int i = parameters.size() - 1; i >= 0; i--) {
            if ("MODEL_VERSION".equals(parameters.get(i).path("name").asText())) {
                parameters.remove(i);
            }
        }
        return item;
    }

    /** The text's health answer of a path, as properties and their JSON types; null for other paths. */
    private static Map<String, String> healthAnswer(String path) {
        if (path.equals("/v2/health/live")) {
            return Map.of("live", "boolean");
        }
        if (path.equals("/v2/health/ready")) {
            return Map.of("ready", "boolean");
        }
        return path.endsWith("/ready") ? Map.of("name", "string", "ready", "boolean") : null;
    }

    private static ObjectNode withErrorObjects(String path, ObjectNode item) {
        String error = path.endsWith("/infer")
                ? "inference_error_response"
                : path.startsWith("/v2/models/") ? "metadata_model_error_response" : "metadata_server_error_response";
        for (Iterator<Map.Entry<String, JsonNode>> it = item.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> operation = it.next();
            if (!operation.getKey().equals("parameters")) {
                ObjectNode responses = (ObjectNode) operation.getValue().get("responses");
                Map<String, String> health = healthAnswer(path);
                if (health != null && !responses.path("200").has("content")) {
                    ObjectNode properties = ((ObjectNode) responses.get("200"))
                            .putObject("content")
                            .putObject("application/json")
                            .putObject("schema")
                            .put("type", "object")
                            .putObject("properties");
                    health.forEach((name, type) -> properties.putObject(name).put("type", type));
                }
                if (!responses.has("default")) {
                    ObjectNode answer = responses.putObject("default");
                    answer.put("description", "Any other status: the error object (inference_rest.md)");
                    answer.putObject("content")
                            .putObject("application/json")
                            .putObject("schema")
                            .put("$ref", "#/components/schemas/" + error);
                }
            }
        }
        return item;
    }
}
