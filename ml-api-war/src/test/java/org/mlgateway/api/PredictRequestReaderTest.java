package org.mlgateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PredictRequestReaderTest {

    private final PredictRequestReader reader = new PredictRequestReader(20);

    private String read(String body) throws Exception {
        return reader.read(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
    }

    private ApiException refusal(String body) {
        return assertThrows(ApiException.class, () -> read(body));
    }

    @Test
    void readsTheSentence() throws Exception {
        assertEquals("I love this!", read("{\"sentence\": \"I love this!\"}"));
    }

    @Test
    void ignoresOtherFieldsWhateverTheirShape() throws Exception {
        assertEquals("ok", read("{\"a\": [1, {\"b\": null}], \"sentence\": \"ok\", \"c\": {\"d\": [true]}}"));
    }

    @Test
    void keepsUnicodeEscapesEmojiAndRightToLeftText() throws Exception {
        assertEquals(
                "I \u2764 \uD83D\uDE00 \u05E9\u05DC\u05D5\u05DD",
                read("{\"sentence\": \"I \\u2764 \uD83D\uDE00 \u05E9\u05DC\u05D5\u05DD\"}"));
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "``                                  | 400 | invalid_json",
                "`{`                                 | 400 | invalid_json",
                "`{\"sentence\": \"a\"`               | 400 | invalid_json",
                "`{\"sentence\": \"a\"} trailing`     | 400 | invalid_json",
                "`{'sentence': 'a'}`                 | 400 | invalid_json",
                "`sentence=hello`                    | 400 | invalid_json",
                "`[\"a\"]`                           | 422 | invalid_body",
                "`\"just a string\"`                 | 422 | invalid_body",
                "`null`                              | 422 | invalid_body",
                "`42`                                | 422 | invalid_body",
                "`{}`                                | 422 | missing_sentence",
                "`{\"text\": \"a\"}`                 | 422 | missing_sentence",
                "`{\"sentence\": null}`              | 422 | invalid_sentence",
                "`{\"sentence\": 42}`                | 422 | invalid_sentence",
                "`{\"sentence\": [\"a\"]}`           | 422 | invalid_sentence",
                "`{\"sentence\": {\"a\": 1}}`        | 422 | invalid_sentence",
                "`{\"sentence\": true}`              | 422 | invalid_sentence",
                "`{\"sentence\": \"a\", \"sentence\": \"b\"}` | 422 | invalid_sentence",
                "`{\"sentence\": \"\"}`              | 422 | blank_sentence",
                "`{\"sentence\": \"  \\t\\n \"}`     | 422 | blank_sentence",
                "`{\"sentence\": \"123456789012345678901\"}` | 422 | sentence_too_long",
                "`{\"sentence\": [1, 2}`             | 400 | invalid_json",
            })
    void refusesWithTheDocumentedStatusAndCode(String body, int status, String code) {
        ApiException e = refusal(body);
        assertEquals(status, e.status(), e.body().message());
        assertEquals(code, e.body().error());
    }

    @Test
    void countsCharactersNotUtf16Units() throws Exception {
        String twentyEmoji = "\uD83D\uDE00".repeat(20);
        assertEquals(twentyEmoji, read("{\"sentence\": \"" + twentyEmoji + "\"}"));
        assertEquals(
                "sentence_too_long",
                refusal("{\"sentence\": \"" + twentyEmoji + "a\"}").body().error());
    }

    @Test
    void refusesInvalidUtf8() {
        byte[] body = {
            '{', '"', 's', 'e', 'n', 't', 'e', 'n', 'c', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'
        };
        ApiException e = assertThrows(ApiException.class, () -> reader.read(new ByteArrayInputStream(body)));
        assertEquals(400, e.status());
        assertEquals("invalid_encoding", e.body().error());
    }

    @Test
    void survivesDeepNestingWithoutOverflowingTheStack() throws Exception {
        int depth = 30_000; // 60 KB: under the body limit, far deeper than any recursion would survive
        ApiException e = refusal("[".repeat(depth) + "]".repeat(depth));
        assertTrue(e.status() == 400 || e.status() == 422, "status " + e.status());
        String deepBesideSentence = "{\"x\": " + "[".repeat(depth) + "]".repeat(depth) + ", \"sentence\": \"ok\"}";
        try {
            assertEquals("ok", read(deepBesideSentence));
        } catch (ApiException refused) { // a parser depth limit is an acceptable answer too
            assertEquals(400, refused.status());
        }
    }

    @Test
    void refusesABodyOverTheLimitWithoutReadingItAll() {
        byte[] huge = new byte[1024 * 1024];
        java.util.Arrays.fill(huge, (byte) 'a');
        ApiException e = assertThrows(ApiException.class, () -> reader.read(new ByteArrayInputStream(huge)));
        assertEquals(413, e.status());
        assertEquals("body_too_large", e.body().error());
    }

    @Test
    void acceptsNulCharactersInsideTheSentence() throws Exception {
        assertEquals("a\u0000b", read("{\"sentence\": \"a\\u0000b\"}"));
    }
}
