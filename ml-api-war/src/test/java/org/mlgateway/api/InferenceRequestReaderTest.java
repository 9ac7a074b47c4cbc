package org.mlgateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InferenceRequestReaderTest {

    /** Sentences of at most 20 characters, batches of at most 3, the v2 variant's outputs. */
    private final InferenceRequestReader reader = new InferenceRequestReader(20, 3, InferenceModel.outputs(true));

    private InferenceRequest read(String body) throws Exception {
        return reader.read(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
    }

    private static String input(String shape, String data) {
        return "{\"name\": \"text\", \"datatype\": \"BYTES\", \"shape\": " + shape + ", \"data\": " + data + "}";
    }

    private ApiException refusal(String body) {
        return assertThrows(ApiException.class, () -> read(body));
    }

    @Test
    void readsTheIdTheSentencesInOrderAndTheOutputsAskedFor() throws Exception {
        InferenceRequest r = read(
                "{\"id\": \"42\", \"parameters\": {\"x\": 1}, \"inputs\": ["
                        + input("[2]", "[\"I love it\", \"so sad\"]")
                        + "], \"outputs\": [{\"name\": \"probabilities\"}, {\"name\": \"label\", \"parameters\": {}}], \"other\": [1]}");
        assertEquals("42", r.id());
        assertEquals(List.of("I love it", "so sad"), r.sentences());
        assertEquals(List.of("probabilities", "label"), r.outputs(), "in the order asked");
    }

    @Test
    void withoutIdOrOutputsAllOutputsAreMeant() throws Exception {
        InferenceRequest r = read("{\"inputs\": [" + input("[1]", "[\"hello\"]") + "]}");
        assertNull(r.id());
        assertEquals(List.of(), r.outputs());
        assertEquals(
                List.of(),
                read("{\"inputs\": [" + input("[1]", "[\"hello\"]") + "], \"outputs\": []}")
                        .outputs());
    }

    @Test
    void takesABatchAtTheLimitAndASentenceAtItsLength() throws Exception {
        String twenty = "abcdefghij klmnopqrs";
        assertEquals(
                3,
                read("{\"inputs\": [" + input("[3]", "[\"a\", \"b\", \"" + twenty + "\"]") + "]}")
                        .sentences()
                        .size());
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "``                                                   | 400 | invalid_json",
                "`{\"inputs\": [`                                     | 400 | invalid_json",
                "`{\"inputs\": [], \"inputs\": []}`                   | 400 | invalid_json",
                "`[]`                                                 | 422 | invalid_body",
                "`{}`                                                 | 422 | missing_inputs",
                "`{\"id\": 42, \"inputs\": []}`                       | 422 | invalid_id",
                "`{\"parameters\": [], \"inputs\": []}`               | 422 | invalid_parameters",
                "`{\"inputs\": {}}`                                   | 422 | invalid_inputs",
                "`{\"inputs\": []}`                                   | 422 | invalid_inputs",
                "`{\"inputs\": [\"text\"]}`                           | 422 | invalid_inputs",
                "`{\"inputs\": [{\"name\": \"input0\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [\"a\"]}]}` | 422 | unknown_input",
                "`{\"inputs\": [{\"name\": \"text\", \"datatype\": \"FP32\", \"shape\": [1], \"data\": [\"a\"]}]}`    | 422 | invalid_datatype",
                "`{\"inputs\": [{\"name\": \"text\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": \"a\"}]}`    | 422 | invalid_data",
                "`{\"inputs\": [{\"name\": \"text\", \"datatype\": \"BYTES\", \"shape\": [2], \"data\": [\"a\"]}]}`  | 422 | invalid_shape",
                "`{\"inputs\": [{\"name\": \"text\", \"datatype\": \"BYTES\", \"shape\": [1, 1], \"data\": [\"a\"]}]}` | 422 | invalid_shape",
                "`{\"inputs\": [{\"name\": \"text\", \"datatype\": \"BYTES\", \"shape\": [1.5], \"data\": [\"a\"]}]}` | 422 | invalid_shape",
                "`{\"inputs\": [{\"name\": \"text\", \"datatype\": \"BYTES\", \"data\": [\"a\"]}]}`                  | 422 | invalid_shape",
                "`{\"inputs\": [{\"name\": \"text\", \"datatype\": \"BYTES\", \"shape\": [0], \"data\": []}]}`       | 422 | empty_batch",
                "`{\"inputs\": [{\"name\": \"text\", \"datatype\": \"BYTES\", \"shape\": [4], \"data\": [\"a\", \"b\", \"c\", \"d\"]}]}` | 413 | batch_too_large",
                "`{\"inputs\": [{\"name\": \"text\", \"datatype\": \"BYTES\", \"shape\": [2], \"data\": [\"a\", 7]}]}`   | 422 | invalid_sentence",
                "`{\"inputs\": [{\"name\": \"text\", \"datatype\": \"BYTES\", \"shape\": [2], \"data\": [\"a\", [\"b\"]]}]}` | 422 | invalid_sentence",
                "`{\"inputs\": [{\"name\": \"text\", \"datatype\": \"BYTES\", \"shape\": [2], \"data\": [\"a\", \"  \"]}]}` | 422 | blank_sentence",
                "`{\"inputs\": [{\"name\": \"text\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [\"abcdefghij klmnopqrst\"]}]}` | 422 | sentence_too_long",
                "`{\"inputs\": [{\"name\": \"text\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [\"a\"]}], \"outputs\": {}}` | 422 | invalid_outputs",
                "`{\"inputs\": [{\"name\": \"text\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [\"a\"]}], \"outputs\": [\"label\"]}` | 422 | invalid_outputs",
                "`{\"inputs\": [{\"name\": \"text\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [\"a\"]}], \"outputs\": [{\"name\": \"label\"}, {\"name\": \"label\"}]}` | 422 | invalid_outputs",
                "`{\"inputs\": [{\"name\": \"text\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [\"a\"]}], \"outputs\": [{\"name\": \"logits\"}]}` | 422 | unknown_output",
            })
    void refusesWithTheDocumentedStatusAndCode(String body, int status, String code) {
        ApiException e = refusal(body);
        assertEquals(status, e.status(), e.getMessage());
        assertEquals(code, e.body().error(), e.getMessage());
    }

    @Test
    void namesTheSentenceThatIsRefused() {
        ApiException e = refusal("{\"inputs\": [" + input("[3]", "[\"fine\", \"fine too\", \"   \"]") + "]}");
        assertTrue(e.body().message().contains("\"data\"[2]"), e.body().message());
    }

    @Test
    void theV1VariantHasNoProbabilitiesAndSaysWhereToFindThem() {
        InferenceRequestReader v1 = new InferenceRequestReader(20, 3, InferenceModel.outputs(false));
        ApiException e = assertThrows(
                ApiException.class,
                () -> v1.read(new ByteArrayInputStream(("{\"inputs\": [" + input("[1]", "[\"a\"]")
                                + "], \"outputs\": [{\"name\": \"probabilities\"}]}")
                        .getBytes(StandardCharsets.UTF_8))));
        assertEquals("unknown_output", e.body().error());
        assertTrue(e.body().message().contains("v2 variant"), e.body().message());
    }

    @Test
    void refusesABodyAboveItsCapBeforeParsingIt() {
        InferenceRequestReader small = new InferenceRequestReader(10, 1, InferenceModel.outputs(false));
        byte[] big = new byte[70 * 1024 + 1];
        java.util.Arrays.fill(big, (byte) ' ');
        ApiException e = assertThrows(ApiException.class, () -> small.read(new ByteArrayInputStream(big)));
        assertEquals(413, e.status());
        assertEquals("body_too_large", e.body().error());
    }

    @Test
    void refusesBytesThatAreNotUtf8() {
        ApiException e = assertThrows(
                ApiException.class, () -> reader.read(new ByteArrayInputStream(new byte[] {'{', (byte) 0xC3, '}'})));
        assertEquals("invalid_encoding", e.body().error());
    }
}
