package it.org.mlgateway.api;

import static io.restassured.RestAssured.given;

import io.restassured.specification.RequestSpecification;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.mlgateway.testsupport.OpenInferenceProtocol;

/** Open Inference Protocol calls to a deployment, each checked against the published document. */
final class InferenceCalls {

    private static final Map<String, OpenInferenceProtocol> BY_BASE_PATH = new ConcurrentHashMap<>();

    private InferenceCalls() {}

    /** A request the document describes, to the deployment at {@code base} (its context root). */
    static RequestSpecification conforming(URL base) {
        return given().baseUri(base.toString()).filter(protocol(base).conforming());
    }

    /** A request made to break the document (wrong method, not an inference request...): its answer must still be the protocol's error. */
    static RequestSpecification nonConforming(URL base) {
        return given().baseUri(base.toString()).filter(protocol(base).nonConforming());
    }

    private static OpenInferenceProtocol protocol(URL base) {
        String path = base.getPath().replaceAll("/+$", "");
        return BY_BASE_PATH.computeIfAbsent(path, OpenInferenceProtocol::forBasePath);
    }

    /** An inference request of the sentences, with an id and the outputs asked for when given. */
    static String request(String id, List<String> sentences, String... outputs) {
        JsonArrayBuilder data = Json.createArrayBuilder();
        sentences.forEach(data::add);
        JsonObjectBuilder request = Json.createObjectBuilder();
        if (id != null) {
            request.add("id", id);
        }
        request.add(
                "inputs",
                Json.createArrayBuilder()
                        .add(Json.createObjectBuilder()
                                .add("name", "text")
                                .add("datatype", "BYTES")
                                .add("shape", Json.createArrayBuilder().add(sentences.size()))
                                .add("data", data)));
        if (outputs.length > 0) {
            JsonArrayBuilder asked = Json.createArrayBuilder();
            for (String o : outputs) {
                asked.add(Json.createObjectBuilder().add("name", o));
            }
            request.add("outputs", asked);
        }
        return request.build().toString();
    }

    /** The model card packaged with the model (the emotion-model jar on the test class path, as in the WAR). */
    static JsonObject modelCard() {
        try (InputStream in = InferenceCalls.class.getClassLoader().getResourceAsStream("model/model-card.json")) {
            return Json.createReader(in).readObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> tweets() {
        return List.of(
                "I love this sunny morning, it makes me so happy!",
                "ugh my head hurts sooooo bad, no sleep again tonight :(",
                "so bored. nothing to do at all",
                "I am so worried about the exam tomorrow");
    }
}
