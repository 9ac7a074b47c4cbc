package org.mlgateway.api;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonConfig;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns an Open Inference Protocol inference request into the sentences to classify, or refuses it with
 * the project's JSON error: malformed JSON 400, a request the model cannot take 422, a batch above
 * {@code api.batch.max} 413. Each sentence meets the rules of {@code POST /predict} (a string, not blank,
 * at most {@code api.sentence.max-length} characters), and its place in the batch is named when it does not.
 * The whole batch is refused if one sentence is: an answer never leaves out a sentence silently.
 */
final class InferenceRequestReader {

    static final String EXAMPLE = "Send {\"inputs\": [{\"name\": \"text\", \"datatype\": \"BYTES\", \"shape\": [1], "
            + "\"data\": [\"I love this!\"]}]}.";
    /** A bound on memory whatever the settings: beyond it the body is refused before it is parsed. */
    static final long BODY_CAP = 16L * 1024 * 1024;

    /** A repeated name in an object is refused rather than one of its values silently kept. */
    private static final JsonReaderFactory READERS =
            Json.createReaderFactory(java.util.Map.of(JsonConfig.KEY_STRATEGY, JsonConfig.KeyStrategy.NONE));

    private final int maxSentenceLength;
    private final int batchMax;
    private final Set<String> outputs;
    private final int maxBodyBytes;

    /** @param outputs the outputs the served variant produces */
    InferenceRequestReader(int maxSentenceLength, int batchMax, List<String> outputs) {
        this.maxSentenceLength = maxSentenceLength;
        this.batchMax = batchMax;
        this.outputs = Set.copyOf(outputs);
        // Room for a full batch of the longest sentences fully \\u-escaped (6 bytes a character) and the JSON around
        // them.
        long room = (long) batchMax * (maxSentenceLength * 6L + 16) + 64 * 1024;
        this.maxBodyBytes = (int) Math.min(BODY_CAP, room);
    }

    InferenceRequest read(InputStream body) throws IOException {
        byte[] bytes = body == null ? new byte[0] : body.readNBytes(maxBodyBytes + 1);
        if (bytes.length > maxBodyBytes) {
            throw new ApiException(413, "body_too_large", "The request body is over " + maxBodyBytes + " bytes.");
        }
        return requestOf(bytes);
    }

    InferenceRequest requestOf(byte[] bytes) {
        if (bytes.length == 0) {
            throw new ApiException(400, "invalid_json", "The request body is empty. " + EXAMPLE);
        }
        String text = PredictRequestReader.decodeUtf8(bytes);
        JsonValue document;
        try (JsonReader reader = READERS.createReader(new StringReader(text))) {
            document = reader.readValue();
        } catch (RuntimeException e) {
            // JsonParsingException, early end, a repeated name, or the parser's own nesting limit.
            throw new ApiException(
                    400,
                    "invalid_json",
                    "The request body is not valid JSON (or repeats a name within an object). " + EXAMPLE);
        }
        if (document.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new ApiException(422, "invalid_body", "The body must be a JSON object. " + EXAMPLE);
        }
        JsonObject request = document.asJsonObject();
        return new InferenceRequest(id(request), sentences(request), requestedOutputs(request));
    }

    private static String id(JsonObject request) {
        JsonValue id = request.get("id");
        if (id == null) {
            return null;
        }
        if (id.getValueType() != JsonValue.ValueType.STRING) {
            throw new ApiException(422, "invalid_id", "\"id\" must be a string.");
        }
        return ((JsonString) id).getString();
    }

    private List<String> sentences(JsonObject request) {
        JsonValue parameters = request.get("parameters");
        if (parameters != null && parameters.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new ApiException(422, "invalid_parameters", "\"parameters\" must be a JSON object.");
        }
        JsonValue inputs = request.get("inputs");
        if (inputs == null) {
            throw new ApiException(422, "missing_inputs", "The field \"inputs\" is missing. " + EXAMPLE);
        }
        if (inputs.getValueType() != JsonValue.ValueType.ARRAY
                || inputs.asJsonArray().size() != 1
                || inputs.asJsonArray().get(0).getValueType() != JsonValue.ValueType.OBJECT) {
            throw new ApiException(
                    422,
                    "invalid_inputs",
                    "\"inputs\" must hold exactly one tensor, the model's input \"" + InferenceModel.INPUT + "\". "
                            + EXAMPLE);
        }
        JsonObject input = inputs.asJsonArray().getJsonObject(0);
        JsonValue name = input.get("name");
        if (name == null
                || name.getValueType() != JsonValue.ValueType.STRING
                || !InferenceModel.INPUT.equals(((JsonString) name).getString())) {
            throw new ApiException(
                    422,
                    "unknown_input",
                    "The model's one input is named \"" + InferenceModel.INPUT + "\". " + EXAMPLE);
        }
        JsonValue datatype = input.get("datatype");
        if (datatype == null
                || datatype.getValueType() != JsonValue.ValueType.STRING
                || !InferenceModel.BYTES.equals(((JsonString) datatype).getString())) {
            throw new ApiException(
                    422,
                    "invalid_datatype",
                    "The input \"text\" has the datatype \"BYTES\" (one string per sentence).");
        }
        JsonValue data = input.get("data");
        if (data == null || data.getValueType() != JsonValue.ValueType.ARRAY) {
            throw new ApiException(
                    422, "invalid_data", "The input's \"data\" must be an array of sentences. " + EXAMPLE);
        }
        JsonArray values = data.asJsonArray();
        checkShape(input.get("shape"), values.size());
        if (values.isEmpty()) {
            throw new ApiException(422, "empty_batch", "Send at least one sentence. " + EXAMPLE);
        }
        if (values.size() > batchMax) {
            throw new ApiException(
                    413,
                    "batch_too_large",
                    "A request holds at most " + batchMax + " sentences; this one has " + values.size()
                            + ". Split it into several requests.");
        }
        List<String> sentences = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            sentences.add(sentence(values.get(i), i));
        }
        return sentences;
    }

    /** The protocol's shape of a batch of N sentences: [N], and it must say how many there are. */
    private static void checkShape(JsonValue shape, int count) {
        if (shape == null
                || shape.getValueType() != JsonValue.ValueType.ARRAY
                || shape.asJsonArray().size() != 1
                || shape.asJsonArray().get(0).getValueType() != JsonValue.ValueType.NUMBER
                || !((JsonNumber) shape.asJsonArray().get(0)).isIntegral()
                || ((JsonNumber) shape.asJsonArray().get(0))
                                .bigIntegerValue()
                                .compareTo(java.math.BigInteger.valueOf(count))
                        != 0) {
            throw new ApiException(
                    422,
                    "invalid_shape",
                    "The input's \"shape\" must be [N], N the number of sentences in" + " \"data\" (here [" + count
                            + "]).");
        }
    }

    private String sentence(JsonValue value, int index) {
        String where = "\"data\"[" + index + "]";
        if (value.getValueType() != JsonValue.ValueType.STRING) {
            throw new ApiException(422, "invalid_sentence", where + " must be a string (one sentence).");
        }
        return PredictRequestReader.checkSentence(((JsonString) value).getString(), where, maxSentenceLength);
    }

    private List<String> requestedOutputs(JsonObject request) {
        JsonValue requested = request.get("outputs");
        if (requested == null) {
            return List.of();
        }
        if (requested.getValueType() != JsonValue.ValueType.ARRAY) {
            throw new ApiException(
                    422, "invalid_outputs", "\"outputs\" must be an array of objects such as {\"name\": \"label\"}.");
        }
        Set<String> names = new LinkedHashSet<>();
        for (JsonValue output : requested.asJsonArray()) {
            JsonValue name = output.getValueType() == JsonValue.ValueType.OBJECT
                    ? output.asJsonObject().get("name")
                    : null;
            if (name == null || name.getValueType() != JsonValue.ValueType.STRING) {
                throw new ApiException(
                        422, "invalid_outputs", "Each of \"outputs\" must be an object such as {\"name\": \"label\"}.");
            }
            String n = ((JsonString) name).getString();
            if (!outputs.contains(n)) {
                throw new ApiException(
                        422,
                        "unknown_output",
                        "This server's model has the outputs " + String.join(", ", sorted(outputs))
                                + "; there is no " + quoted(n) + "."
                                + (InferenceModel.PROBABILITIES.equals(n)
                                        ? " The probabilities come from the v2 variant (through the gateway: X-Experiment-Group: debug)."
                                        : ""));
            }
            if (!names.add(n)) {
                throw new ApiException(
                        422, "invalid_outputs", "The output " + quoted(n) + " is asked for more than once.");
            }
        }
        return List.copyOf(names);
    }

    private static List<String> sorted(Set<String> names) {
        return names.stream().sorted().toList();
    }

    /** A client's name, quoted and cut short: it goes back into a message. */
    static String quoted(String name) {
        return "\"" + (name.length() > 64 ? name.substring(0, 64) + "..." : name) + "\"";
    }
}
